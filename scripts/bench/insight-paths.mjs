// What the clinic knows of its patients (issue 11), measured on the built network as on the seeded one:
// distributions and month snapshots (pre-aggregated counts: a few rows whatever the size), saved
// segments' live counts (a pass over the clinic's insight rows, by index: rows grow with the clinic's
// patients, never with its history), the win-back list (an index range), and a patient's gift
// suggestions (the patient's insight row and the capped catalogue). The console's pages over them too.

/** Segments a clinic would keep, made through the API before measuring. */
const SEGMENTS = [
  { name: 'Bench: big spenders', rules: [{ field: 'spend_12m', op: 'gte', value: 50_000 }] },
  {
    name: 'Bench: drifting apostles',
    description: 'Satisfied and loyal, but not seen for three months.',
    rules: [
      { field: 'quadrant', op: 'is', value: 'apostle' },
      { field: 'last_visit_days', op: 'gte', value: 90 },
    ],
  },
  {
    name: 'Bench: SMS, points expiring',
    rules: [
      { field: 'consent', op: 'is', key: 'sms', value: true },
      { field: 'points_expiring_days', op: 'lte', value: 30 },
    ],
  },
];

export async function insightPaths(ctx, m, { clinic, desk, patients, longest }) {
  const page = (p) => ({ url: `${ctx.base}${p}`, init: { headers: { cookie: desk.cookie } } });
  const started = performance.now();
  const refreshed = await ctx.call('POST', '/v1/insight/refresh', clinic.key);
  console.log(
    `insight refreshed for the clinic in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(refreshed)}`,
  );
  const have = new Set((await ctx.call('GET', '/v1/segments?limit=20', clinic.key)).data.map((s) => s.name));
  const ids = [];
  for (const s of SEGMENTS) {
    if (have.has(s.name)) continue;
    ids.push((await ctx.call('POST', '/v1/segments', clinic.key, s)).id);
  }
  const segmentId = ids[0] ?? (await ctx.call('GET', '/v1/segments?limit=20', clinic.key)).data[0].id;
  const longId = longest.patientId;

  await m(
    'GET /v1/insight/summary (A/B/C, quadrants, growth, win-back counts)',
    () => ctx.req('GET', '/v1/insight/summary', clinic.key),
    [200],
  );
  await m(
    'GET /v1/insight/months (12 months of snapshots)',
    () => ctx.req('GET', '/v1/insight/months', clinic.key),
    [200],
  );
  await m(
    'GET /v1/segments (live counts of 3 segments)',
    () => ctx.req('GET', '/v1/segments', clinic.key),
    [200],
  );
  await m(
    'POST /v1/segments/preview (2 rules)',
    () => ctx.req('POST', '/v1/segments/preview', clinic.key, { rules: SEGMENTS[1].rules }),
    [200],
  );
  await m(
    'GET /v1/segments/{id}/members?limit=50',
    () => ctx.req('GET', `/v1/segments/${segmentId}/members?limit=50`, clinic.key),
    [200],
  );
  await m('GET /v1/win_back?limit=50', () => ctx.req('GET', '/v1/win_back?limit=50', clinic.key), [200]);
  await m(
    'GET /v1/patients/{id}/gift_suggestions (the longest card history)',
    () => ctx.req('GET', `/v1/patients/${longId}/gift_suggestions?limit=5`, clinic.key),
    [200],
  );
  await m(
    'GET /v1/patients/{id}/insight',
    (i) => ctx.req('GET', `/v1/patients/${patients[i % patients.length].id}/insight`, clinic.key),
    [200],
  );
  await m('GET /console/insight (charts)', () => page('/console/insight'), [200]);
  await m('GET /console/segments (live counts)', () => page('/console/segments'), [200]);
  await m('GET /console/win-back', () => page('/console/win-back'), [200]);
  await m('GET /console/feedback (NPS, answers, suggestions)', () => page('/console/feedback'), [200]);
}
