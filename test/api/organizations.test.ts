import { describe, expect, it } from 'vitest';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createClinic, createPartner } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

const clinicBody = {
  kind: 'clinic',
  name: 'Aesthetics Clinic Mitte',
  currency: 'EUR',
  timezone: 'Europe/Berlin',
};

describe('POST /v1/organizations', () => {
  it('onboards a clinic', async () => {
    const api = createClient();
    const res = await api.post('/v1/organizations', { token: OPERATOR_TOKEN, body: clinicBody });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'clinic',
      name: 'Aesthetics Clinic Mitte',
      category: null,
      currency: 'EUR',
    });
    expect(res.body.id).toMatch(/^org_[0-9A-Z]{26}$/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('onboards a partner with its category, contact and booking link', async () => {
    const api = createClient();
    const res = await api.post('/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: {
        kind: 'partner',
        name: 'Hands of Grace',
        category: 'massage',
        currency: 'EUR',
        timezone: 'Europe/Berlin',
        email: 'Desk@Hands.example',
        phone: '+4930123456',
        address: 'Torstr. 1, Berlin',
        booking_url: 'https://hands.example/book',
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      category: 'massage',
      email: 'desk@hands.example',
      booking_url: 'https://hands.example/book',
    });
  });

  it('requires a category for partners and refuses one for clinics', async () => {
    const api = createClient();
    const partner = await api.post('/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: { ...clinicBody, kind: 'partner' },
    });
    expectProblem(partner, 400, 'validation_failed');
    expect(partner.body.errors).toContainEqual({ path: 'category', message: 'is required for partners' });
    const clinic = await api.post('/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: { ...clinicBody, category: 'massage' },
    });
    expectProblem(clinic, 400, 'validation_failed');
  });

  it('lists every invalid field with its path', async () => {
    const api = createClient();
    const res = await api.post('/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: {
        kind: 'hospital',
        name: '',
        currency: 'euro',
        timezone: 'Mars/Olympus',
        phone: '030 123',
        extra: 1,
      },
    });
    expectProblem(res, 400, 'validation_failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['kind', 'name', 'currency', 'timezone', 'phone']));
    expect(JSON.stringify(res.body.errors)).toContain('extra');
  });

  it('answers malformed JSON, a wrong content type and an oversized body with distinct 4xx codes', async () => {
    const api = createClient();
    const headers = { 'content-type': 'application/json' };
    expectProblem(
      await api.post('/v1/organizations', { token: OPERATOR_TOKEN, rawBody: '{"kind":', headers }),
      400,
      'malformed_json',
    );
    expectProblem(
      await api.post('/v1/organizations', {
        token: OPERATOR_TOKEN,
        rawBody: 'kind=clinic',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'unsupported_media_type',
    );
    expectProblem(
      await api.post('/v1/organizations', {
        token: OPERATOR_TOKEN,
        rawBody: JSON.stringify({ name: 'x'.repeat(70_000) }),
        headers,
      }),
      413,
      'payload_too_large',
    );
    expectProblem(await api.post('/v1/organizations', { token: OPERATOR_TOKEN }), 400, 'validation_failed');
  });

  describeSecurity('POST /v1/organizations', {
    method: 'POST',
    roles: ['operator'],
    setup: async () => ({}),
    path: () => '/v1/organizations',
    body: () => clinicBody,
  });
});

describe('GET /v1/organizations', () => {
  it('pages through the network with a cursor and filters by kind', async () => {
    const api = createClient();
    const created = [
      await createClinic(api),
      await createClinic(api),
      await createClinic(api),
      await createPartner(api),
    ];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/v1/organizations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: OPERATOR_TOKEN,
      });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((o: { id: string }) => o.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(created.map((o) => o.id)));
    const partners = await api.get('/v1/organizations?kind=partner', { token: OPERATOR_TOKEN });
    expect(partners.body.data.length).toBeGreaterThan(0);
    expect(partners.body.data.every((o: { kind: string }) => o.kind === 'partner')).toBe(true);
  });

  it('refuses a bad limit and a forged cursor', async () => {
    const api = createClient();
    expectProblem(
      await api.get('/v1/organizations?limit=500', { token: OPERATOR_TOKEN }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/organizations?cursor=bm9wZQ', { token: OPERATOR_TOKEN }),
      400,
      'invalid_cursor',
    );
  });

  describeSecurity('GET /v1/organizations', {
    method: 'GET',
    roles: ['operator'],
    setup: async () => ({}),
    path: () => '/v1/organizations',
  });
});

describe('GET /v1/organizations/{id}', () => {
  it('reads one organisation, and 404s an unknown id', async () => {
    const api = createClient();
    const clinic = await createClinic(api, { name: 'Dental Care Nord' });
    const res = await api.get(`/v1/organizations/${clinic.id}`, { token: OPERATOR_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Dental Care Nord');
    expectProblem(
      await api.get('/v1/organizations/org_nope', { token: OPERATOR_TOKEN }),
      404,
      'organization_not_found',
    );
  });

  describeSecurity('GET /v1/organizations/{id}', {
    method: 'GET',
    roles: ['operator'],
    setup: async (_api, net) => net.clinic,
    path: (org) => `/v1/organizations/${org.id}`,
  });
});
