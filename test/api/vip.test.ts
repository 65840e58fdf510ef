import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  createStaffMember,
  issueVoucher,
  type Network,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// Loyalty settings and VIP (issue 12): the clinic's referral, birthday and VIP settings, patients marked
// VIP by hand or by the VIP segment, the list of VIPs, and the yearly gift limit "Give a gift" enforces
// (perks not counted), also when gifts race.

const SETTINGS = {
  referral: { reward: { kind: 'points', points: 200 }, cap_per_year: 3 },
  birthday: { reward: null, days_before: 10 },
  vip: { segment_id: null, gifts_per_year: null, perk_offer_ids: [] },
};

const put = (api: Client, key: string, body: unknown) =>
  api.put('/v1/loyalty/settings', { token: key, body });

async function auditOf(subjectId: string, action: string) {
  return (
    await env.DB.prepare('select * from audit_events where subject_id = ? and action = ?')
      .bind(subjectId, action)
      .all<Record<string, unknown>>()
  ).results;
}

async function vipScene(giftsPerYear: number | null = 2) {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Dana', last_name: 'Meyer' });
  const offer = await createOffer(api, net.partner.key, { title: 'Hot stones' });
  const perk = await createOffer(api, net.partner.key, { title: 'Taxi home' });
  const saved = await put(api, net.clinic.key, {
    ...SETTINGS,
    vip: { segment_id: null, gifts_per_year: giftsPerYear, perk_offer_ids: [perk.id] },
  });
  expect(saved.status, saved.text).toBe(200);
  return { api, net, patient, offer, perk };
}

const mark = (api: Client, key: string, patientId: string, reason: string | null = 'Ten years with us') =>
  api.put(`/v1/patients/${patientId}/vip`, { token: key, body: { reason } });

describe('GET/PUT /v1/loyalty/settings', () => {
  it('answers the defaults until saved, then what was saved, with an audit entry', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const before = await api.get('/v1/loyalty/settings', { token: net.clinic.key });
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      referral: { reward: null, cap_per_year: 5 },
      birthday: { reward: null, days_before: 7 },
      vip: { segment_id: null, gifts_per_year: null, perk_offer_ids: [] },
      updated_at: null,
    });
    const offer = await createOffer(api, net.partner.key);
    const seg = await api.post('/v1/segments', {
      token: net.clinic.key,
      body: { name: 'Big spenders', rules: [{ field: 'tag', op: 'has', value: 'vip' }] },
    });
    const body = {
      referral: { reward: { kind: 'voucher', offer_id: offer.id }, cap_per_year: 2 },
      birthday: { reward: { kind: 'points', points: 150 }, days_before: 5 },
      vip: { segment_id: seg.body.id, gifts_per_year: 4, perk_offer_ids: [offer.id] },
    };
    const saved = await put(api, net.clinic.key, body);
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ ...body, updated_at: new Date(T0).toISOString() });
    const again = await api.get('/v1/loyalty/settings', { token: net.clinic.key });
    expect(again.body).toEqual(saved.body);
    const [entry] = await auditOf(net.clinic.id, 'loyalty_settings.update');
    expect(JSON.parse(String(entry?.detail))).toMatchObject({
      birthday_reward: 'points',
      vip_gifts_per_year: 4,
    });
    // Another clinic still has its defaults.
    const other = await api.get('/v1/loyalty/settings', { token: net.otherClinic.key });
    expect(other.body.updated_at).toBeNull();
  });

  it('refuses offers and segments it cannot use (422 unknown_reference, by field) and bad values (400)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const inactive = await createOffer(api, net.partner.key, { active: false });
    const otherSeg = await api.post('/v1/segments', {
      token: net.otherClinic.key,
      body: { name: 'Theirs', rules: [] },
    });
    const res = await put(api, net.clinic.key, {
      referral: { reward: { kind: 'voucher', offer_id: inactive.id }, cap_per_year: 1 },
      birthday: { reward: { kind: 'voucher', offer_id: 'off_01JD0000000000000000000000' }, days_before: 1 },
      vip: { segment_id: otherSeg.body.id, gifts_per_year: null, perk_offer_ids: [] },
    });
    expectProblem(res, 422, 'unknown_reference');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'birthday.reward.offer_id',
      'referral.reward.offer_id',
      'vip.segment_id',
    ]);
    const bad = await put(api, net.clinic.key, { ...SETTINGS, birthday: { reward: null, days_before: 61 } });
    expectProblem(bad, 400, 'validation_failed');
    const dup = await put(api, net.clinic.key, {
      ...SETTINGS,
      vip: { segment_id: null, gifts_per_year: 1, perk_offer_ids: [inactive.id, inactive.id] },
    });
    expectProblem(dup, 400, 'validation_failed');
    const points = await put(api, net.clinic.key, {
      ...SETTINGS,
      referral: { reward: { kind: 'points', points: 0 }, cap_per_year: 1 },
    });
    expectProblem(points, 400, 'validation_failed');
  });

  it('front desk staff may read but not change them (403)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Fred Desk', role: 'front_desk' });
    expect((await api.get('/v1/loyalty/settings', { token: desk.key })).status).toBe(200);
    expectProblem(await put(api, desk.key, SETTINGS), 403, 'forbidden');
    const manager = await createStaffMember(api, net.clinic.id, { name: 'Mia Manager', role: 'manager' });
    expect((await put(api, manager.key, SETTINGS)).status).toBe(200);
  });

  describeSecurity('GET /v1/loyalty/settings', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/loyalty/settings',
  });
  describeSecurity('PUT /v1/loyalty/settings', {
    method: 'PUT',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/loyalty/settings',
    body: () => SETTINGS,
  });
});

