// The counter's hot paths: verify and redeem. Target: one D1 round trip each.

export async function run(ctx) {
  const clinic = await ctx.org('clinic');
  const partner = await ctx.org('partner');
  const patient = await ctx.call('POST', '/v1/patients', clinic.key, {
    first_name: 'Bench',
    last_name: 'Voucher',
  });
  const offer = await ctx.call('POST', '/v1/offers', partner.key, {
    title: 'Bench massage',
    category: 'massage',
    price: { amount: 5000, currency: 'EUR' },
  });
  const one = await ctx.call('POST', '/v1/vouchers', clinic.key, {
    patient_id: patient.id,
    offer_id: offer.id,
  });

  const out = [];
  out.push(
    await ctx.measure({
      name: 'POST /v1/vouchers/verify',
      makeRequest: () => ctx.req('POST', '/v1/vouchers/verify', partner.key, { token: one.token }),
      expectStatus: [200],
    }),
  );
  out.push(
    await ctx.measure({
      name: 'POST /v1/vouchers (issue)',
      makeRequest: () =>
        ctx.req('POST', '/v1/vouchers', clinic.key, { patient_id: patient.id, offer_id: offer.id }),
      expectStatus: [201],
    }),
  );
  // Redemption consumes vouchers: issue a stock first, then redeem each once (every request a real 201).
  const stock = [];
  for (let i = 0; i < 600; i++) {
    stock.push(
      (
        await ctx.call('POST', '/v1/vouchers', clinic.key, {
          patient_id: patient.id,
          value: { amount: 10_000, currency: 'EUR' },
          partner_id: partner.id,
        })
      ).token,
    );
  }
  out.push(
    await ctx.measure({
      name: 'POST /v1/redemptions (partial value)',
      makeRequest: (i) =>
        ctx.req('POST', '/v1/redemptions', partner.key, {
          token: stock[i % stock.length],
          amount: { amount: 100, currency: 'EUR' },
        }),
      maxRequests: 595,
      expectStatus: [201],
    }),
  );
  return out;
}
