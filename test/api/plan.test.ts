import { env } from 'cloudflare:workers';
import { addDays, localDate } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPartner,
  createPatient,
  createStaffMember,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// The plan's API: templates per segment (defaults, save with versions, reset), a patient's plan
// (generate, read, owner), items of staff's own; each with its errors and the shared security cases.

const TODAY = localDate(T0, 'Europe/Berlin');
const MIX_B = [
  { kind: 'thank_you', channel: 'sms', count: 2 },
  { kind: 'birthday', channel: 'call', count: 1 },
  { kind: 'survey_request', channel: 'email', count: 1 },
  { kind: 'new_service', channel: 'email', count: 1 },
  { kind: 'recommendation_request', channel: 'call', count: 1 },
  { kind: 'event_invitation', channel: 'in_person', count: 1 },
];
const putB = (api: Client, key: string, body: Record<string, unknown> = {}) =>
  api.put('/v1/plan/templates/B', { token: key, body: { interactions_per_year: 7, mix: MIX_B, ...body } });

describe('GET /v1/plan/templates', () => {
  it('lists A, B and C with the defaults marked, then custom segments', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const res = await api.get('/v1/plan/templates', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.map((t: any) => [t.segment_key, t.interactions_per_year, t.default])).toEqual([
      ['A', 9, true],
      ['B', 7, true],
      ['C', 4, true],
    ]);
  });

  it('refuses a front-desk member', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Desk', role: 'front_desk' });
    expectProblem(await api.get('/v1/plan/templates', { token: desk.key }), 403, 'forbidden');
  });
});

describe('PUT /v1/plan/templates/{segment_key}', () => {
  it('saves a class template, bumping the version each time, with who set it', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const manager = await createStaffMember(api, net.clinic.id, { name: 'Mona', role: 'manager' });
    const one = await putB(api, net.clinic.key);
    expect(one.status, one.text).toBe(200);
    expect(one.body).toMatchObject({
      segment_key: 'B',
      version: 1,
      default: false,
      interactions_per_year: 7,
    });
    const two = await putB(api, manager.key, { name: 'Regulars' });
    expect(two.body).toMatchObject({ version: 2, name: 'Regulars', updated_by_staff_id: manager.id });
    const list = await api.get('/v1/plan/templates', { token: net.clinic.key });
    expect(list.body.data[1]).toMatchObject({ segment_key: 'B', default: false, version: 2 });
  });

  it('takes a gift offer’s price as the line’s cost', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key, { price: { amount: 4200, currency: 'EUR' } });
    const res = await api.put('/v1/plan/templates/A', {
      token: net.clinic.key,
      body: {
        interactions_per_year: 1,
        mix: [{ kind: 'personal_gift', channel: 'gift', count: 1, offer_id: offer.id }],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.mix[0]).toMatchObject({ offer_id: offer.id, cost_amount: 4200 });
  });

  it('refuses a mix that does not add up, a second birthday, too many a year, unknown kinds', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const bad = [
      { interactions_per_year: 8, mix: MIX_B },
      { interactions_per_year: 2, mix: [{ kind: 'birthday', channel: 'call', count: 2 }] },
      { interactions_per_year: 27, mix: [{ kind: 'thank_you', channel: 'sms', count: 27 }] },
      { interactions_per_year: 1, mix: [{ kind: 'detractor_follow_up', channel: 'call', count: 1 }] },
      { interactions_per_year: 1, mix: [{ kind: 'thank_you', channel: 'sms', count: 1, cost_amount: 5 }] },
    ];
    for (const body of bad) {
      const res = await api.put('/v1/plan/templates/C', { token: net.clinic.key, body });
      expectProblem(res, 400, 'validation_failed');
    }
  });

  it('refuses an unknown segment, another clinic’s segment, an unknown or inactive offer', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const seg = await api.post('/v1/segments', {
      token: net.otherClinic.key,
      body: { name: 'Theirs', rules: [] },
    });
    const body = { interactions_per_year: 1, mix: [{ kind: 'thank_you', channel: 'sms', count: 1 }] };
    expectProblem(
      await api.put('/v1/plan/templates/D', { token: net.clinic.key, body }),
      404,
      'segment_not_found',
    );
    expectProblem(
      await api.put(`/v1/plan/templates/${seg.body.id}`, { token: net.clinic.key, body }),
      404,
      'segment_not_found',
    );
    const gift = (offer_id: string) => ({
      interactions_per_year: 1,
      mix: [{ kind: 'personal_gift', channel: 'gift', count: 1, offer_id }],
    });
    expectProblem(
      await api.put('/v1/plan/templates/A', {
        token: net.clinic.key,
        body: gift('off_01JD0000000000000000000000'),
      }),
      404,
      'offer_not_found',
    );
    const inactive = await createOffer(api, net.partner.key, { active: false });
    expectProblem(
      await api.put('/v1/plan/templates/A', { token: net.clinic.key, body: gift(inactive.id) }),
      422,
      'offer_inactive',
    );
    const dollars = await createPartner(api, { currency: 'USD' });
    const usd = await createOffer(api, dollars.key, {
      price: { amount: 100, currency: 'USD' },
      retail_value: { amount: 200, currency: 'USD' },
    });
    expectProblem(
      await api.put('/v1/plan/templates/A', { token: net.clinic.key, body: gift(usd.id) }),
      422,
      'currency_mismatch',
    );
  });
});