describe('VIP by hand and by segment', () => {
  it('marks and unmarks a patient, with audit entries; the list shows VIPs with their gifts this year', async () => {
    const { api, net, patient } = await vipScene(4);
    const marked = await mark(api, net.clinic.key, patient.id);
    expect(marked.status, marked.text).toBe(200);
    expect(marked.body).toMatchObject({
      patient_id: patient.id,
      vip: true,
      by_hand: true,
      by_segment: false,
      reason: 'Ten years with us',
      gifts_this_year: 0,
      gift_limit: 4,
    });
    const list = await api.get('/v1/vip', { token: net.clinic.key });
    expect(list.body.data).toEqual([
      expect.objectContaining({ patient_id: patient.id, first_name: 'Dana', by_hand: true, gift_limit: 4 }),
    ]);
    expect((await api.get('/v1/vip', { token: net.otherClinic.key })).body.data).toEqual([]);
    const unmarked = await api.delete(`/v1/patients/${patient.id}/vip`, { token: net.clinic.key });
    expect(unmarked.body).toMatchObject({ vip: false, by_hand: false, gift_limit: null });
    expect((await api.get('/v1/vip', { token: net.clinic.key })).body.data).toEqual([]);
    expect(await auditOf(patient.id, 'patient.vip_mark')).toHaveLength(1);
    expect(await auditOf(patient.id, 'patient.vip_unmark')).toHaveLength(1);
    // Removing a mark that is not there changes nothing and records nothing.
    await api.delete(`/v1/patients/${patient.id}/vip`, { token: net.clinic.key });
    expect(await auditOf(patient.id, 'patient.vip_unmark')).toHaveLength(1);
  });

  it("a member of the clinic's VIP segment is VIP without a mark, and leaves with the segment's rules", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const tagged = await createPatient(api, net.clinic.key, { birth_date: '1980-05-01' });
    const plain = await createPatient(api, net.clinic.key);
    const seg = await api.post('/v1/segments', {
      token: net.clinic.key,
      body: { name: 'May', rules: [{ field: 'birth_month', op: 'is', value: 5 }] },
    });
    await put(api, net.clinic.key, {
      ...SETTINGS,
      vip: { segment_id: seg.body.id, gifts_per_year: 1, perk_offer_ids: [] },
    });
    const list = await api.get('/v1/vip', { token: net.clinic.key });
    expect(list.body.data.map((v: { patient_id: string }) => v.patient_id)).toEqual([tagged.id]);
    expect(list.body.data[0]).toMatchObject({ by_hand: false, by_segment: true });
    await mark(api, net.clinic.key, plain.id, null);
    const both = await api.get('/v1/vip?limit=1', { token: net.clinic.key });
    expect(both.body.data).toHaveLength(1);
    const rest = await api.get(`/v1/vip?cursor=${both.body.next_cursor}`, { token: net.clinic.key });
    expect(rest.body.data).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
  });

  it('refuses an unknown or foreign patient (404) and front desk staff (403)', async () => {
    const { api, net, patient } = await vipScene();
    expectProblem(await mark(api, net.otherClinic.key, patient.id), 404, 'patient_not_found');
    expectProblem(
      await mark(api, net.clinic.key, 'pat_01JD0000000000000000000000'),
      404,
      'patient_not_found',
    );
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Fred Desk', role: 'front_desk' });
    expectProblem(await mark(api, desk.key, patient.id), 403, 'forbidden');
    expectProblem(await api.delete(`/v1/patients/${patient.id}/vip`, { token: desk.key }), 403, 'forbidden');
    expectProblem(await api.get('/v1/vip?cursor=zz', { token: net.clinic.key }), 400, 'invalid_cursor');
  });

  for (const method of ['PUT', 'DELETE'] as const)
    describeSecurity(`${method} /v1/patients/{id}/vip`, {
      method,
      roles: ['clinic'],
      setup: (api, net) => createPatient(api, net.clinic.key),
      path: (p) => `/v1/patients/${p.id}/vip`,
      ...(method === 'PUT' && { body: () => ({ reason: 'x' }) }),
      otherTenant: (net: Network) => net.otherClinic.key,
      otherTenantCode: 'patient_not_found',
    });
  describeSecurity('GET /v1/vip', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/vip',
  });
});

