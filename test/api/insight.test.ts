import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork, createPatient, recordVisit, setLoyaltyProgram } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { staffSession } from '../helpers/staff';

// The insight API (settings, a patient's insight, the refresh on demand) and the console's insight
// settings page and the Insight card of a patient's page.

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Ines' });
  await recordVisit(api, net.clinic.key, patient.id, 20_000);
  return { api, net, patient };
}

describe('GET/PUT /v1/insight/settings', () => {
  it('answers the defaults, saves new thresholds and budgets, and classifies under them', async () => {
    const { api, net, patient } = await scene();
    const before = await api.get('/v1/insight/settings', { token: net.clinic.key });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ abc_a_bps: 8000, abc_b_bps: 1500, budget_a: null, updated_at: null });
    const put = await api.put('/v1/insight/settings', {
      token: net.clinic.key,
      body: { abc_a_bps: 5000, abc_b_bps: 3000, budget_a: 10_000, budget_c: 0 },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({
      abc_a_bps: 5000,
      abc_b_bps: 3000,
      budget_a: 10_000,
      budget_b: null,
      budget_c: 0,
    });
    const after = await api.get('/v1/insight/settings', { token: net.clinic.key });
    expect(after.body.abc_a_bps).toBe(5000);
    const refreshed = await api.post('/v1/insight/refresh', { token: net.clinic.key });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body).toMatchObject({ month: '2026-11', patients: 1 });
    const insight = await api.get(`/v1/patients/${patient.id}/insight`, { token: net.clinic.key });
    expect(insight.body.abc_class).toBe('A');
    const audit = await api.get('/v1/audit-events', { token: net.clinic.key });
    expect(JSON.stringify(audit.body)).toContain('insight_settings.update');
  });

  it('refuses thresholds that do not add up, and a body of the wrong shape', async () => {
    const { api, net } = await scene();
    const over = await api.put('/v1/insight/settings', {
      token: net.clinic.key,
      body: { abc_a_bps: 9000, abc_b_bps: 2000 },
    });
    expectProblem(over, 400, 'validation_failed');
    expect(JSON.stringify(over.body)).toContain('abc_b_bps');
    expectProblem(
      await api.put('/v1/insight/settings', { token: net.clinic.key, body: { abc_a_bps: 0, abc_b_bps: 1 } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.put('/v1/insight/settings', { token: net.clinic.key, body: { abc_a_bps: 8000, extra: 1 } }),
      400,
      'validation_failed',
    );
  });
});

describe('GET /v1/patients/{id}/insight', () => {
  it('answers the patient’s row: behaviour, class, quadrant with reasons, engagement', async () => {
    const { api, net, patient } = await scene();
    await api.post('/v1/insight/refresh', { token: net.clinic.key });
    const res = await api.get(`/v1/patients/${patient.id}/insight`, { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      patient_id: patient.id,
      abc_class: 'A',
      growth: 'new',
      quadrant: 'unknown',
      win_back: false,
      behaviour: { visit_count: 1, spend_12m: 20_000, lifetime_spend: 20_000, cohort_month: '2026-11' },
      satisfaction: { survey_score: null, survey_count: 0 },
    });
    expect(res.body.reasons).toContain('Has not answered a survey yet');
    expect(res.body.engagement).toBeGreaterThan(0);
  });

  it('answers 404 for an id of no patient', async () => {
    const { api, net } = await scene();
    expectProblem(
      await api.get('/v1/patients/pat_01JD0000000000000000000000/insight', { token: net.clinic.key }),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.get('/v1/patients/nonsense/insight', { token: net.clinic.key }),
      404,
      'patient_not_found',
    );
  });
});

describeSecurity('GET /v1/insight/settings', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/insight/settings',
});
describeSecurity('PUT /v1/insight/settings', {
  method: 'PUT',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/insight/settings',
  body: () => ({ abc_a_bps: 8000, abc_b_bps: 1500 }),
});
describeSecurity('POST /v1/insight/refresh', {
  method: 'POST',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/insight/refresh',
});
describeSecurity('GET /v1/patients/{id}/insight', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => createPatient(api, net.clinic.key),
  path: (p) => `/v1/patients/${p.id}/insight`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});

describe('console: insight settings and the Insight card', () => {
  it('lets a manager change the thresholds and budgets', async () => {
    const { api, net } = await scene();
    const manager = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'manager',
    });
    const page = await manager.get('/console/insight/settings');
    expect(page.status).toBe(200);
    expect(page.text).toContain('first 80% of the last 12 months’ revenue');
    const saved = await manager.post('/console/insight/settings', {
      abc_a: '70',
      abc_b: '20',
      budget_a: '100.00',
      budget_b: '',
      budget_c: '10',
    });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/insight/settings?saved=1');
    const after = await manager.get('/console/insight/settings?saved=1');
    expect(after.text).toContain('first 70% of the last 12 months’ revenue');
    expect(after.text).toContain('Saved.');
    const api2 = await api.get('/v1/insight/settings', { token: net.clinic.key });
    expect(api2.body).toMatchObject({
      abc_a_bps: 7000,
      abc_b_bps: 2000,
      budget_a: 10_000,
      budget_b: null,
      budget_c: 1000,
    });
  });

  it('says what is wrong with a form, and refuses front desk', async () => {
    const { api, net } = await scene();
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
    const bad = await owner.post('/console/insight/settings', { abc_a: '90', abc_b: '20', budget_a: 'lots' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('A and B together at most 100');
    expect(bad.text).toContain('Enter a budget like 50.00');
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/insight/settings')).status).toBe(403);
    expect((await desk.post('/console/insight/settings', { abc_a: '80', abc_b: '15' })).status).toBe(403);
  });

  it('shows the Insight card on the patient’s page', async () => {
    const { api, net, patient } = await scene();
    await api.post('/v1/insight/refresh', { token: net.clinic.key });
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const page = await desk.get(`/console/patients/${patient.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2 id="insight">Insight</h2>');
    expect(page.text).toContain('Unknown: no survey answer yet');
    expect(page.text).toContain('new this year');
  });
});