describe('DELETE /v1/plan/templates/{segment_key}', () => {
  it('takes a class back to its default, keeping the items planned from it', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await putB(api, net.clinic.key);
    await api.put('/v1/plan/templates/C', {
      token: net.clinic.key,
      body: { interactions_per_year: 7, mix: MIX_B },
    });
    const p = await createPatient(api, net.clinic.key);
    const plan = await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
    expect(plan.body.items.length).toBe(6);
    const res = await api.delete('/v1/plan/templates/C', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.template).toMatchObject({ segment_key: 'C', default: true, interactions_per_year: 4 });
    const again = await api.get(`/v1/patients/${p.id}/plan`, { token: net.clinic.key });
    expect(again.body.items.length).toBe(6);
    expectProblem(
      await api.delete('/v1/plan/templates/C', { token: net.clinic.key }),
      404,
      'plan_template_not_found',
    );
  });
});

describe('a patient’s plan', () => {
  it('GET before a plan: no plan, the template that applies; POST generates it; GET reads it', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key, { birth_date: '1990-02-01' });
    const none = await api.get(`/v1/patients/${p.id}/plan`, { token: net.clinic.key });
    expect(none.status, none.text).toBe(200);
    expect(none.body).toMatchObject({
      plan: null,
      items: [],
      target_per_year: 4,
      template: { segment_key: 'C' },
    });
    const made = await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
    expect(made.status, made.text).toBe(200);
    expect(made.body.plan).toMatchObject({ generation: 1, horizon_on: addDays(TODAY, 364), owner: null });
    expect(made.body.items).toHaveLength(4);
    expect(made.body.items.find((i: any) => i.kind === 'birthday').due_on).toBe('2027-01-25');
    const read = await api.get(`/v1/patients/${p.id}/plan`, { token: net.clinic.key });
    expect(read.body.items.map((i: any) => i.id)).toEqual(made.body.items.map((i: any) => i.id));
  });

  it('names the owner, or refuses one who is not the clinic’s', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const ida = await createStaffMember(api, net.clinic.id, { name: 'Ida', role: 'front_desk' });
    const theirs = await createStaffMember(api, net.otherClinic.id, { name: 'Otto', role: 'front_desk' });
    const p = await createPatient(api, net.clinic.key);
    expectProblem(
      await api.post(`/v1/patients/${p.id}/plan`, {
        token: net.clinic.key,
        body: { owner_staff_id: theirs.id },
      }),
      404,
      'staff_not_found',
    );
    const made = await api.post(`/v1/patients/${p.id}/plan`, {
      token: net.clinic.key,
      body: { owner_staff_id: ida.id },
    });
    expect(made.body.plan.owner).toEqual({ id: ida.id, name: 'Ida' });
    expect(made.body.items.every((i: any) => i.owner?.id === ida.id)).toBe(true);
    // A front-desk member generating keeps the plan's owner.
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Dora', role: 'front_desk' });
    const again = await api.post(`/v1/patients/${p.id}/plan`, { token: desk.key, body: {} });
    expect(again.status, again.text).toBe(200);
    expect(again.body.plan.owner.id).toBe(ida.id);
  });

  it('PATCH hands it over: owners, managers, its own owner; not another front-desk member', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const ida = await createStaffMember(api, net.clinic.id, { name: 'Ida', role: 'front_desk' });
    const max = await createStaffMember(api, net.clinic.id, { name: 'Max', role: 'front_desk' });
    const p = await createPatient(api, net.clinic.key);
    expectProblem(
      await api.patch(`/v1/patients/${p.id}/plan`, {
        token: net.clinic.key,
        body: { owner_staff_id: ida.id },
      }),
      404,
      'plan_not_found',
    );
    await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: { owner_staff_id: ida.id } });
    expectProblem(
      await api.patch(`/v1/patients/${p.id}/plan`, { token: max.key, body: { owner_staff_id: max.id } }),
      403,
      'forbidden',
    );
    const handed = await api.patch(`/v1/patients/${p.id}/plan`, {
      token: ida.key,
      body: { owner_staff_id: max.id },
    });
    expect(handed.status, handed.text).toBe(200);
    expect(handed.body.plan.owner).toEqual({ id: max.id, name: 'Max' });
    expect(handed.body.items.every((i: any) => i.owner?.id === max.id)).toBe(true);
    expectProblem(
      await api.patch(`/v1/patients/${p.id}/plan`, {
        token: net.clinic.key,
        body: { owner_staff_id: 'stf_01JD0000000000000000000000' },
      }),
      404,
      'staff_not_found',
    );
  });

  it('POST items adds an item of staff’s own; a date out of range or a cost off a gift is refused', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const res = await api.post(`/v1/patients/${p.id}/plan/items`, {
      token: net.clinic.key,
      body: {
        kind: 'personal_gift',
        channel: 'gift',
        due_on: addDays(TODAY, 5),
        cost_amount: 2500,
        purpose: 'Flowers',
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      source: 'staff',
      purpose: 'Flowers',
      cost: { amount: 2500, currency: 'EUR' },
    });
    for (const body of [
      { kind: 'thank_you', channel: 'sms', due_on: addDays(TODAY, -40) },
      { kind: 'thank_you', channel: 'sms', due_on: '2026-02-30' },
      { kind: 'thank_you', channel: 'sms', due_on: addDays(TODAY, 1), cost_amount: 10 },
    ])
      expectProblem(
        await api.post(`/v1/patients/${p.id}/plan/items`, { token: net.clinic.key, body }),
        400,
        'validation_failed',
      );
  });

  it('another clinic’s patient is not found', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    expectProblem(
      await api.get(`/v1/patients/${p.id}/plan`, { token: net.otherClinic.key }),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.post(`/v1/patients/${p.id}/plan`, { token: net.otherClinic.key, body: {} }),
      404,
      'patient_not_found',
    );
    const rows = await env.DB.prepare('select count(*) as n from plan_items where patient_id = ?')
      .bind(p.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});

