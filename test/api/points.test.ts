import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, HOUR_MS } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import {
  createClinic,
  createNetwork,
  createPatient,
  createPointsScene,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function balanceOf(api: ReturnType<typeof createClient>, key: string, patientId: string) {
  const res = await api.get(`/v1/patients/${patientId}/points`, { token: key });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function spend(api: ReturnType<typeof createClient>, key: string, body: Record<string, unknown>) {
  return api.post('/v1/points/redemptions', { token: key, body });
}

describe('GET and PUT /v1/loyalty_program', () => {
  it('starts from the network default (version 0) and versions every change', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const initial = await api.get('/v1/loyalty_program', { token: net.clinic.key });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({
      version: 0,
      accrual_rate_bps: 500,
      expiry_days: 180,
      min_redemption_points: 0,
      max_bill_share_bps: null,
      discount_tiers: [],
      point_value: eur(1),
      effective_from: null,
    });
    const rules = {
      accrual_rate_bps: 700,
      expiry_days: 180,
      min_redemption_points: 500,
      max_bill_share_bps: 5000,
      discount_tiers: [
        { min_lifetime_spend: eur(4_500_000), discount_bps: 1000 },
        { min_lifetime_spend: eur(3_000_000), discount_bps: 500 },
      ],
    };
    const v1 = await api.put('/v1/loyalty_program', { token: net.clinic.key, body: rules });
    expect(v1.status, v1.text).toBe(200);
    expect(v1.body.version).toBe(1);
    expect(v1.body.discount_tiers.map((t: any) => t.min_lifetime_spend.amount)).toEqual([
      3_000_000, 4_500_000,
    ]);
    // The same rules again are no change.
    const same = await api.put('/v1/loyalty_program', { token: net.clinic.key, body: rules });
    expect(same.body.version).toBe(1);
    const v2 = await api.put('/v1/loyalty_program', {
      token: net.clinic.key,
      body: { ...rules, accrual_rate_bps: 1000 },
    });
    expect(v2.body.version).toBe(2);
    expect((await api.get('/v1/loyalty_program', { token: net.clinic.key })).body.accrual_rate_bps).toBe(
      1000,
    );
    // Another clinic's rules are its own.
    expect((await api.get('/v1/loyalty_program', { token: net.otherClinic.key })).body.version).toBe(0);
    // Every version stays readable: what a visit's program_version refers to.
    const versions = await api.get('/v1/loyalty_program/versions', { token: net.clinic.key });
    expect(versions.status).toBe(200);
    expect(versions.body.data.map((v: any) => [v.version, v.accrual_rate_bps])).toEqual([
      [2, 1000],
      [1, 700],
      [0, 500],
    ]);
    const others = await api.get('/v1/loyalty_program/versions', { token: net.otherClinic.key });
    expect(others.body.data.map((v: any) => v.version)).toEqual([0]);
  });

  it('refuses rules that make no sense', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const base = { accrual_rate_bps: 500, expiry_days: 180, min_redemption_points: 0 };
    const put = (body: unknown) => api.put('/v1/loyalty_program', { token: net.clinic.key, body });
    expectProblem(await put({ ...base, accrual_rate_bps: 10_001 }), 400, 'validation_failed');
    expectProblem(await put({ ...base, expiry_days: 0 }), 400, 'validation_failed');
    expectProblem(await put({ ...base, min_redemption_points: -1 }), 400, 'validation_failed');
    expectProblem(await put({ ...base, max_bill_share_bps: 0 }), 400, 'validation_failed');
    expectProblem(await put({ ...base, rate: 5 }), 400, 'validation_failed');
    const dup = await put({
      ...base,
      discount_tiers: [
        { min_lifetime_spend: eur(100), discount_bps: 500 },
        { min_lifetime_spend: eur(100), discount_bps: 600 },
      ],
    });
    expectProblem(dup, 400, 'validation_failed');
    const falling = await put({
      ...base,
      discount_tiers: [
        { min_lifetime_spend: eur(100), discount_bps: 500 },
        { min_lifetime_spend: eur(200), discount_bps: 300 },
      ],
    });
    expectProblem(falling, 400, 'validation_failed');
    const currency = await put({
      ...base,
      discount_tiers: [{ min_lifetime_spend: { amount: 100, currency: 'USD' }, discount_bps: 500 }],
    });
    expectProblem(currency, 422, 'currency_mismatch');
    expect(currency.body.errors[0].path).toBe('discount_tiers.0.min_lifetime_spend.currency');
    expect((await api.get('/v1/loyalty_program', { token: net.clinic.key })).body.version).toBe(0);
  });

  describeSecurity('GET /v1/loyalty_program', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/loyalty_program',
  });
  describeSecurity('GET /v1/loyalty_program/versions', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/loyalty_program/versions',
  });
  describeSecurity('PUT /v1/loyalty_program', {
    method: 'PUT',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/loyalty_program',
    body: () => ({ accrual_rate_bps: 500, expiry_days: 180, min_redemption_points: 0 }),
  });
});

