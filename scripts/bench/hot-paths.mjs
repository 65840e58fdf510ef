// The hot paths, measured on a network built straight into the local D1 (build-network.mjs), so the
// same requests run on the seeded size and on one 100 times larger: how each figure grows is the
// point. Every request reads existing data (a patient, a card, a voucher of the built network).

const FAST = { maxRequests: 3000 };

export async function hotPaths(ctx, { clinic, partner, built }) {
  const get = (p, key) => ctx.call('GET', p, key);
  // What to ask for, found through the API like a client would.
  const patients = (await get('/v1/patients?limit=200', clinic.key)).data;
  const surname = patients.find((p) => p.last_name.length >= 5)?.last_name ?? patients[0].last_name;
  const phoneTail = (patients.find((p) => p.phone)?.phone ?? '+4915112345678').replace(/\D/g, '').slice(-7);
  const longest = built.longest[0];
  console.log(`the longest card history: ${longest.entries.toLocaleString('en')} transactions`);
  const issued = [];
  let cursor = null;
  while (issued.length < 400) {
    const page = await get(
      `/v1/vouchers?status=issued&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      clinic.key,
    );
    issued.push(...page.data);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  const forPartner = issued.filter((v) => v.partner_id === partner.id || v.category === partner.category);
  const tokens = forPartner.map((v) => v.token);
  const values = forPartner
    .filter((v) => v.kind === 'value' && (v.remaining?.amount ?? 0) >= 600)
    .map((v) => v.token);
  const cards = patients.map((p) => p.card_number);
  // The counter page, signed in.
  const signIn = await fetch(`${ctx.base}/partner/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ctx.base },
    body: new URLSearchParams({ api_key: partner.key }),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];

  const out = [];
  // BENCH_ONLY=<words> measures only the hot paths whose name contains them (case-insensitive).
  const only = process.env.BENCH_ONLY?.toLowerCase();
  const m = async (name, makeRequest, expectStatus, extra = {}) => {
    if (only && !name.toLowerCase().includes(only)) return;
    out.push(await ctx.measure({ name, makeRequest, expectStatus, ...FAST, ...extra }));
  };

  await m(
    'POST /v1/vouchers/verify',
    (i) => ctx.req('POST', '/v1/vouchers/verify', partner.key, { token: tokens[i % tokens.length] }),
    [200],
  );
  await m(
    'POST /v1/redemptions (1.00 of stored value)',
    (i) =>
      ctx.req('POST', '/v1/redemptions', partner.key, {
        token: values[i % values.length],
        amount: { amount: 1, currency: 'EUR' },
      }),
    [201],
    { maxRequests: Math.min(3000, values.length * 5) },
  );
  await m(
    'GET /r/{token} (patient link page)',
    (i) => ({ url: `${ctx.base}/r/${tokens[i % tokens.length]}`, init: {} }),
    [200],
  );
  await m(
    'GET /partner (counter page, signed in)',
    () => ({ url: `${ctx.base}/partner`, init: { headers: { cookie } } }),
    [200],
  );
  await m(
    'POST /v1/visits',
    (i) =>
      ctx.req('POST', '/v1/visits', clinic.key, {
        patient_id: patients[i % patients.length].id,
        amount: { amount: 4_500, currency: 'EUR' },
      }),
    [201],
  );
  await m(
    'GET /v1/patients/{id}/points (the longest card history)',
    () => ctx.req('GET', `/v1/patients/${longest.patientId}/points`, clinic.key),
    [200],
  );
  await m(
    'POST /v1/points/redemptions (1 point, at a partner)',
    (i) =>
      ctx.req('POST', '/v1/points/redemptions', partner.key, {
        card_number: cards[i % cards.length],
        points: 1,
      }),
    [201, 422],
  );
  await m(
    'GET /v1/patients/{id}/points/entries?limit=50 (the longest card history)',
    () => ctx.req('GET', `/v1/patients/${longest.patientId}/points/entries?limit=50`, clinic.key),
    [200],
  );
  await m(
    'GET /v1/points/expiring?within_days=30 (call list)',
    () => ctx.req('GET', '/v1/points/expiring?within_days=30&limit=50', clinic.key),
    [200],
  );
  await m(
    'GET /v1/points/expiring?within_days=90 (call list)',
    () => ctx.req('GET', '/v1/points/expiring?within_days=90&limit=50', clinic.key),
    [200],
  );
  await m(
    `GET /v1/patients?q=<surname>`,
    () => ctx.req('GET', `/v1/patients?q=${encodeURIComponent(surname)}&limit=50`, clinic.key),
    [200],
  );
  await m(
    'GET /v1/patients?q=<phone digits>',
    () => ctx.req('GET', `/v1/patients?q=${phoneTail}&limit=50`, clinic.key),
    [200],
  );
  await m(
    'GET /v1/vouchers?status=voided',
    () => ctx.req('GET', '/v1/vouchers?status=voided&limit=50', clinic.key),
    [200],
  );
  await m(
    'GET /v1/vouchers?status=issued',
    () => ctx.req('GET', '/v1/vouchers?status=issued&limit=50', clinic.key),
    [200],
  );
  // The clinic's last 24 months (the longest report): figures kept with every record, one row a month.
  const to = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
  })
    .format(Date.now())
    .slice(0, 7);
  const [y, mo] = to.split('-').map(Number);
  const from = `${y - 2 + (mo === 12 ? 1 : 0)}-${String((mo % 12) + 1).padStart(2, '0')}`;
  await m(
    'GET /v1/reports/monthly (report, 24 months)',
    () => ctx.req('GET', `/v1/reports/monthly?from=${from}&to=${to}`, clinic.key),
    [200],
  );
  return out;
}
