// The hot paths, measured on a network built straight into the local D1 (build-network.mjs), so the
// same requests run on the seeded size and on one 100 times larger: how each figure grows is the
// point. Every request reads existing data (a patient, a card, a voucher of the built network). The
// pages (the counter page, the clinic console) are requested as the owner the builder signed in.
import { createHmac, randomBytes } from 'node:crypto';
import { insightPaths } from './insight-paths.mjs';
import { loyaltyPaths } from './loyalty-paths.mjs';
import { messagingPaths } from './messaging-paths.mjs';

const FAST = { maxRequests: 3000 };

/**
 * The cookie the server sets for a page session (workers/api/src/lib/page-session.ts): the session
 * row, the organisation, a CSRF token and the expiry, signed with SESSION_SECRET under the realm's
 * cookie name. Returns { cookie (name=value), csrf }.
 */
export function sessionCookie(realm, session, secret) {
  const csrf = randomBytes(24).toString('base64url');
  const payload = [session.sessionId, session.organizationId, csrf, String(session.expiresAt)].join('.');
  const mac = createHmac('sha256', secret).update(`${realm}|${payload}`).digest('base64url');
  return { cookie: `${realm}=${payload}.${mac}`, csrf };
}

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
  // The counter page and the console, signed in as the owners the builder made.
  const counter = sessionCookie('gratia_partner', built.sessions[partner.id], ctx.SESSION_SECRET);
  const desk = sessionCookie('gratia_console', built.sessions[clinic.id], ctx.SESSION_SECRET);
  await signedIn(ctx, '/partner', counter);

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
    () => ({ url: `${ctx.base}/partner`, init: { headers: { cookie: counter.cookie } } }),
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
  await consolePages(ctx, m, {
    clinic,
    desk,
    owner: built.sessions[clinic.id].staffId,
    patients,
    surname,
    longest,
    issued,
    months: `from=${from}&to=${to}`,
  });
  // Named "insight: ...", so BENCH_ONLY=insight measures just these.
  if (!only || only.includes('insight'))
    await insightPaths(ctx, (name, ...a) => m(`insight: ${name}`, ...a), { clinic, desk, patients, longest });
  // Named "loyalty: ...", so BENCH_ONLY=loyalty measures just these (issue 12: the plan and offers).
  if (!only || only.includes('loyalty'))
    await loyaltyPaths(ctx, (name, ...a) => m(`loyalty: ${name}`, ...a), {
      clinic,
      desk,
      owner: built.sessions[clinic.id].staffId,
      patients,
      longest,
    });
  // Named "messaging: ...", so BENCH_ONLY=messaging measures just these (issue 13: reaching the patient).
  if (!only || only.includes('messaging'))
    await messagingPaths(ctx, (name, ...a) => m(`messaging: ${name}`, ...a), { clinic, desk, longest });
  return out;
}

/**
 * Checks that a page answers signed in (a signed-in page carries the session's CSRF token in its
 * sign-out form; the sign-in page does not), which also refreshes the session's last request.
 */
async function signedIn(ctx, p, { cookie, csrf }) {
  const res = await fetch(`${ctx.base}${p}`, { headers: { cookie } });
  const body = await res.text();
  if (res.status !== 200 || !body.includes(csrf))
    throw new Error(`GET ${p} as the bench's signed-in owner answered ${res.status}, not signed in`);
}

/**
 * The clinic console's pages and two of its forms, as the clinic's owner: each page is the session
 * check and one use case (two round trips at most), its lists paged.
 */
async function consolePages(ctx, m, { clinic, desk, owner, patients, surname, longest, issued, months }) {
  const page = (p) => ({ url: `${ctx.base}${p}`, init: { headers: { cookie: desk.cookie } } });
  // A form as the page posts it: this origin, the session's CSRF token, a fresh submission key.
  const post = (p, fields) => ({
    url: `${ctx.base}${p}`,
    init: {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: desk.cookie,
        origin: ctx.base,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        csrf: desk.csrf,
        submission: randomBytes(18).toString('base64url'),
        ...fields,
      }),
    },
  });
  // The session idles out after 30 minutes: a request refreshes it (and the key's last use), so the
  // measurements do not.
  await signedIn(ctx, '/console', desk);
  const longId = longest.patientId;
  // The page the front desk lands on after registering someone: a card with no history yet.
  const newcomer = await ctx.call('POST', '/v1/patients', clinic.key, {
    first_name: 'Bench',
    last_name: 'Newcomer',
  });
  const gift = issued.find((v) => v.patient_id === longId) ?? issued[0];
  const offerId = issued.find((v) => v.offer)?.offer.id;
  // A form's answer is a 303 either way: check once that it leads where success does.
  for (const [p, fields, success] of [
    ['/console/calls', { patient_id: patients[0].id, outcome: 'reached' }, '/console?called='],
    [`/console/patients/${patients[0].id}/visits`, { amount: '45.00' }, '?visit='],
  ]) {
    const { url, init } = post(p, fields);
    const res = await fetch(url, init);
    const to = res.headers.get('location') ?? '';
    if (res.status !== 303 || !to.includes(success))
      throw new Error(`POST ${p} as the bench's owner answered ${res.status} to ${to}`);
  }

  await m('GET /console (Today: figures, call list, recent redemptions)', () => page('/console'), [200]);
  await m('GET /console/patients (first page)', () => page('/console/patients'), [200]);
  await m(
    'GET /console/patients?q=<surname>',
    () => page(`/console/patients?q=${encodeURIComponent(surname)}`),
    [200],
  );
  await m(
    'GET /console/patients/{id} (the longest card history)',
    () => page(`/console/patients/${longId}`),
    [200],
  );
  await m(
    'GET /console/patients/{id} (a patient just registered, no visits)',
    () => page(`/console/patients/${newcomer.id}`),
    [200],
  );
  await m(
    'GET /console/patients/{id}/gift (the catalogue)',
    () => page(`/console/patients/${longId}/gift`),
    [200],
  );
  if (offerId)
    await m(
      'GET /console/patients/{id}/gift?offer= (the gift form)',
      () => page(`/console/patients/${longId}/gift?offer=${offerId}`),
      [200],
    );
  await m('GET /console/gifts/{id}', () => page(`/console/gifts/${gift.id}`), [200]);
  await m('GET /console/programme (rules and their versions)', () => page('/console/programme'), [200]);
  await m('GET /console/reports (the default months)', () => page('/console/reports'), [200]);
  await m('GET /console/reports?from=&to= (24 months)', () => page(`/console/reports?${months}`), [200]);
  await m('GET /console/staff', () => page('/console/staff'), [200]);
  await m('GET /console/audit (the whole trail, newest first)', () => page('/console/audit'), [200]);
  await m(
    'GET /console/audit?patient= (the longest card history)',
    () => page(`/console/audit?patient=${longId}`),
    [200],
  );
  await m('GET /console/audit?staff= (the owner)', () => page(`/console/audit?staff=${owner}`), [200]);
  await m(
    'POST /console/calls (a call outcome, from Today)',
    (i) =>
      post('/console/calls', {
        patient_id: patients[i % patients.length].id,
        outcome: 'left_message',
      }),
    [303],
  );
  await m(
    'POST /console/patients/{id}/visits (a visit, from the patient page)',
    (i) => post(`/console/patients/${patients[i % patients.length].id}/visits`, { amount: '45.00' }),
    [303],
  );
}
