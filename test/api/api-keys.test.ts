import { describe, expect, it } from 'vitest';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createClinic, createPartner } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

describe('POST /v1/organizations/{id}/api_keys', () => {
  it('shows the secret once, stores only its hash, and the key works', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const res = await api.post(`/v1/organizations/${clinic.id}/api_keys`, {
      token: OPERATOR_TOKEN,
      body: { name: 'front desk' },
    });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^gr_cln_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({
      organization_id: clinic.id,
      name: 'front desk',
      revoked_at: null,
      last_used_at: null,
    });
    expect(res.body.secret.startsWith(res.body.prefix)).toBe(true);

    const list = await api.get(`/v1/organizations/${clinic.id}/api_keys`, { token: OPERATOR_TOKEN });
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(res.body.id);

    const { results } = await (await import('cloudflare:workers')).env.DB.prepare(
      'select secret_hash from api_keys where id = ?',
    )
      .bind(res.body.id)
      .all<{ secret_hash: string }>();
    expect(results[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(results[0]!.secret_hash).not.toContain(res.body.secret);

    expect((await api.get('/v1/patients', { token: res.body.secret })).status).toBe(200);
  });

  it('records when a key was last used', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    await api.get('/v1/patients', { token: clinic.key });
    // The refresh runs off the response path; give it its turn.
    await new Promise((r) => setTimeout(r, 0));
    const list = await api.get(`/v1/organizations/${clinic.id}/api_keys`, { token: OPERATOR_TOKEN });
    const key = list.body.data.find((k: { id: string }) => k.id === clinic.keyId);
    expect(key.last_used_at).toBe(new Date(api.clock.now()).toISOString());
  });

  it('gives partner keys their own prefix and 404s an unknown organisation', async () => {
    const api = createClient();
    const partner = await createPartner(api);
    expect(partner.key).toMatch(/^gr_ptn_/);
    expectProblem(
      await api.post('/v1/organizations/org_01ZZZZZZZZZZZZZZZZZZZZZZZZ/api_keys', {
        token: OPERATOR_TOKEN,
        body: {},
      }),
      404,
      'organization_not_found',
    );
  });

  describeSecurity('POST /v1/organizations/{id}/api_keys', {
    method: 'POST',
    roles: ['operator'],
    setup: async (_api, net) => net.clinic,
    path: (org) => `/v1/organizations/${org.id}/api_keys`,
    body: () => ({}),
  });
  describeSecurity('GET /v1/organizations/{id}/api_keys', {
    method: 'GET',
    roles: ['operator'],
    setup: async (_api, net) => net.clinic,
    path: (org) => `/v1/organizations/${org.id}/api_keys`,
  });
});

describe('DELETE /v1/api_keys/{id}', () => {
  it('revokes at once: the very next request with the secret is refused', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    expect((await api.get('/v1/patients', { token: clinic.key })).status).toBe(200);
    const res = await api.delete(`/v1/api_keys/${clinic.keyId}`, { token: OPERATOR_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.revoked_at).toBe(new Date(api.clock.now()).toISOString());
    expectProblem(await api.get('/v1/patients', { token: clinic.key }), 401, 'unauthorized');
    // Revoking again is harmless and keeps the original time.
    api.clock.advance?.(1000);
    const again = await api.delete(`/v1/api_keys/${clinic.keyId}`, { token: OPERATOR_TOKEN });
    expect(again.body.revoked_at).toBe(res.body.revoked_at);
  });

  it('lets an organisation revoke its own key but not another organisation’s (404)', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const other = await createClinic(api);
    const spare = await api.post(`/v1/organizations/${clinic.id}/api_keys`, {
      token: OPERATOR_TOKEN,
      body: {},
    });
    expectProblem(
      await api.delete(`/v1/api_keys/${spare.body.id}`, { token: other.key }),
      404,
      'api_key_not_found',
    );
    expect((await api.get('/v1/patients', { token: spare.body.secret })).status).toBe(200);
    const own = await api.delete(`/v1/api_keys/${spare.body.id}`, { token: clinic.key });
    expect(own.status).toBe(200);
    expectProblem(await api.get('/v1/patients', { token: spare.body.secret }), 401, 'unauthorized');
  });

  describeSecurity('DELETE /v1/api_keys/{id}', {
    method: 'DELETE',
    roles: ['operator', 'clinic', 'partner'],
    setup: async (api, net) =>
      (await api.post(`/v1/organizations/${net.clinic.id}/api_keys`, { token: OPERATOR_TOKEN, body: {} }))
        .body,
    path: (key) => `/v1/api_keys/${key.id}`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'api_key_not_found',
  });
});

describe('GET /v1/me', () => {
  it('says whose key it is, for each role', async () => {
    const api = createClient();
    const clinic = await createClinic(api, { name: 'Me Clinic' });
    const partner = await createPartner(api, { name: 'Me Partner', category: 'pharmacy' });
    expect((await api.get('/v1/me', { token: OPERATOR_TOKEN })).body).toEqual({
      role: 'operator',
      organization: null,
      api_key_id: null,
    });
    const c = await api.get('/v1/me', { token: clinic.key });
    expect(c.body).toMatchObject({
      role: 'clinic',
      organization: { id: clinic.id, name: 'Me Clinic' },
      api_key_id: clinic.keyId,
    });
    const p = await api.get('/v1/me', { token: partner.key });
    expect(p.body).toMatchObject({ role: 'partner', organization: { id: partner.id, category: 'pharmacy' } });
  });

  describeSecurity('GET /v1/me', {
    method: 'GET',
    roles: ['operator', 'clinic', 'partner'],
    setup: async () => ({}),
    path: () => '/v1/me',
  });
});