describe('POST /v1/visits', () => {
  it('earns points at the clinic rate in a lot that lasts to the end of its expiry day, clinic time', async () => {
    const api = createClient(fixedClock('2026-11-02T08:00:00Z'));
    const { net, patient } = await createPointsScene(api, { accrual_rate_bps: 700 });
    const res = await api.post('/v1/visits', {
      token: net.clinic.key,
      body: { patient_id: patient.id, amount: eur(128_999), occurred_at: '2026-11-01T23:30:00Z' },
    });
    expect(res.status, res.text).toBe(201);
    // 7% of 1,289.99 EUR is 9,029.93 cents: points round down.
    expect(res.body).toMatchObject({
      patient_id: patient.id,
      points_earned: 9029,
      program_version: 1,
      accrual_rate_bps: 700,
      balance: 9029,
      lifetime_spend: eur(128_999),
      discount_bps: 0,
      occurred_at: '2026-11-01T23:30:00.000Z',
    });
    expect(res.body.id).toMatch(/^vis_/);
    // 23:30 UTC is already 2 November in Berlin (CET); 180 days later is 1 May 2027, which ends at
    // midnight CEST (22:00 UTC).
    expect(res.body.lot).toEqual({
      points: 9029,
      earned_at: '2026-11-01T23:30:00.000Z',
      expires_on: '2027-05-01',
      expires_at: '2027-05-01T22:00:00.000Z',
    });
  });

  it('uses the timezone of the clinic', async () => {
    const api = createClient();
    const clinic = await createClinic(api, { timezone: 'America/New_York' });
    await setLoyaltyProgram(api, clinic.key, { expiry_days: 30 });
    const patient = await createPatient(api, clinic.key);
    const res = await api.post('/v1/visits', {
      token: clinic.key,
      body: { patient_id: patient.id, amount: eur(10_000), occurred_at: '2026-11-01T02:00:00Z' },
    });
    // 02:00 UTC is still 31 October in New York (EDT); the lot's last day is 30 November, which ends
    // at midnight EST (05:00 UTC): the DST change in between is accounted for.
    expect(res.body.lot).toMatchObject({ expires_on: '2026-11-30', expires_at: '2026-12-01T05:00:00.000Z' });
  });

  it('is idempotent on the clinic reference: the same visit again books nothing; a different one is a conflict', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    const body = { patient_id: patient.id, amount: eur(20_000), reference: 'INV-2026-0042' };
    const first = await api.post('/v1/visits', { token: net.clinic.key, body });
    expect(first.status).toBe(201);
    const again = await api.post('/v1/visits', { token: net.clinic.key, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(2000);
    const other = await api.post('/v1/visits', {
      token: net.clinic.key,
      body: { ...body, amount: eur(30_000) },
    });
    expectProblem(other, 409, 'reference_conflict');
    // The reference is the clinic's own: another clinic may use the same one.
    const otherPatient = await createPatient(api, net.otherClinic.key);
    await recordVisit(api, net.otherClinic.key, otherPatient.id, 1000, { reference: 'INV-2026-0042' });
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(2000);
  });

  it('is idempotent on Idempotency-Key', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    const req = {
      token: net.clinic.key,
      headers: { 'idempotency-key': 'visit-1' },
      body: { patient_id: patient.id, amount: eur(20_000) },
    };
    const a = await api.post('/v1/visits', req);
    const b = await api.post('/v1/visits', req);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.id).toBe(a.body.id);
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(2000);
  });

  it('applies rule changes to later visits only, and the statement says which rules each accrual used', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api, { accrual_rate_bps: 500 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: 1000 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const statement = await api.get(`/v1/patients/${patient.id}/points/entries`, { token: net.clinic.key });
    expect(statement.body.data.map((e: any) => [e.points, e.program_version])).toEqual([
      [500, 1],
      [1000, 2],
    ]);
  });

  it('raises lifetime spend and reaches the discount tiers', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api, {
      discount_tiers: [
        { min_lifetime_spend: eur(3_000_000), discount_bps: 500 },
        { min_lifetime_spend: eur(4_500_000), discount_bps: 1000 },
      ],
    });
    const a = await api.post('/v1/visits', {
      token: net.clinic.key,
      body: { patient_id: patient.id, amount: eur(2_999_999) },
    });
    expect(a.body.discount_bps).toBe(0);
    const b = await api.post('/v1/visits', {
      token: net.clinic.key,
      body: { patient_id: patient.id, amount: eur(1) },
    });
    expect(b.body).toMatchObject({ discount_bps: 500, lifetime_spend: eur(3_000_000) });
    const c = await api.post('/v1/visits', {
      token: net.clinic.key,
      body: { patient_id: patient.id, amount: eur(1_500_000) },
    });
    expect(c.body.discount_bps).toBe(1000);
    expect(await balanceOf(api, net.clinic.key, patient.id)).toMatchObject({
      lifetime_spend: eur(4_500_000),
      discount_bps: 1000,
    });
  });

  it('refuses what is not a paid visit of its own patient', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    const post = (body: unknown) => api.post('/v1/visits', { token: net.clinic.key, body });
    expectProblem(await post({ patient_id: patient.id, amount: eur(0) }), 400, 'validation_failed');
    expectProblem(
      await post({ patient_id: patient.id, amount: { amount: 100, currency: 'USD' } }),
      422,
      'currency_mismatch',
    );
    expectProblem(
      await post({ patient_id: patient.id, amount: eur(100), occurred_at: '2026-11-02T09:00:00Z' }),
      400,
      'validation_failed',
    );
    expectProblem(
      await post({ patient_id: patient.id, amount: eur(100), occurred_at: 'yesterday' }),
      400,
      'validation_failed',
    );
    expectProblem(await post({ patient_id: 'pat_nope', amount: eur(100) }), 404, 'patient_not_found');
    const foreign = await createPatient(api, net.otherClinic.key);
    expectProblem(await post({ patient_id: foreign.id, amount: eur(100) }), 404, 'patient_not_found');
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(0);
  });

  describeSecurity('POST /v1/visits', {
    method: 'POST',
    roles: ['clinic'],
    setup: async (api, net) => (await createPointsScene(api, {}, net)).patient,
    path: () => '/v1/visits',
    body: (p) => ({ patient_id: p.id, amount: eur(1000) }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('GET /v1/patients/{id}/points', () => {
  it('shows the lots first to expire first, and applies expiry as of now before any job has run', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, { expiry_days: 30 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    clock.advance(10 * DAY_MS);
    await recordVisit(api, net.clinic.key, patient.id, 20_000);
    const before = await balanceOf(api, net.clinic.key, patient.id);
    expect(before).toMatchObject({
      balance: 3000,
      value: eur(3000),
      card_number: patient.card_number,
      next_expiry: { points: 1000, expires_on: '2026-12-01' },
      pending_expiry: 0,
      earned: 3000,
    });
    expect(before.lots.map((l: any) => [l.points, l.expires_on])).toEqual([
      [1000, '2026-12-01'],
      [2000, '2026-12-11'],
    ]);
    // The first lot lapses at midnight Berlin time after 1 December: one millisecond before, it counts.
    clock.set(Date.parse('2026-12-01T22:59:59.999Z'));
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(3000);
    clock.set(Date.parse('2026-12-01T23:00:00.000Z'));
    const after = await balanceOf(api, net.clinic.key, patient.id);
    expect(after).toMatchObject({ balance: 2000, pending_expiry: 1000, expired: 0 });
    // And it cannot be spent, although no job has booked the expiry yet.
    expectProblem(
      await spend(api, net.partner.key, { card_number: patient.card_number, points: 2001 }),
      422,
      'insufficient_points',
    );
  });

  it('answers a card with no points yet', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    expect(await balanceOf(api, net.clinic.key, patient.id)).toMatchObject({
      balance: 0,
      lots: [],
      next_expiry: null,
      lifetime_spend: eur(0),
    });
    expectProblem(
      await api.get('/v1/patients/pat_missing/points', { token: net.clinic.key }),
      404,
      'patient_not_found',
    );
  });

  describeSecurity('GET /v1/patients/{id}/points', {
    method: 'GET',
    roles: ['clinic'],
    setup: async (api, net) => (await createPointsScene(api, {}, net)).patient,
    path: (p) => `/v1/patients/${p.id}/points`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('POST /v1/points/redemptions', () => {
  it('spends oldest points first at a partner, and records what the issuing clinic owes the partner', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, { expiry_days: 30 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    clock.advance(DAY_MS);
    await recordVisit(api, net.clinic.key, patient.id, 20_000);
    const res = await spend(api, net.partner.key, { card_number: patient.card_number, points: 1500 });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      points: 1500,
      value: eur(1500),
      balance_after: 1500,
      honoured_by: net.partner.id,
      issuer_id: net.clinic.id,
      payable: eur(1500),
      reference: null,
      redeemed_at: new Date(clock.now()).toISOString(),
      reversible_until: new Date(clock.now() + DAY_MS).toISOString(),
    });
    expect(res.body.id).toMatch(/^ptr_/);
    const bal = await balanceOf(api, net.clinic.key, patient.id);
    // The first lot (1,000) is used up; 500 came from the second.
    expect(bal.lots.map((l: any) => l.points)).toEqual([1500]);
    expect(bal).toMatchObject({ balance: 1500, spent: 1500 });
  });

  it('is honoured by any clinic of the network too; the issuing clinic itself owes nothing', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const own = await spend(api, net.clinic.key, { card_number: patient.card_number, points: 1000 });
    expect(own.body).toMatchObject({ honoured_by: net.clinic.id, payable: eur(0) });
    const other = await spend(api, net.otherClinic.key, { card_number: patient.card_number, points: 1000 });
    expect(other.body).toMatchObject({
      honoured_by: net.otherClinic.id,
      payable: eur(1000),
      balance_after: 3000,
    });
  });

  it('refuses more points than the card has, an unknown card, and less than the minimum', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api, { min_redemption_points: 500 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const over = await spend(api, net.partner.key, { card_number: patient.card_number, points: 1001 });
    expectProblem(over, 422, 'insufficient_points');
    expect(over.body.detail).toContain('1000');
    expectProblem(
      await spend(api, net.partner.key, { card_number: '8000000000000002', points: 1 }),
      404,
      'card_not_found',
    );
    expectProblem(
      await spend(api, net.partner.key, { card_number: patient.card_number, points: 499 }),
      422,
      'below_minimum_redemption',
    );
    expectProblem(
      await spend(api, net.partner.key, { card_number: patient.card_number, points: 0 }),
      400,
      'validation_failed',
    );
    expectProblem(
      await spend(api, net.partner.key, { card_number: '1234', points: 10 }),
      400,
      'validation_failed',
    );
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(1000);
    const entries = await api.get(`/v1/patients/${patient.id}/points/entries`, { token: net.clinic.key });
    expect(entries.body.data).toHaveLength(1);
  });

  it("keeps to the programme's maximum share of the bill when the bill is given", async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api, { max_bill_share_bps: 5000 });
    await recordVisit(api, net.clinic.key, patient.id, 100_000);
    expectProblem(
      await spend(api, net.partner.key, {
        card_number: patient.card_number,
        points: 5001,
        bill: eur(10_000),
      }),
      422,
      'exceeds_bill_share',
    );
    expectProblem(
      await spend(api, net.partner.key, {
        card_number: patient.card_number,
        points: 100,
        bill: { amount: 10_000, currency: 'USD' },
      }),
      422,
      'currency_mismatch',
    );
    const ok = await spend(api, net.partner.key, {
      card_number: patient.card_number,
      points: 5000,
      bill: eur(10_000),
    });
    expect(ok.status).toBe(201);
  });

  it('is idempotent on the honouring party’s reference', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const body = { card_number: patient.card_number, points: 700, reference: 'POS-991' };
    const a = await spend(api, net.partner.key, body);
    const b = await spend(api, net.partner.key, body);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(await spend(api, net.partner.key, { ...body, points: 701 }), 409, 'reference_conflict');
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(4300);
    // Another partner's reference space is its own.
    expect((await spend(api, net.otherPartner.key, body)).status).toBe(201);
  });

  it('never overdraws a card under 50 concurrent spends', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000); // 1,000 points
    await recordVisit(api, net.clinic.key, patient.id, 7_000); // 700 points
    const keys = [net.partner.key, net.otherPartner.key, net.clinic.key, net.otherClinic.key];
    const asked = Array.from({ length: 50 }, (_, i) => 100 + (i % 3) * 50);
    const results = await Promise.all(
      asked.map((points, i) =>
        spend(api, keys[i % keys.length]!, { card_number: patient.card_number, points }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = asked.filter((_, i) => results[i]!.status !== 201);
    for (const r of results.filter((r) => r.status !== 201)) expectProblem(r, 422, 'insufficient_points');
    const taken = ok.reduce((s, r) => s + r.body.points, 0);
    expect(taken).toBeLessThanOrEqual(1700);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    const bal = await balanceOf(api, net.clinic.key, patient.id);
    expect(bal.balance).toBe(1700 - taken);
    expect(bal.spent).toBe(taken);
    // Every refusal was right: what was left when it ran is less than it asked for, and nothing
    // smaller than what is left now was refused.
    expect(bal.balance).toBeLessThan(Math.min(...refused));
    const { results: sums } = await env.DB.prepare(
      'select txn_id, sum(points) as s from point_entries group by txn_id having s <> 0',
    ).all();
    expect(sums).toEqual([]);
  });

  it('replays an Idempotency-Key without spending twice', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const req = {
      token: net.partner.key,
      headers: { 'idempotency-key': 'spend-1' },
      body: { card_number: patient.card_number, points: 600 },
    };
    const a = await api.post('/v1/points/redemptions', req);
    const b = await api.post('/v1/points/redemptions', req);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body).toEqual(a.body);
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(400);
  });

  describeSecurity('POST /v1/points/redemptions', {
    method: 'POST',
    roles: ['clinic', 'partner'],
    setup: async (api, net) => {
      const { patient } = await createPointsScene(api, {}, net);
      await recordVisit(api, net.clinic.key, patient.id, 10_000);
      return patient;
    },
    path: () => '/v1/points/redemptions',
    body: (p) => ({ card_number: p.card_number, points: 10 }),
  });
});

