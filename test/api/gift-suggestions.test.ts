import { env } from 'cloudflare:workers';
import { formatDistance, goalOffer, haversineKm, nextTierGoal, pointsGoal } from '@gratia/insight';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPartner,
  createPatient,
  issueVoucher,
  type Network,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// Gift suggestions: a seeded patient with known preferences (likes massage, class B with a €100
// budget, prefers the Downtown branch) and a catalogue around them. The matching partner offer nearby
// comes first with its reason; the same category further away next; offers they were given are left
// out; offers over the budget come last, saying so. And the reward goal's arithmetic.

const DOWNTOWN = { latitude: 52.52, longitude: 13.405 };
/** 0.018 degrees of latitude north of Downtown: 2.0 km. */
const NEAR = { latitude: 52.538, longitude: 13.405 };
/** About 27 km south-west. */
const FAR = { latitude: 52.4, longitude: 13.05 };

const locate = async (api: Client, key: string, place: { latitude: number; longitude: number }) => {
  const res = await api.put('/v1/location', { token: key, body: place });
  expect(res.status, res.text).toBe(200);
};

async function insightRow(
  patientId: string,
  clinicId: string,
  row: { categories?: string[]; tags?: string[]; branchId?: string | null; abc?: string | null },
) {
  await env.DB.prepare(
    `insert into patient_insight (patient_id, clinic_id, categories, preference_tags, preferred_branch_id,
       abc_class, refreshed_at) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (patient_id) do update set categories = excluded.categories,
       preference_tags = excluded.preference_tags, preferred_branch_id = excluded.preferred_branch_id,
       abc_class = excluded.abc_class`,
  )
    .bind(
      patientId,
      clinicId,
      JSON.stringify(row.categories ?? []),
      JSON.stringify(row.tags ?? []),
      row.branchId ?? null,
      row.abc ?? null,
      T0,
    )
    .run();
}

async function budgets(clinicId: string, b: { a?: number; b?: number; c?: number }) {
  await env.DB.prepare(
    `insert into insight_settings (clinic_id, budget_a, budget_b, budget_c, updated_at) values (?, ?, ?, ?, ?)
     on conflict (clinic_id) do update set budget_a = excluded.budget_a, budget_b = excluded.budget_b,
       budget_c = excluded.budget_c`,
  )
    .bind(clinicId, b.a ?? null, b.b ?? null, b.c ?? null, T0)
    .run();
}

/** The seeded network: Downtown branch, a massage partner 2 km away and one 27 km away, a photographer. */
async function scene(api: Client, net?: Network) {
  const n = net ?? (await createNetwork(api));
  const branch = await api.post('/v1/branches', {
    token: n.clinic.key,
    body: { name: 'Downtown', address: 'Friedrichstraße 1', ...DOWNTOWN },
  });
  expect(branch.status, branch.text).toBe(201);
  const farMassage = await createPartner(api, { name: 'Far Massage', category: 'massage' });
  await locate(api, n.partner.key, NEAR);
  await locate(api, farMassage.key, FAR);
  const near = await createOffer(api, n.partner.key, {
    title: '60-minute massage',
    price: { amount: 6500, currency: 'EUR' },
  });
  const far = await createOffer(api, farMassage.key, {
    title: 'Hot stone massage',
    price: { amount: 6000, currency: 'EUR' },
  });
  const portrait = await createOffer(api, n.otherPartner.key, {
    title: 'Portrait session',
    category: 'photography',
    price: { amount: 8000, currency: 'EUR' },
  });
  const pricey = await createOffer(api, n.partner.key, {
    title: 'Aromatherapy massage for two',
    price: { amount: 15000, currency: 'EUR' },
  });
  const given = await createOffer(api, n.partner.key, {
    title: 'Foot massage',
    price: { amount: 3000, currency: 'EUR' },
  });
  const inactive = await createOffer(api, n.partner.key, { title: 'Old massage', active: false });
  const patient = await createPatient(api, n.clinic.key, { first_name: 'Lena' });
  await issueVoucher(api, n.clinic.key, { patient_id: patient.id, offer_id: given.id });
  await insightRow(patient.id, n.clinic.id, { categories: ['massage'], branchId: branch.body.id, abc: 'B' });
  await budgets(n.clinic.id, { a: 50_000, b: 10_000, c: 3_000 });
  return { net: n, branch: branch.body, patient, offers: { near, far, portrait, pricey, given, inactive } };
}

