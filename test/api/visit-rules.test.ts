import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, HOUR_MS } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPartner,
  createPatient,
  createStaffMember,
  type Network,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// Every-Nth-visit rules: the rules' routes, the visit's hook (each threshold rewards once, in the
// visit's own batch, also under 50 concurrent visits), the punch cards, and the reversal of a visit.

const all = async <T>(query: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...params)
      .all<T>()
  ).results;

async function scene(clock = fixedClock(T0)) {
  const api = createClient(clock);
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: 1000 });
  const patient = await createPatient(api, net.clinic.key);
  return { api, net, patient };
}

const createRule = (api: Client, key: string, body: Record<string, unknown>) =>
  api.post('/v1/visit-rules', {
    token: key,
    body: { name: 'Every 3rd visit', every_visits: 3, reward: { kind: 'points', points: 500 }, ...body },
  });

const rewardsOf = (patientId: string) =>
  all<{ reason_key: string; kind: string; status: string; points: number | null; voucher_id: string | null }>(
    "select * from loyalty_rewards where patient_id = ? and source = 'nth_visit' order by reason_key",
    patientId,
  );

describe('visit rules', () => {
  it('creates, lists and updates a rule; the list shows what the reward gives', async () => {
    const { api, net } = await scene();
    const created = await createRule(api, net.clinic.key, { window_days: 365 });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Every 3rd visit',
      every_visits: 3,
      window_days: 365,
      active: true,
      starts_at: new Date(T0).toISOString(),
      reward: { kind: 'points', points: 500, text: '500 bonus points', currency: 'EUR' },
    });
    const list = await api.get('/v1/visit-rules', { token: net.clinic.key });
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    const other = await api.get('/v1/visit-rules', { token: net.otherClinic.key });
    expect(other.body.data).toEqual([]);
    const off = await api.patch(`/v1/visit-rules/${created.body.id}`, {
      token: net.clinic.key,
      body: { active: false, name: 'Old offer', window_days: null },
    });
    expect(off.status, off.text).toBe(200);
    expect(off.body).toMatchObject({ active: false, name: 'Old offer', window_days: null });
  });

  it('refuses bad rules with the field that is wrong', async () => {
    const { api, net } = await scene();
    for (const [body, path] of [
      [{ every_visits: 1 }, 'every_visits'],
      [{ every_visits: 101 }, 'every_visits'],
      [{ window_days: 0 }, 'window_days'],
      [{ reward: { kind: 'points' } }, 'reward.points'],
      [{ reward: { kind: 'discount_bps' } }, 'reward.discount_bps'],
      [{ reward: { kind: 'voucher' } }, 'reward.offer_id'],
    ] as const) {
      const res = await createRule(api, net.clinic.key, body);
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.body.errors)).toContain(path);
    }
    expectProblem(
      await createRule(api, net.clinic.key, {
        reward: { kind: 'voucher', offer_id: 'off_01JD0000000000000000000000' },
      }),
      404,
      'offer_not_found',
    );
    const usPartner = await createPartner(api, { currency: 'USD' });
    const usd = await createOffer(api, usPartner.key, {
      price: { amount: 1000, currency: 'USD' },
      retail_value: { amount: 1500, currency: 'USD' },
    });
    expectProblem(
      await createRule(api, net.clinic.key, { reward: { kind: 'voucher', offer_id: usd.id } }),
      422,
      'currency_mismatch',
    );
    const offer = await createOffer(api, net.partner.key);
    await api.patch(`/v1/offers/${offer.id}`, { token: net.partner.key, body: { active: false } });
    expectProblem(
      await createRule(api, net.clinic.key, { reward: { kind: 'voucher', offer_id: offer.id } }),
      422,
      'offer_inactive',
    );
    expectProblem(
      await api.patch('/v1/visit-rules/vrl_01JD0000000000000000000000', {
        token: net.clinic.key,
        body: { active: false },
      }),
      404,
      'visit_rule_not_found',
    );
  });

  it('keeps at most 5 active rules: a sixth, or re-activating one, is a 409', async () => {
    const { api, net } = await scene();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await createRule(api, net.clinic.key, { name: `Rule ${i}` });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    expectProblem(await createRule(api, net.clinic.key, {}), 409, 'visit_rule_limit');
    await api.patch(`/v1/visit-rules/${ids[0]}`, { token: net.clinic.key, body: { active: false } });
    const sixth = await createRule(api, net.clinic.key, { name: 'Rule 5' });
    expect(sixth.status).toBe(201);
    expectProblem(
      await api.patch(`/v1/visit-rules/${ids[0]}`, { token: net.clinic.key, body: { active: true } }),
      409,
      'visit_rule_limit',
    );
    // An active rule stays active when re-sent as active.
    const same = await api.patch(`/v1/visit-rules/${ids[1]}`, {
      token: net.clinic.key,
      body: { active: true },
    });
    expect(same.status).toBe(200);
  });

  it('front desk reads rules but may not write them (403)', async () => {
    const { api, net } = await scene();
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Fiona Desk', role: 'front_desk' });
    expectProblem(await createRule(api, desk.key, {}), 403, 'forbidden');
    const rule = await createRule(api, net.clinic.key, {});
    expectProblem(
      await api.patch(`/v1/visit-rules/${rule.body.id}`, { token: desk.key, body: { active: false } }),
      403,
      'forbidden',
    );
    expect((await api.get('/v1/visit-rules', { token: desk.key })).status).toBe(200);
  });
});