describe('POST /v1/points/redemptions/{id}/reversal', () => {
  it('gives the points back to the same lots, with their original expiry, once', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, { expiry_days: 30 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    clock.advance(DAY_MS);
    await recordVisit(api, net.clinic.key, patient.id, 20_000);
    const before = await balanceOf(api, net.clinic.key, patient.id);
    const spent = await spend(api, net.partner.key, { card_number: patient.card_number, points: 2500 });
    clock.advance(23 * HOUR_MS);
    const res = await api.post(`/v1/points/redemptions/${spent.body.id}/reversal`, {
      token: net.partner.key,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: spent.body.id, points: 2500, balance_after: 3000 });
    const after = await balanceOf(api, net.clinic.key, patient.id);
    expect(after.lots).toEqual(before.lots);
    expect(after).toMatchObject({ balance: 3000, spent: 0 });
    expectProblem(
      await api.post(`/v1/points/redemptions/${spent.body.id}/reversal`, { token: net.partner.key }),
      409,
      'redemption_already_reversed',
    );
    const statement = await api.get(`/v1/patients/${patient.id}/points/entries`, { token: net.clinic.key });
    expect(statement.body.data.map((e: any) => [e.type, e.points, e.balance_after])).toEqual([
      ['accrual', 1000, 1000],
      ['accrual', 2000, 3000],
      ['redemption', -2500, 500],
      ['reversal', 2500, 3000],
    ]);
  });

  it('is only for whoever honoured the points, and only for 24 hours', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const spent = await spend(api, net.partner.key, { card_number: patient.card_number, points: 100 });
    const path = `/v1/points/redemptions/${spent.body.id}/reversal`;
    expectProblem(await api.post(path, { token: net.otherPartner.key }), 404, 'redemption_not_found');
    expectProblem(await api.post(path, { token: net.clinic.key }), 404, 'redemption_not_found');
    expectProblem(await api.post(path, { token: OPERATOR_TOKEN }), 403, 'forbidden');
    expectProblem(
      await api.post('/v1/points/redemptions/ptr_01M6B5CJM0VC96Q022SRABDCQX/reversal', {
        token: net.partner.key,
      }),
      404,
      'redemption_not_found',
    );
    clock.advance(DAY_MS);
    expectProblem(await api.post(path, { token: net.partner.key }), 409, 'reversal_window_closed');
    expect((await balanceOf(api, net.clinic.key, patient.id)).balance).toBe(900);
  });

  describeSecurity('POST /v1/points/redemptions/{id}/reversal', {
    method: 'POST',
    roles: ['clinic', 'partner'],
    setup: async (api, net) => {
      const { patient } = await createPointsScene(api, {}, net);
      await recordVisit(api, net.clinic.key, patient.id, 10_000);
      const res = await spend(api, net.partner.key, { card_number: patient.card_number, points: 10 });
      return res.body.id as string;
    },
    path: (id) => `/v1/points/redemptions/${id}/reversal`,
    otherTenant: (net) => net.otherPartner.key,
    otherTenantCode: 'redemption_not_found',
  });
});

