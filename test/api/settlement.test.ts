import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN } from '../helpers/api';
import { signIn } from '../helpers/counter';
import {
  createNetwork,
  createOffer,
  createPatient,
  issueVoucher,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { setFee, verifyReceipt } from '../helpers/settlement';

// Settlement over HTTP: a line with every redemption and reversal, statements that agree with the
// lines, months closed by the cron, CSV for accountants and receipts that verify against the JWKS.
// network_settings is network-wide and this file's storage is shared by its tests: each test that
// depends on the fee sets it first.

/** A network, an offer voucher (65.00) and a stored-value voucher (50.00) at its partner, and a card with 5,000 points. */
async function scene(api: Client) {
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Clara', last_name: 'Zimmermann' });
  const offer = await createOffer(api, net.partner.key, { title: 'Massage, "deluxe", 60 min' });
  const gift = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
  const credit = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    value: { amount: 5000, currency: 'EUR' },
    partner_id: net.partner.id,
  });
  await setLoyaltyProgram(api, net.clinic.key);
  await recordVisit(api, net.clinic.key, patient.id, 50_000);
  return { net, patient, gift, credit };
}

describe('settlement lines and statements', () => {
  it('writes a line per redemption and reversal, with the fee in force, and the statements agree with them', async () => {
    const api = createClient();
    await setFee(api, 250); // 2.5%
    const { net, patient, gift, credit } = await scene(api);
    const partner = net.partner.key;

    const whole = await api.post('/v1/redemptions', { token: partner, body: { token: gift.token } });
    expect(whole.status).toBe(201);
    const part = await api.post('/v1/redemptions', {
      token: partner,
      body: { token: credit.token, amount: { amount: 1999, currency: 'EUR' } },
    });
    const points = await api.post('/v1/points/redemptions', {
      token: net.otherPartner.key,
      body: { card_number: patient.card_number, points: 1200 },
    });
    expect(points.status).toBe(201);
    // Points honoured by their own clinic owe nothing: no line, no receipt.
    const own = await api.post('/v1/points/redemptions', {
      token: net.clinic.key,
      body: { card_number: patient.card_number, points: 100 },
    });
    expect(own.status).toBe(201);
    expect(own.body.receipt).toBeNull();
    const back = await api.post(`/v1/redemptions/${part.body.id}/reversal`, { token: partner });
    expect(back.status).toBe(200);

    // Receipts: in the answers, and verifiable against the JWKS alone.
    for (const [res, amount, fee] of [
      [whole, 6500, 162],
      [part, 1999, 49],
      [points, 1200, 30],
      [back, -1999, -49],
    ] as const) {
      const claims = await verifyReceipt(api, res.body.receipt);
      expect(claims).toMatchObject({ amount, fee, net: amount - fee, currency: 'EUR', period: '2026-11' });
      expect(claims.issuer).toBe(net.clinic.id);
    }

    // The partner is owed 65.00 - 1.62 (the reversed partial nets to zero); the photo studio 12.00 - 0.30.
    const massage = await api.get('/v1/settlements?period=2026-11', { token: partner });
    expect(massage.body).toMatchObject({ period: '2026-11', state: 'open', closed_at: null });
    expect(massage.body.data).toEqual([
      expect.objectContaining({
        counterparty: { id: net.clinic.id, name: 'Aesthetics Clinic', kind: 'clinic' },
        direction: 'receivable',
        redemptions: 2,
        reversals: 1,
        gross: { amount: 6500, currency: 'EUR' },
        fee: { amount: 162, currency: 'EUR' },
        net: { amount: 6338, currency: 'EUR' },
      }),
    ]);
    const clinic = await api.get('/v1/settlements?period=2026-11', { token: net.clinic.key });
    expect(clinic.body.data.map((r: any) => [r.counterparty.name, r.direction, r.net.amount])).toEqual([
      ['Massage Studio', 'payable', 6338],
      ['Photo Studio', 'payable', 1170],
    ]);
    // The operator sees every pair; each pair's figures are the same from both sides.
    const all = await api.get('/v1/settlements?period=2026-11', { token: OPERATOR_TOKEN });
    const pair = all.body.data.find(
      (r: any) => r.payer.id === net.clinic.id && r.payee.id === net.partner.id,
    );
    expect(pair).toMatchObject({ counterparty: null, direction: null, net: { amount: 6338 } });

    // The CSV has one row per line, and they add up to the statement.
    const csv = await api.get('/v1/settlements/2026-11/lines.csv', { token: partner });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = csv.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'line_id,time,kind,entry,redemption_id,voucher_or_card,offer_or_points,counterparty_id,counterparty,direction,gross,fee,net,currency,receipt_id',
    );
    expect(rows).toHaveLength(4);
    expect(csv.text).toContain('"Massage, ""deluxe"", 60 min"');
    const net_ = rows.slice(1).reduce((s, r) => s + Math.round(Number(r.split(',').at(-3)) * 100), 0);
    expect(net_).toBe(6338);

    // The same lines as JSON, paged, each with a receipt that verifies and names the line.
    const first = await api.get('/v1/settlements/2026-11/lines?limit=2', { token: partner });
    expect(first.status, first.text).toBe(200);
    expect(first.body.data).toHaveLength(2);
    const rest = await api.get(`/v1/settlements/2026-11/lines?limit=2&cursor=${first.body.next_cursor}`, {
      token: partner,
    });
    const listed = [...first.body.data, ...rest.body.data];
    expect(rest.body.next_cursor).toBeNull();
    expect(listed.map((l: any) => l.id)).toEqual(rows.slice(1).map((r) => r.split(',').at(-1)));
    for (const l of listed) expect((await verifyReceipt(api, l.receipt)).jti).toBe(l.id);
  });

  it('ignores a request asking to be another time unless ALLOW_TEST_CLOCK is set (never in a deployment)', async () => {
    const api = createClient();
    const { net, gift } = await scene(api);
    const red = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: gift.token },
      headers: { 'x-test-now': '2040-01-15T12:00:00Z' },
    });
    expect(red.status).toBe(201);
    expect(red.body.redeemed_at).toBe('2026-11-01T09:00:00.000Z');
    expect((await verifyReceipt(api, red.body.receipt)).period).toBe('2026-11');
    // With the variable set, only a local server on loopback honours the header.
    const onLoopback = await api.app.request(
      'http://127.0.0.1/v1/settlements/periods',
      { headers: { authorization: `Bearer ${net.clinic.key}`, 'x-test-now': '2040-01-15T12:00:00Z' } },
      { ...env, ALLOW_TEST_CLOCK: '1', PUBLIC_BASE_URL: 'http://127.0.0.1' },
    );
    expect(((await onLoopback.json()) as any).data[0].period).toBe('2040-01');
    const publicName = await api.app.request(
      'https://gratia.test/v1/settlements/periods',
      { headers: { authorization: `Bearer ${net.clinic.key}`, 'x-test-now': '2040-01-15T12:00:00Z' } },
      { ...env, ALLOW_TEST_CLOCK: '1' },
    );
    expect(((await publicName.json()) as any).data[0].period).toBe('2026-11');
  });

  it('serves each receipt to the issuer, the honouring party and the operator only', async () => {
    const api = createClient();
    const { net, gift } = await scene(api);
    const red = await api.post('/v1/redemptions', { token: net.partner.key, body: { token: gift.token } });
    for (const token of [net.partner.key, net.clinic.key, OPERATOR_TOKEN]) {
      const r = await api.get(`/v1/redemptions/${red.body.id}/receipt`, { token });
      expect(r.status, r.text).toBe(200);
      expect(r.body.receipt).toBe(red.body.receipt);
      expect((await verifyReceipt(api, r.body.receipt)).redemption_id).toBe(red.body.id);
    }
    for (const token of [net.otherClinic.key, net.otherPartner.key])
      expectProblem(
        await api.get(`/v1/redemptions/${red.body.id}/receipt`, { token }),
        404,
        'redemption_not_found',
      );
    // Another party's statement and lines show nothing of it.
    const other = await api.get('/v1/settlements/2026-11/lines.csv', { token: net.otherPartner.key });
    expect(other.text).not.toContain(red.body.id);
  });

  it('keeps fee changes as versions; each line keeps the rate it was written under', async () => {
    const api = createClient();
    const v1 = await setFee(api, 300);
    const same = await setFee(api, 300);
    expect(same.version).toBe(v1.version);
    const read = await api.get('/v1/network/settings', { token: (await createNetwork(api)).clinic.key });
    expect(read.body).toMatchObject({ fee_bps: 300, version: v1.version });
    const versions = await api.get('/v1/network/settings/versions', { token: OPERATOR_TOKEN });
    expect(versions.body.data.at(-1)).toMatchObject({ version: 0, fee_bps: 0, closing_grace_days: 5 });
    const bad = await api.put('/v1/network/settings', {
      token: OPERATOR_TOKEN,
      body: { fee_bps: 10_001, closing_grace_days: 5 },
    });
    expectProblem(bad, 400, 'validation_failed');
  });

  it('formats the CSV safely: formula-like text is neutralised, amounts stay numbers', async () => {
    const api = createClient();
    await setFee(api, 0);
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key, { title: '=HYPERLINK("http://evil","x")' });
    const v = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
    await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } });
    const csv = await api.get('/v1/settlements/2026-11/lines.csv', { token: net.partner.key });
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csv.text).toMatch(/,65\.00,0\.00,65\.00,EUR,/);
    expect(csv.text.startsWith('\ufeff')).toBe(false);
  });
});

