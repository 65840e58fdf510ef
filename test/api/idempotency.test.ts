import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { createClinic, createNetwork, createPatient, recordVisit } from '../helpers/factories';
import { expectProblem } from '../helpers/security';

const body = { first_name: 'Ida', last_name: 'Idempotent' };

describe('Idempotency-Key', () => {
  it('replays the stored response for the same key and body', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const headers = { 'idempotency-key': 'k-replay' };
    const first = await api.post('/v1/patients', { token: clinic.key, body, headers });
    const second = await api.post('/v1/patients', { token: clinic.key, body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses the same key with a different body (422 idempotency_key_reused)', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const headers = { 'idempotency-key': 'k-reuse' };
    await api.post('/v1/patients', { token: clinic.key, body, headers });
    expectProblem(
      await api.post('/v1/patients', { token: clinic.key, body: { ...body, first_name: 'Other' }, headers }),
      422,
      'idempotency_key_reused',
    );
  });

  it('answers 409 while a request with the key is in flight, and lets a stale claim be taken over', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const headers = { 'idempotency-key': 'k-inflight' };
    // A request that claimed the key and has not finished (or died).
    const first = await api.post('/v1/patients', { token: clinic.key, body, headers });
    await env.DB.prepare(
      "update idempotency_keys set state = 'in_flight', claim = 'someone-else', created_at = ? where key = 'k-inflight'",
    )
      .bind(api.clock.now())
      .run();
    expectProblem(
      await api.post('/v1/patients', { token: clinic.key, body, headers }),
      409,
      'idempotency_key_in_use',
    );
    api.clock.advance?.(61_000);
    const retried = await api.post('/v1/patients', { token: clinic.key, body, headers });
    expect(retried.status).toBe(201);
    expect(retried.body.id).not.toBe(first.body.id);
  });

  it('serves a stored response only to a key still valid: a revoked key replaying it gets 401', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const headers = { 'idempotency-key': 'spend-once-then-revoked' };
    const spend = { card_number: patient.card_number, points: 100 };
    // Deferred (the counter's spend) and eager (a patient) routes alike.
    const first = await api.post('/v1/points/redemptions', { token: net.partner.key, body: spend, headers });
    expect(first.status).toBe(201);
    const made = await api.post('/v1/patients', { token: net.clinic.key, body, headers });
    expect(made.status).toBe(201);
    for (const key of [net.partner.keyId, net.clinic.keyId])
      expect((await api.delete(`/v1/api_keys/${key}`, { token: OPERATOR_TOKEN })).status).toBe(200);
    expectProblem(
      await api.post('/v1/points/redemptions', { token: net.partner.key, body: spend, headers }),
      401,
      'unauthorized',
    );
    expectProblem(
      await api.post('/v1/patients', { token: net.clinic.key, body, headers }),
      401,
      'unauthorized',
    );
  });

  it('replays a stored error as problem+json, like the first answer', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const headers = { 'idempotency-key': 'refused-then-replayed' };
    const spend = { card_number: '8000000000000002', points: 100 };
    const first = await api.post('/v1/points/redemptions', { token: net.partner.key, body: spend, headers });
    expectProblem(first, 404, 'card_not_found');
    const again = await api.post('/v1/points/redemptions', { token: net.partner.key, body: spend, headers });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.code).toBe('card_not_found');
  });

  it('is scoped to the caller: two clinics may use the same key', async () => {
    const api = createClient();
    const a = await createClinic(api);
    const b = await createClinic(api);
    const headers = { 'idempotency-key': 'k-shared' };
    const ra = await api.post('/v1/patients', { token: a.key, body, headers });
    const rb = await api.post('/v1/patients', { token: b.key, body, headers });
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(rb.headers.get('idempotent-replayed')).toBeNull();
    expect(rb.body.clinic_id).toBe(b.id);
  });

  it('does not keep a key whose request failed validation, so the fixed request can use it', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const headers = { 'idempotency-key': 'k-fixed' };
    expectProblem(
      await api.post('/v1/patients', { token: clinic.key, body: { first_name: '' }, headers }),
      400,
      'validation_failed',
    );
    const fixed = await api.post('/v1/patients', { token: clinic.key, body, headers });
    expect(fixed.status).toBe(201);
  });

  it('refuses keys that are empty, too long or not printable ASCII', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    for (const key of ['x'.repeat(256), '', 'has space']) {
      expectProblem(
        await api.post('/v1/patients', { token: clinic.key, body, headers: { 'idempotency-key': key } }),
        400,
        'invalid_idempotency_key',
      );
    }
    expect(
      (
        await api.post('/v1/patients', {
          token: clinic.key,
          body,
          headers: { 'idempotency-key': 'x'.repeat(255) },
        })
      ).status,
    ).toBe(201);
  });

  it('forgets keys after the 24 h retention window (purged by the cron job)', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const clinic = await createClinic(api);
    const headers = { 'idempotency-key': 'k-retention' };
    const first = await api.post('/v1/patients', { token: clinic.key, body, headers });
    clock.advance(24 * 3600_000 + 1);
    const purged = await runScheduledJobs(env, clock.now(), 'test');
    expect(purged.purge_idempotency_keys).toBeGreaterThanOrEqual(1);
    const after = await api.post('/v1/patients', { token: clinic.key, body, headers });
    expect(after.status).toBe(201);
    expect(after.body.id).not.toBe(first.body.id);
  });
});