const suggestions = (api: Client, key: string, patientId: string, query = '') =>
  api.get(`/v1/patients/${patientId}/gift_suggestions${query}`, { token: key });

describe('haversine distances', () => {
  it('measures known distances within a few metres', () => {
    expect(haversineKm(DOWNTOWN, DOWNTOWN)).toBe(0);
    expect(haversineKm(DOWNTOWN, NEAR)).toBeCloseTo(2.0015, 2);
    // Berlin to Paris, about 878 km; a quarter of the equator, 10,007.5 km.
    expect(
      haversineKm({ latitude: 52.52, longitude: 13.405 }, { latitude: 48.8566, longitude: 2.3522 }),
    ).toBeCloseTo(877.5, 0);
    expect(haversineKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 90 })).toBeCloseTo(
      10_007.5,
      0,
    );
    // Symmetric, and across the antimeridian the short way round.
    expect(haversineKm(NEAR, FAR)).toBeCloseTo(haversineKm(FAR, NEAR), 9);
    expect(haversineKm({ latitude: 0, longitude: 179.5 }, { latitude: 0, longitude: -179.5 })).toBeCloseTo(
      111.2,
      0,
    );
  });

  it('says distances as people do', () => {
    expect(formatDistance(0.04)).toBe('100 m');
    expect(formatDistance(0.34)).toBe('300 m');
    expect(formatDistance(2.0015)).toBe('2 km');
    expect(formatDistance(2.46)).toBe('2.5 km');
    expect(formatDistance(27.4)).toBe('27 km');
  });
});

