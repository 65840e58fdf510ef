// The bonus account: reading a balance and spending points must cost the same D1 round trips and
// rows for a card with 10 statement entries as for one with 10,000. Each card's history is built
// through the public API (a visit and a spend per step, so old lots are used up as they would be);
// then both cards get one large lot and are measured side by side.

const HISTORY = Number(process.env.BENCH_POINTS_HISTORY ?? 10_000);

async function inParallel(n, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function cardWithHistory(ctx, clinic, partner, entries, label) {
  const patient = await ctx.call('POST', '/v1/patients', clinic.key, {
    first_name: 'Bench',
    last_name: label,
  });
  // Each step is two patient entries: an accrual of 100 points and a spend of the same 100.
  const steps = Math.floor(entries / 2);
  await inParallel(steps, 8, async (i) => {
    await ctx.call('POST', '/v1/visits', clinic.key, {
      patient_id: patient.id,
      amount: { amount: 1000, currency: 'EUR' },
      reference: `${label}-${i}`,
    });
    await ctx.call('POST', '/v1/points/redemptions', partner.key, {
      card_number: patient.card_number,
      points: 100,
      reference: `${label}-${i}`,
    });
  });
  // Then the balance the measurements spend from.
  await ctx.call('POST', '/v1/visits', clinic.key, {
    patient_id: patient.id,
    amount: { amount: 10_000_000, currency: 'EUR' },
  });
  return patient;
}

export async function run(ctx) {
  const clinic = await ctx.org('clinic');
  const partner = await ctx.org('partner');
  await ctx.call('PUT', '/v1/loyalty_program', clinic.key, {
    accrual_rate_bps: 1000,
    expiry_days: 180,
    min_redemption_points: 0,
  });
  const t0 = performance.now();
  const small = await cardWithHistory(ctx, clinic, partner, 10, 'small');
  const large = await cardWithHistory(ctx, clinic, partner, HISTORY, 'large');
  console.log(
    `points: built a card with ${HISTORY} statement entries in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );

  const out = [];
  for (const [label, p] of [
    ['10 entries', small],
    [`${HISTORY} entries`, large],
  ]) {
    out.push(
      await ctx.measure({
        name: `GET /v1/patients/{id}/points (${label})`,
        makeRequest: () => ctx.req('GET', `/v1/patients/${p.id}/points`, clinic.key),
        expectStatus: [200],
      }),
    );
    out.push(
      await ctx.measure({
        name: `POST /v1/points/redemptions (${label})`,
        makeRequest: () =>
          ctx.req('POST', '/v1/points/redemptions', partner.key, { card_number: p.card_number, points: 1 }),
        expectStatus: [201],
      }),
    );
    out.push(
      await ctx.measure({
        name: `GET /v1/patients/{id}/points/entries?limit=50 (${label})`,
        makeRequest: () => ctx.req('GET', `/v1/patients/${p.id}/points/entries?limit=50`, clinic.key),
        expectStatus: [200],
      }),
    );
  }
  out.push(
    await ctx.measure({
      name: 'POST /v1/visits',
      makeRequest: () =>
        ctx.req('POST', '/v1/visits', clinic.key, {
          patient_id: small.id,
          amount: { amount: 5000, currency: 'EUR' },
        }),
      expectStatus: [201],
    }),
  );
  return out;
}