const withPatient = async (api: Client, net: { clinic: { key: string } }) =>
  createPatient(api, net.clinic.key);
const withPlan = async (api: Client, net: { clinic: { key: string } }) => {
  const p = await createPatient(api, net.clinic.key);
  await api.post(`/v1/patients/${p.id}/plan`, { token: net.clinic.key, body: {} });
  return p;
};

describeSecurity('GET /v1/plan/templates', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/plan/templates',
});
describeSecurity('PUT /v1/plan/templates/{segment_key}', {
  method: 'PUT',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/plan/templates/B',
  body: () => ({ interactions_per_year: 7, mix: MIX_B }),
});
describeSecurity('DELETE /v1/plan/templates/{segment_key}', {
  method: 'DELETE',
  roles: ['clinic'],
  setup: async (api, net) => {
    await putB(api, net.clinic.key);
    return {};
  },
  path: () => '/v1/plan/templates/B',
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'plan_template_not_found',
});
describeSecurity('GET /v1/patients/{id}/plan', {
  method: 'GET',
  roles: ['clinic'],
  setup: withPatient,
  path: (p) => `/v1/patients/${p.id}/plan`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
describeSecurity('POST /v1/patients/{id}/plan', {
  method: 'POST',
  roles: ['clinic'],
  setup: withPatient,
  path: (p) => `/v1/patients/${p.id}/plan`,
  body: () => ({}),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
describeSecurity('PATCH /v1/patients/{id}/plan', {
  method: 'PATCH',
  roles: ['clinic'],
  setup: withPlan,
  path: (p) => `/v1/patients/${p.id}/plan`,
  body: () => ({ owner_staff_id: null }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
describeSecurity('POST /v1/patients/{id}/plan/items', {
  method: 'POST',
  roles: ['clinic'],
  setup: withPatient,
  path: (p) => `/v1/patients/${p.id}/plan/items`,
  body: () => ({ kind: 'thank_you', channel: 'sms', due_on: addDays(TODAY, 3) }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