describe('expiry booked by the scheduled Worker', () => {
  it('books lapsed lots once, the statement shows it, and the balance agrees', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, { expiry_days: 10 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    clock.advance(5 * DAY_MS);
    await recordVisit(api, net.clinic.key, patient.id, 5_000);
    await spend(api, net.partner.key, { card_number: patient.card_number, points: 300 });
    clock.advance(7 * DAY_MS); // the first lot (700 left) has lapsed, the second (500) has not
    const jobs = await runScheduledJobs(env, clock.now(), '5 * * * *');
    expect(jobs.book_point_expiry).toMatchObject({ lots: expect.any(Number) });
    expect((jobs.book_point_expiry as { lots: number }).lots).toBeGreaterThanOrEqual(1);
    await runScheduledJobs(env, clock.now(), '5 * * * *');
    const statement = await api.get(`/v1/patients/${patient.id}/points/entries`, { token: net.clinic.key });
    const rows = statement.body.data.map((e: any) => [e.type, e.points, e.balance_after]);
    expect(rows).toEqual([
      ['accrual', 1000, 1000],
      ['accrual', 500, 1500],
      ['redemption', -300, 1200],
      ['expiry', -700, 500],
    ]);
    expect(statement.body).toMatchObject({ balance: 500, pending_expiry: 0 });
    expect(await balanceOf(api, net.clinic.key, patient.id)).toMatchObject({
      balance: 500,
      expired: 700,
      pending_expiry: 0,
    });
  });

  it('books points a reversal gave back to a lot that lapsed in the meantime', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, { expiry_days: 1 });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    clock.set(Date.parse('2026-11-02T22:00:00Z')); // an hour before the lot lapses (Berlin midnight)
    const spent = await spend(api, net.partner.key, { card_number: patient.card_number, points: 400 });
    clock.set(Date.parse('2026-11-03T01:00:00Z'));
    await runScheduledJobs(env, clock.now(), 'test');
    const reversed = await api.post(`/v1/points/redemptions/${spent.body.id}/reversal`, {
      token: net.partner.key,
    });
    expect(reversed.status).toBe(200);
    expect(reversed.body.balance_after).toBe(0);
    expect((await balanceOf(api, net.clinic.key, patient.id)).pending_expiry).toBe(400);
    await runScheduledJobs(env, clock.now(), 'test');
    const statement = await api.get(`/v1/patients/${patient.id}/points/entries`, { token: net.clinic.key });
    expect(statement.body.data.map((e: any) => [e.type, e.points, e.balance_after])).toEqual([
      ['accrual', 1000, 1000],
      ['redemption', -400, 600],
      ['expiry', -600, 0],
      ['reversal', 400, 400],
      ['expiry', -400, 0],
    ]);
  });
});