describe('the VIP gift limit', () => {
  it('refuses a gift over the limit with a sentence that explains; voided gifts and perks do not count', async () => {
    const { api, net, patient, offer } = await vipScene(2);
    await mark(api, net.clinic.key, patient.id);
    const give = () =>
      api.post('/v1/vouchers', {
        token: net.clinic.key,
        body: { patient_id: patient.id, offer_id: offer.id },
      });
    const first = await give();
    expect(first.status).toBe(201);
    expect((await give()).status).toBe(201);
    const refused = await give();
    expectProblem(refused, 409, 'gift_limit_reached');
    expect(refused.body.detail).toBe(
      'Dana M. has had 2 of 2 gifts this year (VIP limit); the next can be given from 1 January 2027.',
    );
    const voided = await api.post(`/v1/vouchers/${first.body.id}/void`, {
      token: net.clinic.key,
      body: { reason: 'wrong offer' },
    });
    expect(voided.status, voided.text).toBe(200);
    expect((await give()).status).toBe(201);
    expectProblem(await give(), 409, 'gift_limit_reached');
    // Next year the count starts again (the clinic's calendar year, Europe/Berlin).
    const nextYear = createClient(fixedClock(Date.parse('2026-12-31T23:30:00Z')));
    const res = await nextYear.post('/v1/vouchers', {
      token: net.clinic.key,
      body: { patient_id: patient.id, offer_id: offer.id },
    });
    expect(res.status, res.text).toBe(201);
  });

  it('a patient who is not VIP, or a clinic without a limit, is not limited', async () => {
    const { api, net, patient, offer } = await vipScene(0);
    await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
    await mark(api, net.clinic.key, patient.id);
    expectProblem(
      await api.post('/v1/vouchers', {
        token: net.clinic.key,
        body: { patient_id: patient.id, offer_id: offer.id },
      }),
      409,
      'gift_limit_reached',
    );
    await put(api, net.clinic.key, SETTINGS);
    await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
  });

  it('holds under 50 gifts given at once: exactly the limit are issued', async () => {
    const { api, net, patient, offer } = await vipScene(3);
    await mark(api, net.clinic.key, patient.id);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post('/v1/vouchers', {
          token: net.clinic.key,
          body: { patient_id: patient.id, offer_id: offer.id },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'gift_limit_reached')).toBe(
      true,
    );
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const n = await env.DB.prepare('select count(*) as n from vouchers where patient_id = ?')
      .bind(patient.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(3);
    const audits = await env.DB.prepare(
      "select count(*) as n from audit_events where patient_id = ? and action = 'voucher.issue'",
    )
      .bind(patient.id)
      .first<{ n: number }>();
    expect(audits?.n).toBe(3);
  });
});

describe('the operator', () => {
  it('has no loyalty settings of its own (403)', async () => {
    const api = createClient();
    expectProblem(await api.get('/v1/loyalty/settings', { token: OPERATOR_TOKEN }), 403, 'forbidden');
  });
});
