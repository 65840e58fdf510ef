import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { outboxMessage } from '../helpers/messages';
import { describeSecurity, expectProblem } from '../helpers/security';

// The outbox over the API: the clinic's messages newest first with filters and keyset pages, one
// message with its history, a dead or failed message retried (audited), and the delivery settings.

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { email: 'anna@example.com' });
  return { api, net, patient };
}

describe('GET /v1/messages', () => {
  it('lists the clinic’s messages newest first, filtered, in pages', async () => {
    const { api, net, patient } = await scene();
    const a = await outboxMessage(net.clinic.id, patient.id, { at: T0 });
    const b = await outboxMessage(net.clinic.id, patient.id, { at: T0 + 1000, status: 'dead' });
    const c = await outboxMessage(net.clinic.id, patient.id, {
      at: T0 + 2000,
      kind: 'birthday',
      status: 'sent',
    });
    const theirs = await createPatient(api, net.otherClinic.key);
    await outboxMessage(net.otherClinic.id, theirs.id);
    const all = await api.get('/v1/messages', { token: net.clinic.key });
    expect(all.status).toBe(200);
    expect(all.body.data.map((m: { id: string }) => m.id)).toEqual([c, b, a]);
    expect(all.body.data[0]).toMatchObject({
      kind: 'birthday',
      purpose: 'marketing',
      status: 'sent',
      patient_id: patient.id,
      patient_name: `${patient.first_name} ${patient.last_name}`,
      body: 'Dear Anna, a gift: https://gratia.test/r/test',
    });
    const dead = await api.get('/v1/messages?status=dead', { token: net.clinic.key });
    expect(dead.body.data.map((m: { id: string }) => m.id)).toEqual([b]);
    const birthdays = await api.get('/v1/messages?kind=birthday', { token: net.clinic.key });
    expect(birthdays.body.data.map((m: { id: string }) => m.id)).toEqual([c]);
    const byPatient = await api.get(`/v1/messages?patient_id=${theirs.id}`, { token: net.clinic.key });
    expect(byPatient.body.data).toEqual([]);
    const p1 = await api.get('/v1/messages?limit=2', { token: net.clinic.key });
    expect(p1.body.data).toHaveLength(2);
    const p2 = await api.get(`/v1/messages?limit=2&cursor=${p1.body.next_cursor}`, { token: net.clinic.key });
    expect(p2.body.data.map((m: { id: string }) => m.id)).toEqual([a]);
    expect(p2.body.next_cursor).toBeNull();
  });

  it('refuses a bad filter or cursor', async () => {
    const { api, net } = await scene();
    expectProblem(
      await api.get('/v1/messages?status=nope', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(await api.get('/v1/messages?cursor=abc', { token: net.clinic.key }), 400, 'invalid_cursor');
  });
});

describe('GET /v1/messages/{id}', () => {
  it('answers one message with its history; another clinic’s is not found', async () => {
    const { api, net, patient } = await scene();
    const id = await outboxMessage(net.clinic.id, patient.id);
    await env.DB.prepare(
      "insert into message_events (id, message_id, status, detail, at) values ('mev_01JD0000000000000000000001', ?, 'suppressed', 'no_consent', ?)",
    )
      .bind(id, T0)
      .run();
    const res = await api.get(`/v1/messages/${id}`, { token: net.clinic.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      status: 'queued',
      events: [{ status: 'suppressed', detail: 'no_consent' }],
    });
    expectProblem(
      await api.get(`/v1/messages/${id}`, { token: net.otherClinic.key }),
      404,
      'message_not_found',
    );
    expectProblem(
      await api.get('/v1/messages/msg_nope', { token: net.clinic.key }),
      404,
      'message_not_found',
    );
  });
});

describe('POST /v1/messages/{id}/retry', () => {
  it('queues a dead message again, attempts reset, with an event and an audit entry', async () => {
    const { api, net, patient } = await scene();
    const id = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
    const res = await api.post(`/v1/messages/${id}/retry`, { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'queued', attempts: 0, not_before: null });
    const audit = await env.DB.prepare('select action, patient_id from audit_events where subject_id = ?')
      .bind(id)
      .first();
    expect(audit).toEqual({ action: 'message.retry', patient_id: patient.id });
    const events = await api.get(`/v1/messages/${id}`, { token: net.clinic.key });
    expect(events.body.events).toMatchObject([{ status: 'queued', detail: 'retried by staff' }]);
    // Queued now: not retryable again.
    expectProblem(
      await api.post(`/v1/messages/${id}/retry`, { token: net.clinic.key }),
      409,
      'message_not_retryable',
    );
  });

  it('retries a failed message; refuses a sent one; another clinic’s is not found', async () => {
    const { api, net, patient } = await scene();
    const failed = await outboxMessage(net.clinic.id, patient.id, { status: 'failed' });
    expect((await api.post(`/v1/messages/${failed}/retry`, { token: net.clinic.key })).status).toBe(200);
    const sent = await outboxMessage(net.clinic.id, patient.id, { status: 'sent' });
    expectProblem(
      await api.post(`/v1/messages/${sent}/retry`, { token: net.clinic.key }),
      409,
      'message_not_retryable',
    );
    const dead = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
    expectProblem(
      await api.post(`/v1/messages/${dead}/retry`, { token: net.otherClinic.key }),
      404,
      'message_not_found',
    );
    expect(await env.DB.prepare('select status from messages where id = ?').bind(dead).first()).toEqual({
      status: 'dead',
    });
  });
});

describe('/v1/messaging/settings', () => {
  it('answers the defaults, saves new settings (audited) and refuses bad ones', async () => {
    const { api, net } = await scene();
    const before = await api.get('/v1/messaging/settings', { token: net.clinic.key });
    expect(before.body).toEqual({
      quiet_start: '21:00',
      quiet_end: '08:00',
      monthly_cap: 4,
      expiry_reminder_days: 14,
      survey_delay_hours: 24,
      birthday_greetings: true,
      updated_at: null,
    });
    const body = {
      quiet_start: '22:30',
      quiet_end: '07:15',
      monthly_cap: 2,
      expiry_reminder_days: 7,
      survey_delay_hours: null,
      birthday_greetings: false,
    };
    const saved = await api.put('/v1/messaging/settings', { token: net.clinic.key, body });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toEqual({ ...body, updated_at: new Date(T0).toISOString() });
    expect((await api.get('/v1/messaging/settings', { token: net.clinic.key })).body).toMatchObject(body);
    expect((await api.get('/v1/messaging/settings', { token: net.otherClinic.key })).body.monthly_cap).toBe(
      4,
    );
    const row = await env.DB.prepare(
      'select quiet_start_minute, quiet_end_minute from messaging_settings where clinic_id = ?',
    )
      .bind(net.clinic.id)
      .first();
    expect(row).toEqual({ quiet_start_minute: 22 * 60 + 30, quiet_end_minute: 7 * 60 + 15 });
    const audit = await env.DB.prepare(
      "select action from audit_events where subject_id = ? and action = 'messaging_settings.update'",
    )
      .bind(net.clinic.id)
      .first();
    expect(audit).toEqual({ action: 'messaging_settings.update' });
    for (const bad of [
      { quiet_start: '25:00' },
      { monthly_cap: -1 },
      { expiry_reminder_days: 0 },
      { extra: 1 },
    ])
      expectProblem(
        await api.put('/v1/messaging/settings', { token: net.clinic.key, body: { ...body, ...bad } }),
        400,
        'validation_failed',
      );
  });
});

describeSecurity('GET /v1/messages', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/messages',
});
describeSecurity('GET /v1/messages/{id}', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => outboxMessage(net.clinic.id, (await createPatient(api, net.clinic.key)).id),
  path: (id) => `/v1/messages/${id}`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'message_not_found',
});
describeSecurity('POST /v1/messages/{id}/retry', {
  method: 'POST',
  roles: ['clinic'],
  setup: async (api, net) =>
    outboxMessage(net.clinic.id, (await createPatient(api, net.clinic.key)).id, { status: 'dead' }),
  path: (id) => `/v1/messages/${id}/retry`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'message_not_found',
});
describeSecurity('GET /v1/messaging/settings', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/messaging/settings',
});
describeSecurity('PUT /v1/messaging/settings', {
  method: 'PUT',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/messaging/settings',
  body: () => ({
    quiet_start: '21:00',
    quiet_end: '08:00',
    monthly_cap: 4,
    expiry_reminder_days: 14,
    survey_delay_hours: 24,
    birthday_greetings: true,
  }),
});