describe('GET /v1/patients/{id}/points/entries', () => {
  it('pages the statement oldest first, with a running balance and amounts in money', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    for (let i = 1; i <= 5; i++) await recordVisit(api, net.clinic.key, patient.id, i * 1000);
    await spend(api, net.partner.key, { card_number: patient.card_number, points: 250 });
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const page = await api.get(`/v1/patients/${patient.id}/points/entries?limit=4${q}`, {
        token: net.clinic.key,
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.map((e) => e.points)).toEqual([100, 200, 300, 400, 500, -250]);
    expect(seen.map((e) => e.balance_after)).toEqual([100, 300, 600, 1000, 1500, 1250]);
    expect(seen[5]).toMatchObject({
      type: 'redemption',
      value: eur(-250),
      counterparty: { id: net.partner.id, name: 'Massage Studio' },
    });
    expectProblem(
      await api.get(`/v1/patients/${patient.id}/points/entries?cursor=garbage`, { token: net.clinic.key }),
      400,
      'invalid_cursor',
    );
  });

  describeSecurity('GET /v1/patients/{id}/points/entries', {
    method: 'GET',
    roles: ['clinic'],
    setup: async (api, net) => (await createPointsScene(api, {}, net)).patient,
    path: (p) => `/v1/patients/${p.id}/points/entries`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('GET /v1/points/expiring', () => {
  it('lists the patients to call, soonest expiry first, with contact and consent', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { net, patient } = await createPointsScene(api, { expiry_days: 40 });
    const later = await createPatient(api, net.clinic.key, { first_name: 'Lena', phone: '+4915199999999' });
    const spent = await createPatient(api, net.clinic.key, { first_name: 'Zoe' });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    await recordVisit(api, net.clinic.key, spent.id, 10_000);
    await spend(api, net.clinic.key, { card_number: spent.card_number, points: 1000 });
    clock.advance(5 * DAY_MS);
    await recordVisit(api, net.clinic.key, later.id, 20_000);
    // Another clinic's patient never shows up.
    const foreign = await createPatient(api, net.otherClinic.key);
    await recordVisit(api, net.otherClinic.key, foreign.id, 10_000);

    clock.advance(10 * DAY_MS); // now day 15: lots end on day 40 and day 45
    const none = await api.get('/v1/points/expiring?within_days=20', { token: net.clinic.key });
    expect(none.body.data).toEqual([]);
    const list = await api.get('/v1/points/expiring?within_days=31', { token: net.clinic.key });
    expect(list.status).toBe(200);
    expect(
      list.body.data.map((r: any) => [r.patient_id, r.points_expiring, r.first_expiry.expires_on]),
    ).toEqual([
      [patient.id, 1000, '2026-12-11'],
      [later.id, 2000, '2026-12-16'],
    ]);
    expect(list.body.data[0]).toMatchObject({
      first_name: 'Mira',
      email: 'mira@example.com',
      phone: '+4915112345678',
      consent: { email: true, sms: false },
      card_number: patient.card_number,
      balance: 1000,
    });
    const first = await api.get('/v1/points/expiring?within_days=31&limit=1', { token: net.clinic.key });
    expect(first.body.data.map((r: any) => r.patient_id)).toEqual([patient.id]);
    const second = await api.get(
      `/v1/points/expiring?within_days=31&limit=1&cursor=${first.body.next_cursor}`,
      {
        token: net.clinic.key,
      },
    );
    expect(second.body.data.map((r: any) => r.patient_id)).toEqual([later.id]);
    expect(second.body.next_cursor).toBeNull();
    // The default window is 30 days.
    const def = await api.get('/v1/points/expiring', { token: net.clinic.key });
    expect(def.body.data.map((r: any) => r.patient_id)).toEqual(
      [patient.id, later.id].slice(0, def.body.data.length),
    );
    // Lapsed points are no longer on the list.
    clock.advance(26 * DAY_MS);
    const afterwards = await api.get('/v1/points/expiring?within_days=31', { token: net.clinic.key });
    expect(afterwards.body.data.map((r: any) => r.patient_id)).toEqual([later.id]);
    expectProblem(
      await api.get('/v1/points/expiring?within_days=0', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/points/expiring?cursor=xyz', { token: net.clinic.key }),
      400,
      'invalid_cursor',
    );
  });

  describeSecurity('GET /v1/points/expiring', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/points/expiring',
  });
});

describe('the ledger', () => {
  it('is append-only: the database refuses to update or delete an entry', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    await expect(env.DB.prepare('update point_entries set points = points + 1').run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare('delete from point_entries').run()).rejects.toThrow(/append-only/);
    const { results } = await env.DB.prepare(
      'select account, owner_id, points from point_entries where patient_id = ? order by seq',
    )
      .bind(patient.id)
      .all();
    expect(results).toEqual([
      { account: 'patient', owner_id: patient.id, points: 1000 },
      { account: 'liability', owner_id: net.clinic.id, points: -1000 },
    ]);
  });
});
