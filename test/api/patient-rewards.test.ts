import { env } from 'cloudflare:workers';
import { newId } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient, createStaffMember, type Network } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// A patient's rewards (issue 12), newest first with what each gives, and using a discount kept for a
// later visit: exactly once, even when 50 requests race.

async function reward(
  net: Network,
  patientId: string,
  over: { kind?: string; status?: string; at?: number; points?: number | null; bps?: number | null } = {},
) {
  const id = newId('rwd', over.at ?? T0);
  const kind = over.kind ?? 'discount_bps';
  await env.DB.prepare(
    `insert into loyalty_rewards (id, clinic_id, patient_id, source, source_id, reason_key, kind, title,
      points, discount_bps, discount_amount, currency, offer_id, voucher_id, visit_id, status, granted_at)
     values (?, ?, ?, 'code_word', 'cwd_x', ?, ?, ?, ?, ?, null, 'EUR', null, null, null, ?, ?)`,
  )
    .bind(
      id,
      net.clinic.id,
      patientId,
      `test:${id}`,
      kind,
      kind === 'points' ? 'Bonus' : 'Spring offer',
      kind === 'points' ? (over.points ?? 100) : null,
      kind === 'discount_bps' ? (over.bps ?? 1000) : null,
      over.status ?? (kind === 'points' ? 'granted' : 'available'),
      over.at ?? T0,
    )
    .run();
  return id;
}

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key);
  return { api, net, patient };
}

const use = (api: Client, key: string, id: string) => api.post(`/v1/rewards/${id}/use`, { token: key });

describe('GET /v1/patients/{id}/rewards', () => {
  it('lists the rewards newest first, with what each gives, page by page', async () => {
    const { api, net, patient } = await scene();
    const older = await reward(net, patient.id, { kind: 'points', at: T0 - 1000 });
    const newer = await reward(net, patient.id, { at: T0 });
    const res = await api.get(`/v1/patients/${patient.id}/rewards`, { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.map((r: { id: string }) => r.id)).toEqual([newer, older]);
    expect(res.body.data[0]).toMatchObject({
      source: 'code_word',
      kind: 'discount_bps',
      gives: '10% off',
      status: 'available',
      voucher_url: null,
      used_at: null,
    });
    expect(res.body.data[1]).toMatchObject({ kind: 'points', gives: '100 bonus points', status: 'granted' });
    const first = await api.get(`/v1/patients/${patient.id}/rewards?limit=1`, { token: net.clinic.key });
    expect(first.body.data).toHaveLength(1);
    const rest = await api.get(`/v1/patients/${patient.id}/rewards?cursor=${first.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(rest.body.data.map((r: { id: string }) => r.id)).toEqual([older]);
  });

  it('another clinic or an unknown patient: 404; a bad cursor: 400; front desk may read', async () => {
    const { api, net, patient } = await scene();
    expectProblem(
      await api.get(`/v1/patients/${patient.id}/rewards`, { token: net.otherClinic.key }),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.get(`/v1/patients/${patient.id}/rewards?cursor=abc`, { token: net.clinic.key }),
      400,
      'invalid_cursor',
    );
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Fred Desk', role: 'front_desk' });
    expect((await api.get(`/v1/patients/${patient.id}/rewards`, { token: desk.key })).status).toBe(200);
  });

  describeSecurity('GET /v1/patients/{id}/rewards', {
    method: 'GET',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}/rewards`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('POST /v1/rewards/{id}/use', () => {
  it('uses an available discount once, with an audit entry; the second time says why not', async () => {
    const { api, net, patient } = await scene();
    const id = await reward(net, patient.id);
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Fred Desk', role: 'front_desk' });
    const res = await use(api, desk.key, id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'used', used_at: new Date(T0).toISOString() });
    const again = await use(api, net.clinic.key, id);
    expectProblem(again, 409, 'reward_not_available');
    expect(again.body.detail).toContain('used already');
    const audits = await env.DB.prepare(
      "select * from audit_events where subject_id = ? and action = 'reward.use'",
    )
      .bind(id)
      .all<Record<string, unknown>>();
    expect(audits.results).toHaveLength(1);
    expect(audits.results[0]).toMatchObject({ patient_id: patient.id });
  });

  it('refuses a reward that is not a waiting discount (409), another clinic’s or an unknown one (404)', async () => {
    const { api, net, patient } = await scene();
    const points = await reward(net, patient.id, { kind: 'points' });
    expectProblem(await use(api, net.clinic.key, points), 409, 'reward_not_available');
    const id = await reward(net, patient.id);
    expectProblem(await use(api, net.otherClinic.key, id), 404, 'reward_not_found');
    expectProblem(await use(api, net.clinic.key, 'rwd_01JD0000000000000000000000'), 404, 'reward_not_found');
    expectProblem(await use(api, net.clinic.key, 'nonsense'), 404, 'reward_not_found');
  });

  it('50 requests at once: exactly one uses it', async () => {
    const { api, net, patient } = await scene();
    const id = await reward(net, patient.id);
    const results = await Promise.all(Array.from({ length: 50 }, () => use(api, net.clinic.key, id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const audits = await env.DB.prepare(
      "select count(*) as n from audit_events where subject_id = ? and action = 'reward.use'",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(audits?.n).toBe(1);
  });

  describeSecurity('POST /v1/rewards/{id}/use', {
    method: 'POST',
    roles: ['clinic'],
    setup: async (api, net) => {
      const p = await createPatient(api, net.clinic.key);
      return reward(net, p.id);
    },
    path: (id) => `/v1/rewards/${id}/use`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'reward_not_found',
  });
});
