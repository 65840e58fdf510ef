// Patients: the clinic's everyday reads and writes, and whether their D1 cost grows with the data.

export async function run(ctx) {
  const clinic = await ctx.org('clinic');
  const few = await ctx.call('POST', '/v1/patients', clinic.key, {
    first_name: 'Bench',
    last_name: 'Patient',
  });
  const out = [];
  out.push(
    await ctx.measure({
      name: 'GET /v1/patients/{id}',
      makeRequest: () => ctx.req('GET', `/v1/patients/${few.id}`, clinic.key),
      expectStatus: [200],
    }),
  );
  out.push(
    await ctx.measure({
      name: 'POST /v1/patients',
      makeRequest: (i) =>
        ctx.req('POST', '/v1/patients', clinic.key, {
          first_name: 'Load',
          last_name: `Test${i}`,
          consent: { email: true },
        }),
      expectStatus: [201],
    }),
  );
  out.push(
    await ctx.measure({
      name: 'GET /v1/patients?limit=50',
      makeRequest: () => ctx.req('GET', '/v1/patients?limit=50', clinic.key),
      expectStatus: [200],
    }),
  );
  out.push(
    await ctx.measure({
      name: 'GET /v1/patients?q=<card number>',
      makeRequest: () => ctx.req('GET', `/v1/patients?q=${few.card_number}`, clinic.key),
      expectStatus: [200],
    }),
  );
  return out;
}