describe('GET /v1/patients/{id}/gift_suggestions', () => {
  it('puts the matching partner nearby first with its reason, leaves out what was given, and the over-budget last', async () => {
    const api = createClient();
    const s = await scene(api);
    const res = await suggestions(api, s.net.clinic.key, s.patient.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      patient_id: s.patient.id,
      abc_class: 'B',
      budget: { amount: 10_000, currency: 'EUR' },
      branch: { id: s.branch.id, name: 'Downtown' },
    });
    const ids = res.body.data.map((d: { offer_id: string }) => d.offer_id);
    // Offers of other tests share the catalogue: only this scene's are compared, in their order.
    const mine = ids.filter((id: string) => Object.values(s.offers).some((o) => o.id === id));
    expect(mine).toEqual([s.offers.near.id, s.offers.far.id, s.offers.portrait.id, s.offers.pricey.id]);
    const [first] = res.body.data;
    expect(first).toMatchObject({
      offer_id: s.offers.near.id,
      partner_name: 'Massage Studio',
      reasons: ['likes massage', '2 km from the Downtown branch'],
      distance_km: 2,
      over_budget: false,
    });
    const pricey = res.body.data.find((d: { offer_id: string }) => d.offer_id === s.offers.pricey.id);
    expect(pricey.over_budget).toBe(true);
    expect(pricey.reasons).toContain('over the B budget (€100.00)');
    expect(ids).not.toContain(s.offers.given.id);
    expect(ids).not.toContain(s.offers.inactive.id);
  });

  it('among equals, the nearer partner first; a tag in the title counts; limit caps the list', async () => {
    const api = createClient();
    const s = await scene(api);
    // No category known now, only a tag: "massage" in both titles, so distance decides.
    await insightRow(s.patient.id, s.net.clinic.id, { tags: ['massage', 'portrait'], branchId: s.branch.id });
    const res = await suggestions(api, s.net.clinic.key, s.patient.id, '?limit=50');
    expect(res.status, res.text).toBe(200);
    const byId = new Map(res.body.data.map((d: { offer_id: string }) => [d.offer_id, d]));
    const near = byId.get(s.offers.near.id) as { score: number; reasons: string[] };
    const far = byId.get(s.offers.far.id) as { score: number; reasons: string[] };
    const portrait = byId.get(s.offers.portrait.id) as { reasons: string[] };
    expect(near.reasons[0]).toBe('likes massage');
    expect(portrait.reasons[0]).toBe('likes portrait');
    expect(near.score).toBeGreaterThan(far.score);
    const ids = res.body.data.map((d: { offer_id: string }) => d.offer_id);
    expect(ids.indexOf(s.offers.near.id)).toBeLessThan(ids.indexOf(s.offers.far.id));
    // No class: no budget, nothing over it.
    expect(res.body.budget).toBeNull();
    expect(byId.get(s.offers.pricey.id)).toMatchObject({ over_budget: false });
    const one = await suggestions(api, s.net.clinic.key, s.patient.id, '?limit=1');
    expect(one.body.data).toHaveLength(1);
  });

  it('measures from the clinic’s first branch when the preferred one is archived, and not at all without one', async () => {
    const api = createClient();
    const s = await scene(api);
    const other = await api.post('/v1/branches', {
      token: s.net.clinic.key,
      body: { name: 'Uptown', latitude: 52.6, longitude: 13.405 },
    });
    await insightRow(s.patient.id, s.net.clinic.id, { categories: ['massage'], branchId: other.body.id });
    const fromUptown = await suggestions(api, s.net.clinic.key, s.patient.id);
    expect(fromUptown.body.branch.name).toBe('Uptown');
    expect((await api.delete(`/v1/branches/${other.body.id}`, { token: s.net.clinic.key })).status).toBe(200);
    const fallback = await suggestions(api, s.net.clinic.key, s.patient.id);
    expect(fallback.body.branch).toEqual({ id: s.branch.id, name: 'Downtown' });
    expect((await api.delete(`/v1/branches/${s.branch.id}`, { token: s.net.clinic.key })).status).toBe(200);
    const none = await suggestions(api, s.net.clinic.key, s.patient.id);
    expect(none.body.branch).toBeNull();
    expect(none.body.data.every((d: { distance_km: null }) => d.distance_km === null)).toBe(true);
    expect(none.body.data[0].reasons).toEqual(['likes massage']);
  });

  it('answers a patient without an insight row (nothing known yet): the catalogue by distance and price', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    await createOffer(api, net.partner.key);
    const res = await suggestions(api, net.clinic.key, patient.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ abc_class: null, budget: null, branch: null });
    expect(res.body.data.length).toBeGreaterThan(0);
  });

  it("answers another clinic's patient, or none, as not found; a bad limit is 400", async () => {
    const api = createClient();
    const s = await scene(api);
    for (const id of ['pat_01JD0000000000000000000000', 'pat_nope', s.offers.near.id])
      expectProblem(await suggestions(api, s.net.clinic.key, id), 404, 'patient_not_found');
    expectProblem(await suggestions(api, s.net.otherClinic.key, s.patient.id), 404, 'patient_not_found');
    for (const q of ['?limit=0', '?limit=51', '?limit=x'])
      expectProblem(await suggestions(api, s.net.clinic.key, s.patient.id, q), 400, 'validation_failed');
  });
});

describeSecurity('GET /v1/patients/{id}/gift_suggestions', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => createPatient(api, net.clinic.key),
  path: (p) => `/v1/patients/${p.id}/gift_suggestions`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});