describe('the visit hook', () => {
  it('rewards every 3rd visit at 3, 6 and 9, and the punch card shows the way there', async () => {
    const { api, net, patient } = await scene();
    const rule = await createRule(api, net.clinic.key, {});
    const cards = async () =>
      (await api.get(`/v1/patients/${patient.id}/punch-cards`, { token: net.clinic.key })).body;
    for (let i = 1; i <= 10; i++) {
      await recordVisit(api, net.clinic.key, patient.id, 1_000);
      expect((await rewardsOf(patient.id)).length).toBe(Math.floor(i / 3));
    }
    expect((await rewardsOf(patient.id)).map((r) => r.reason_key)).toEqual(
      [1, 2, 3].map((k) => `nth:${rule.body.id}:${patient.id}:${k}`),
    );
    expect((await cards()).data).toEqual([
      expect.objectContaining({ rule_id: rule.body.id, punches: 1, visits_to_go: 2, rewards_earned: 3 }),
    ]);
    // 10 visits × 100 points + 3 × 500 bonus points; the lots add up to the balance.
    const balance = await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key });
    expect(balance.body.balance).toBe(2_500);
    const [lots] = await all<{ s: number }>(
      'select sum(remaining) s from point_lots where patient_id = ?',
      patient.id,
    );
    expect(lots?.s).toBe(2_500);
    const punches = await all<{ used: number; open: number }>(
      'select count(reward_id) used, sum(reward_id is null) open from visit_punches where patient_id = ?',
      patient.id,
    );
    expect(punches[0]).toEqual({ used: 9, open: 1 });
  });

  it('counts only visits within the window, and only from the rule’s start', async () => {
    const clock = fixedClock(T0);
    const { api, net, patient } = await scene(clock);
    await recordVisit(api, net.clinic.key, patient.id, 1_000); // before the rule: no punch
    await createRule(api, net.clinic.key, { window_days: 30 });
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    clock.advance(20 * DAY_MS);
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    clock.advance(20 * DAY_MS); // the first punch is now 40 days old
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    expect(await rewardsOf(patient.id)).toEqual([]);
    clock.advance(DAY_MS);
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    expect(await rewardsOf(patient.id)).toHaveLength(1);
    // The old punch stays open and no longer counts.
    const open = await all(
      'select * from visit_punches where patient_id = ? and reward_id is null',
      patient.id,
    );
    expect(open).toHaveLength(1);
  });

  it('a discount rule’s reward waits as available; a voucher rule issues a voucher', async () => {
    const { api, net, patient } = await scene();
    const offer = await createOffer(api, net.partner.key);
    await createRule(api, net.clinic.key, {
      every_visits: 2,
      reward: { kind: 'discount_bps', discount_bps: 2000 },
    });
    await createRule(api, net.clinic.key, {
      every_visits: 2,
      reward: { kind: 'voucher', offer_id: offer.id },
    });
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    const rewards = await rewardsOf(patient.id);
    expect(rewards.map((r) => [r.kind, r.status]).sort()).toEqual([
      ['discount_bps', 'available'],
      ['voucher', 'granted'],
    ]);
    const voucherId = rewards.find((r) => r.kind === 'voucher')?.voucher_id;
    expect(voucherId).toMatch(/^vch_/);
    const v = await api.get(`/v1/vouchers/${voucherId}`, { token: net.clinic.key });
    expect(v.body).toMatchObject({ patient_id: patient.id, status: 'issued' });
    const [row] = await all<{ offer_id: string }>('select offer_id from vouchers where id = ?', voucherId);
    expect(row?.offer_id).toBe(offer.id);
  });

  it('a replayed visit reference punches nothing', async () => {
    const { api, net, patient } = await scene();
    await createRule(api, net.clinic.key, { every_visits: 2 });
    for (let i = 0; i < 3; i++)
      await recordVisit(api, net.clinic.key, patient.id, 1_000, { reference: 'INV-1' });
    expect(await all('select * from visit_punches where patient_id = ?', patient.id)).toHaveLength(1);
    expect(await rewardsOf(patient.id)).toEqual([]);
  });

  it('EXACTLY ONCE: 50 concurrent paid visits with a rule every 5 give exactly 10 rewards, one per threshold', async () => {
    const { api, net, patient } = await scene();
    const rule = await createRule(api, net.clinic.key, {
      every_visits: 5,
      reward: { kind: 'points', points: 300 },
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post('/v1/visits', {
          token: net.clinic.key,
          body: { patient_id: patient.id, amount: { amount: 1_000, currency: 'EUR' } },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const rewards = await rewardsOf(patient.id);
    expect(rewards.map((r) => r.reason_key).sort()).toEqual(
      Array.from({ length: 10 }, (_, k) => `nth:${rule.body.id}:${patient.id}:${k + 1}`).sort(),
    );
    const punches = await all<{ reward_id: string | null }>(
      'select reward_id from visit_punches where patient_id = ?',
      patient.id,
    );
    expect(punches).toHaveLength(50);
    expect(punches.every((p) => p.reward_id !== null)).toBe(true);
    const perReward = await all<{ n: number }>(
      'select count(*) n from visit_punches where patient_id = ? group by reward_id',
      patient.id,
    );
    expect(perReward.map((r) => r.n)).toEqual(Array(10).fill(5));
    const [account] = await all<{ balance: number }>(
      'select balance from point_accounts where patient_id = ?',
      patient.id,
    );
    expect(account?.balance).toBe(50 * 100 + 10 * 300);
  });
});

describe('visit reversal', () => {
  it('takes back the unspent points, voids the open punches and comes off the figures', async () => {
    const clock = fixedClock(T0);
    const { api, net, patient } = await scene(clock);
    const rule = await createRule(api, net.clinic.key, { every_visits: 3 });
    const first = await recordVisit(api, net.clinic.key, patient.id, 10_000); // 1,000 points
    clock.advance(60_000); // the first lot is the older one: spent first
    const second = await recordVisit(api, net.clinic.key, patient.id, 5_000); // 500 points
    const spend = await api.post('/v1/points/redemptions', {
      token: net.clinic.key,
      body: { card_number: patient.card_number, points: 1_200 },
    });
    expect(spend.status, spend.text).toBe(201); // takes the first lot, and 200 of the second
    const month = async () =>
      (
        await all<{ visits: number; visit_revenue: number; points_issued: number }>(
          'select visits, visit_revenue, points_issued from clinic_month_figures where clinic_id = ?',
          net.clinic.id,
        )
      )[0];
    expect(await month()).toMatchObject({ visits: 2, visit_revenue: 15_000, points_issued: 1_500 });

    clock.advance(2 * HOUR_MS);
    const res = await api.post(`/v1/visits/${second.id}/reverse`, {
      token: net.clinic.key,
      body: { reason: 'Wrong patient' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      visit_id: second.id,
      points_taken_back: 300,
      amount: 5_000,
      balance_after: 0,
    });
    expect(await month()).toMatchObject({ visits: 1, visit_revenue: 10_000, points_issued: 1_200 });
    const [insight] = await all<{ visit_count: number; lifetime_spend: number; last_visit_at: number }>(
      'select visit_count, lifetime_spend, last_visit_at from patient_insight where patient_id = ?',
      patient.id,
    );
    expect(insight).toMatchObject({ visit_count: 1, lifetime_spend: 10_000 });
    const [account] = await all<{ balance: number; earned: number; lifetime_spend: number }>(
      'select balance, earned, lifetime_spend from point_accounts where patient_id = ?',
      patient.id,
    );
    expect(account).toMatchObject({ balance: 0, earned: 1_200, lifetime_spend: 10_000 });
    const entries = await all<{ account: string; points: number }>(
      "select account, points from point_entries where txn_id = ? and txn_type = 'correction' order by account",
      res.body.id,
    );
    expect(entries).toEqual([
      { account: 'liability', points: 300 },
      { account: 'patient', points: -300 },
    ]);
    const punches = await all<{ visit_id: string; voided_at: number | null }>(
      'select visit_id, voided_at from visit_punches where rule_id = ? order by occurred_at',
      rule.body.id,
    );
    expect(punches).toEqual([
      { visit_id: first.id, voided_at: null },
      { visit_id: second.id, voided_at: clock.now() },
    ]);
    const cards = await api.get(`/v1/patients/${patient.id}/punch-cards`, { token: net.clinic.key });
    expect(cards.body.data[0]).toMatchObject({ punches: 1, visits_to_go: 2 });

    // Once only; not another clinic's; not after 24 hours.
    expectProblem(
      await api.post(`/v1/visits/${second.id}/reverse`, { token: net.clinic.key, body: { reason: 'again' } }),
      409,
      'visit_already_reversed',
    );
    expectProblem(
      await api.post(`/v1/visits/${first.id}/reverse`, { token: net.otherClinic.key, body: { reason: 'x' } }),
      404,
      'visit_not_found',
    );
    clock.advance(23 * HOUR_MS);
    expectProblem(
      await api.post(`/v1/visits/${first.id}/reverse`, { token: net.clinic.key, body: { reason: 'late' } }),
      409,
      'visit_reversal_window_closed',
    );
    expectProblem(
      await api.post('/v1/visits/vis_01JD0000000000000000000000/reverse', {
        token: net.clinic.key,
        body: { reason: 'x' },
      }),
      404,
      'visit_not_found',
    );
  });

  it('a punch a reward used stays used: the reward stands', async () => {
    const { api, net, patient } = await scene();
    await createRule(api, net.clinic.key, { every_visits: 2 });
    await recordVisit(api, net.clinic.key, patient.id, 1_000);
    const second = await recordVisit(api, net.clinic.key, patient.id, 1_000);
    expect(await rewardsOf(patient.id)).toHaveLength(1);
    const res = await api.post(`/v1/visits/${second.id}/reverse`, {
      token: net.clinic.key,
      body: { reason: 'x' },
    });
    expect(res.status).toBe(200);
    expect(await rewardsOf(patient.id)).toHaveLength(1);
    const punches = await all<{ reward_id: string | null; voided_at: number | null }>(
      'select reward_id, voided_at from visit_punches where patient_id = ?',
      patient.id,
    );
    expect(punches.every((p) => p.reward_id !== null && p.voided_at === null)).toBe(true);
  });
});

const withRule = async (api: Client, net: Network) => {
  const rule = await createRule(api, net.clinic.key, {});
  return { ruleId: rule.body.id as string };
};

describeSecurity('GET /v1/visit-rules', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/visit-rules',
});
describeSecurity('POST /v1/visit-rules', {
  method: 'POST',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/visit-rules',
  body: () => ({ name: 'x', every_visits: 3, reward: { kind: 'points', points: 10 } }),
});
describeSecurity('PATCH /v1/visit-rules/{id}', {
  method: 'PATCH',
  roles: ['clinic'],
  setup: withRule,
  path: (c) => `/v1/visit-rules/${c.ruleId}`,
  body: () => ({ active: false }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'visit_rule_not_found',
});
describeSecurity('GET /v1/patients/{id}/punch-cards', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => ({ patient: await createPatient(api, net.clinic.key) }),
  path: (c) => `/v1/patients/${c.patient.id}/punch-cards`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
describeSecurity('POST /v1/visits/{id}/reverse', {
  method: 'POST',
  roles: ['clinic'],
  setup: async (api, net) => {
    const patient = await createPatient(api, net.clinic.key);
    return { visit: await recordVisit(api, net.clinic.key, patient.id, 1_000) };
  },
  path: (c) => `/v1/visits/${c.visit.id}/reverse`,
  body: () => ({ reason: 'test' }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'visit_not_found',
});