describeSecurity('GET /v1/settlements', {
  method: 'GET',
  roles: ['operator', 'clinic', 'partner'],
  setup: async () => ({}),
  path: () => '/v1/settlements?period=2026-11',
});
describeSecurity('PUT /v1/network/settings', {
  method: 'PUT',
  roles: ['operator'],
  setup: async () => ({}),
  path: () => '/v1/network/settings',
  body: () => ({ fee_bps: 0, closing_grace_days: 5 }),
});
describeSecurity('GET /v1/redemptions/{id}/receipt', {
  method: 'GET',
  roles: ['operator', 'clinic', 'partner'],
  setup: async (api, net) => {
    const patient = await createPatient(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key);
    const v = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
    return (await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } })).body;
  },
  path: (r) => `/v1/redemptions/${r.id}/receipt`,
  otherTenant: (net) => net.otherPartner.key,
  otherTenantCode: 'redemption_not_found',
});

describe('the partner counter page: statements', () => {
  it('shows what each clinic owes this month, the lines, the CSV, and refuses without a session', async () => {
    const api = createClient();
    const { net, gift } = await scene(api);
    await api.post('/v1/redemptions', { token: net.partner.key, body: { token: gift.token } });
    const { cookie } = await signIn(api, net.partner.key);
    const page = await api.get('/partner/statements?period=2026-11', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Statement for November 2026');
    expect(page.text).toContain('Aesthetics Clinic');
    expect(page.text).toContain('Massage, &quot;deluxe&quot;, 60 min');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const csv = await api.get('/partner/statements/2026-11.csv', { headers: { cookie } });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toContain('line_id,time,kind');
    expect((await api.get('/partner/statements')).status).toBe(401);
    expect((await api.get('/partner/statements/2026-11.csv')).status).toBe(401);
    // Another partner's session sees none of it.
    const { cookie: otherCookie } = await signIn(api, net.otherPartner.key);
    const theirs = await api.get('/partner/statements?period=2026-11', { headers: { cookie: otherCookie } });
    expect(theirs.text).not.toContain('deluxe');
  });
});