describe('reward goals', () => {
  it('computes the next tier and the points for an offer', () => {
    const tiers = [
      { min_lifetime_spend: 300_000, discount_bps: 1000 },
      { min_lifetime_spend: 100_000, discount_bps: 500 },
    ];
    expect(nextTierGoal(0, tiers)).toEqual({
      discountBps: 500,
      minLifetimeSpend: 100_000,
      lifetimeSpend: 0,
      remaining: 100_000,
      progressPct: 0,
    });
    expect(nextTierGoal(99_999, tiers)).toMatchObject({ discountBps: 500, remaining: 1, progressPct: 99 });
    expect(nextTierGoal(100_000, tiers)).toMatchObject({
      discountBps: 1000,
      remaining: 200_000,
      progressPct: 33,
    });
    expect(nextTierGoal(300_000, tiers)).toBeNull();
    expect(nextTierGoal(5, [])).toBeNull();
    const offer = { id: 'off_x', title: 'Massage', partnerName: 'Studio', priceAmount: 6050 };
    expect(pointsGoal(5000, offer, 10)).toMatchObject({ pointsNeeded: 605, remaining: 0, progressPct: 100 });
    expect(pointsGoal(300, offer, 10)).toMatchObject({ pointsNeeded: 605, remaining: 305, progressPct: 49 });
    expect(pointsGoal(-5, offer, 1)).toMatchObject({ balance: 0, remaining: 6050, progressPct: 0 });
    expect(goalOffer([], 'EUR')).toBeNull();
  });

  it('GET /v1/patients/{id}/reward_goal: the next tier and the cheapest of the best suggestions in points', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key, {
      discount_tiers: [
        { min_lifetime_spend: { amount: 100_000, currency: 'EUR' }, discount_bps: 500 },
        { min_lifetime_spend: { amount: 300_000, currency: 'EUR' }, discount_bps: 1000 },
      ],
    });
    const s = await scene(api, net);
    await recordVisit(api, net.clinic.key, s.patient.id, 50_000);
    const res = await api.get(`/v1/patients/${s.patient.id}/reward_goal`, { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    // The catalogue is the whole network's: the other tests of this file add offers to it, so the
    // points goal is checked against the suggestions as they are now, and exactly when this scene's
    // offers are the only ones in it.
    const best = (
      await api.get(`/v1/patients/${s.patient.id}/gift_suggestions?limit=5`, { token: net.clinic.key })
    ).body.data.filter((x: any) => !x.over_budget);
    const cheapest = best.reduce((a: any, b: any) => (b.price.amount < a.price.amount ? b : a));
    expect(res.body.points.offer_id).toBe(cheapest.offer_id);
    expect(res.body.points.points_needed).toBe(cheapest.price.amount);
    expect(res.body.tier).toEqual({
      discount_bps: 500,
      min_lifetime_spend: 100_000,
      lifetime_spend: 50_000,
      remaining: 50_000,
      progress_pct: 50,
    });
    if (cheapest.offer_id === s.offers.far.id)
      expect(res.body).toEqual({
        patient_id: s.patient.id,
        currency: 'EUR',
        discount_bps: 0,
        tier: {
          discount_bps: 500,
          min_lifetime_spend: 100_000,
          lifetime_spend: 50_000,
          remaining: 50_000,
          progress_pct: 50,
        },
        // 10% of 500.00 is 5,000 points at 1 cent; the cheapest of the best within budget: hot stones, 60.00.
        points: {
          offer_id: s.offers.far.id,
          title: 'Hot stone massage',
          partner_name: 'Far Massage',
          points_needed: 6000,
          balance: 5000,
          remaining: 1000,
          progress_pct: 83,
        },
      });
    expectProblem(
      await api.get(`/v1/patients/${s.patient.id}/reward_goal`, { token: net.otherClinic.key }),
      404,
      'patient_not_found',
    );
  });
});

describeSecurity('GET /v1/patients/{id}/reward_goal', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => createPatient(api, net.clinic.key),
  path: (p) => `/v1/patients/${p.id}/reward_goal`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
