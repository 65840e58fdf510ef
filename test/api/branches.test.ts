import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { staffSession } from '../helpers/staff';

// Where things are: a clinic's branches (list, add, change, archive; coordinates validated and kept
// as degrees times 1e6), a partner saying where it is (the API and its counter page), the operator
// placing a partner when onboarding it, and the console's Branches page, for owners and managers.

const location = (res: { headers: Headers }) => res.headers.get('location') ?? '';

const stored = async (id: string) =>
  env.DB.prepare('select * from clinic_branches where id = ?').bind(id).first<Record<string, unknown>>();

const audit = async (subjectId: string) =>
  (
    await env.DB.prepare('select action from audit_events where subject_id = ? order by rowid')
      .bind(subjectId)
      .all<{ action: string }>()
  ).results.map((r) => r.action);

describe('branches API', () => {
  it('adds, lists, changes and archives a branch, each with an audit entry', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const key = net.clinic.key;
    const made = await api.post('/v1/branches', {
      token: key,
      body: { name: ' Downtown ', address: 'Friedrichstraße 1', latitude: 52.520008, longitude: 13.404954 },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toEqual({
      id: expect.stringMatching(/^brn_/),
      name: 'Downtown',
      address: 'Friedrichstraße 1',
      latitude: 52.520008,
      longitude: 13.404954,
      created_at: new Date(T0).toISOString(),
    });
    expect(await stored(made.body.id)).toMatchObject({ latitude_e6: 52_520_008, longitude_e6: 13_404_954 });
    const second = await api.post('/v1/branches', { token: key, body: { name: 'Uptown' } });
    expect(second.body).toMatchObject({ latitude: null, longitude: null, address: null });
    const list = await api.get('/v1/branches', { token: key });
    expect(list.body.data.map((b: { name: string }) => b.name)).toEqual(['Downtown', 'Uptown']);
    expect((await api.get('/v1/branches', { token: net.otherClinic.key })).body.data).toEqual([]);

    const changed = await api.patch(`/v1/branches/${second.body.id}`, {
      token: key,
      body: { name: 'Uptown East', latitude: -33.8688, longitude: 151.2093 },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Uptown East', latitude: -33.8688, longitude: 151.2093 });
    const cleared = await api.patch(`/v1/branches/${second.body.id}`, {
      token: key,
      body: { latitude: null, longitude: null, address: null },
    });
    expect(cleared.body).toMatchObject({ name: 'Uptown East', latitude: null, longitude: null });

    const archived = await api.delete(`/v1/branches/${second.body.id}`, { token: key });
    expect(archived.status, archived.text).toBe(200);
    expect((await api.get('/v1/branches', { token: key })).body.data).toHaveLength(1);
    expectProblem(
      await api.delete(`/v1/branches/${second.body.id}`, { token: key }),
      404,
      'branch_not_found',
    );
    expectProblem(
      await api.patch(`/v1/branches/${second.body.id}`, { token: key, body: { name: 'Back' } }),
      404,
      'branch_not_found',
    );
    expect(await audit(second.body.id)).toEqual([
      'branch.create',
      'branch.update',
      'branch.update',
      'branch.archive',
    ]);
  });

  it('refuses coordinates out of range, or one without the other, and unknown fields (400)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'A', latitude: 90.5, longitude: 0 },
      { name: 'A', latitude: 0, longitude: -180.01 },
      { name: 'A', latitude: 52.5 },
      { name: 'A', longitude: 13.4 },
      { name: 'A', latitude: '52.5', longitude: '13.4' },
      { name: 'A', colour: 'blue' },
    ])
      expectProblem(
        await api.post('/v1/branches', { token: net.clinic.key, body }),
        400,
        'validation_failed',
      );
    const b = await api.post('/v1/branches', { token: net.clinic.key, body: { name: 'A' } });
    for (const body of [{ latitude: 10 }, { latitude: null, longitude: 5 }, { latitude: 91, longitude: 0 }])
      expectProblem(
        await api.patch(`/v1/branches/${b.body.id}`, { token: net.clinic.key, body }),
        400,
        'validation_failed',
      );
    expect(await audit(b.body.id)).toEqual(['branch.create']);
  });

  it("answers another clinic's branch, or none, as not found, and changes nothing", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const b = await api.post('/v1/branches', { token: net.clinic.key, body: { name: 'Mine' } });
    for (const id of [b.body.id, 'brn_01JD0000000000000000000000', 'brn_nope'])
      expectProblem(
        await api.patch(`/v1/branches/${id}`, { token: net.otherClinic.key, body: { name: 'Theirs' } }),
        404,
        'branch_not_found',
      );
    expectProblem(
      await api.delete(`/v1/branches/${b.body.id}`, { token: net.otherClinic.key }),
      404,
      'branch_not_found',
    );
    expect(await stored(b.body.id)).toMatchObject({ name: 'Mine', archived_at: null });
  });

  it('front desk staff may read the branches but not change them (403)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const res = await desk.post('/console/branches', { name: 'Desk branch' });
    expect(res.status).toBe(403);
    expect((await api.get('/v1/branches', { token: net.clinic.key })).body.data).toEqual([]);
  });
});

describeSecurity('GET /v1/branches', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/branches',
});
describeSecurity('POST /v1/branches', {
  method: 'POST',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/branches',
  body: () => ({ name: 'Secure' }),
});
const branchOf = async (api: Client, key: string) =>
  (await api.post('/v1/branches', { token: key, body: { name: 'Secured' } })).body as { id: string };
describeSecurity('PATCH /v1/branches/{id}', {
  method: 'PATCH',
  roles: ['clinic'],
  setup: (api, net) => branchOf(api, net.clinic.key),
  path: (b) => `/v1/branches/${b.id}`,
  body: () => ({ name: 'Changed' }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'branch_not_found',
});
describeSecurity('DELETE /v1/branches/{id}', {
  method: 'DELETE',
  roles: ['clinic'],
  setup: (api, net) => branchOf(api, net.clinic.key),
  path: (b) => `/v1/branches/${b.id}`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'branch_not_found',
});

describe('PUT /v1/location', () => {
  it('sets where the calling partner is, and its address when given; the operator may set it at onboarding', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const res = await api.put('/v1/location', {
      token: net.partner.key,
      body: { latitude: 52.538, longitude: 13.405, address: 'Torstraße 5, Berlin' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      organization_id: net.partner.id,
      address: 'Torstraße 5, Berlin',
      latitude: 52.538,
      longitude: 13.405,
    });
    const row = await env.DB.prepare(
      'select latitude_e6, longitude_e6, address from organizations where id = ?',
    )
      .bind(net.partner.id)
      .first();
    expect(row).toEqual({
      latitude_e6: 52_538_000,
      longitude_e6: 13_405_000,
      address: 'Torstraße 5, Berlin',
    });
    // Without an address, the address stays.
    const moved = await api.put('/v1/location', {
      token: net.partner.key,
      body: { latitude: 1, longitude: 2 },
    });
    expect(moved.body.address).toBe('Torstraße 5, Berlin');
    expect(await audit(net.partner.id)).toContain('organization.locate');
    for (const body of [{}, { latitude: 1 }, { latitude: 91, longitude: 0 }, { latitude: 0, longitude: 181 }])
      expectProblem(
        await api.put('/v1/location', { token: net.partner.key, body }),
        400,
        'validation_failed',
      );

    const onboarded = await api.post('/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: {
        kind: 'partner',
        name: 'Placed Pharmacy',
        category: 'pharmacy',
        currency: 'EUR',
        timezone: 'Europe/Berlin',
        latitude: 48.1351,
        longitude: 11.582,
      },
    });
    expect(onboarded.status, onboarded.text).toBe(201);
    const placed = await env.DB.prepare('select latitude_e6, longitude_e6 from organizations where id = ?')
      .bind(onboarded.body.id)
      .first();
    expect(placed).toEqual({ latitude_e6: 48_135_100, longitude_e6: 11_582_000 });
    expectProblem(
      await api.post('/v1/organizations', {
        token: OPERATOR_TOKEN,
        body: {
          kind: 'partner',
          name: 'Half',
          category: 'pharmacy',
          currency: 'EUR',
          timezone: 'Europe/Berlin',
          latitude: 1,
        },
      }),
      400,
      'validation_failed',
    );
  });
});

describeSecurity('PUT /v1/location', {
  method: 'PUT',
  roles: ['partner'],
  setup: async () => ({}),
  path: () => '/v1/location',
  body: () => ({ latitude: 1, longitude: 2 }),
});

describe('console: Branches', () => {
  it('lists, adds, changes and archives branches from the programme page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const manager = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'manager',
    });
    const programme = await manager.get('/console/programme');
    expect(programme.text).toContain('href="/console/branches"');
    const empty = await manager.get('/console/branches');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No branches yet.');

    const added = await manager.post('/console/branches', {
      name: 'Downtown',
      address: 'Friedrichstraße 1',
      latitude: '52,52',
      longitude: '13.405',
    });
    expect(added.status, added.text).toBe(303);
    expect(location(added)).toMatch(/^\/console\/branches\?added=brn_/);
    const id = location(added).split('=')[1]!;
    const page = await manager.get(location(added));
    expect(page.text).toContain('The branch is added.');
    expect(page.text).toContain('Downtown');
    expect(page.text).toContain('52.52, 13.405');
    expect(page.text).toContain(`name="${id}-name"`);

    const saved = await manager.post(`/console/branches/${id}`, {
      [`${id}-name`]: 'Mitte',
      [`${id}-address`]: '',
      [`${id}-latitude`]: '',
      [`${id}-longitude`]: '',
    });
    expect(location(saved)).toBe(`/console/branches?saved=${id}`);
    const mitte = (await api.get('/v1/branches', { token: net.clinic.key })).body.data[0];
    expect(mitte).toMatchObject({ name: 'Mitte', address: null, latitude: null });

    const invalid: Record<string, string>[] = [
      { name: '' },
      { name: 'A', latitude: '95', longitude: '0' },
      { name: 'A', latitude: '52.5' },
      { name: 'A', latitude: 'north', longitude: '13' },
    ];
    for (const fields of invalid) {
      const bad = await manager.post('/console/branches', fields);
      expect(location(bad)).toMatch(/^\/console\/branches\?error=validation_failed&field=(name|place)$/);
    }
    const help = await manager.get('/console/branches?error=validation_failed&field=place');
    expect(help.text).toContain('Enter both latitude');

    const archived = await manager.post(`/console/branches/${id}/archive`, {});
    expect(location(archived)).toBe(`/console/branches?archived=${id}`);
    expect((await api.get('/v1/branches', { token: net.clinic.key })).body.data).toEqual([]);
    const again = await manager.post(`/console/branches/${id}/archive`, {});
    expect(location(again)).toBe('/console/branches?error=branch_not_found');
  });

  it('is for owners and managers: front desk gets the not-allowed page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/branches')).status).toBe(403);
  });
});

describe('counter page: Where you are', () => {
  it('shows and saves the partner’s place; staff of the staff role are not allowed', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role: 'owner' });
    const offers = await owner.get('/partner/offers');
    expect(offers.text).toContain('href="/partner/location"');
    const blank = await owner.get('/partner/location');
    expect(blank.status).toBe(200);
    expect(blank.text).toContain('Where you are');
    const saved = await owner.post('/partner/location', {
      address: 'Torstraße 5',
      latitude: '52.538',
      longitude: '13,405',
    });
    expect(location(saved)).toBe('/partner/location?saved=1');
    const shown = await owner.get('/partner/location?saved=1');
    expect(shown.text).toContain('value="52.538"');
    expect(shown.text).toContain('value="13.405"');
    expect(shown.text).toContain('value="Torstraße 5"');
    const bad = await owner.post('/partner/location', { latitude: '100', longitude: '1' });
    expect(location(bad)).toBe('/partner/location?error=validation_failed');
    expect((await owner.get('/partner/location?error=validation_failed')).text).toContain('decimal degrees');

    const staff = await staffSession(api, { organizationId: net.partner.id, kind: 'partner', role: 'staff' });
    expect((await staff.get('/partner/location')).status).toBe(403);
    expect((await staff.post('/partner/location', { latitude: '1', longitude: '1' })).status).toBe(403);
    // A partner's place shows in suggestions of an offer of theirs.
    const clinicBranch = await api.post('/v1/branches', {
      token: net.clinic.key,
      body: { name: 'Downtown', latitude: 52.52, longitude: 13.405 },
    });
    expect(clinicBranch.status).toBe(201);
    const offer = await createOffer(api, net.partner.key, { title: 'Located massage' });
    const patient = await createPatient(api, net.clinic.key);
    const s = await api.get(`/v1/patients/${patient.id}/gift_suggestions?limit=50`, {
      token: net.clinic.key,
    });
    const mine = s.body.data.find((d: { offer_id: string }) => d.offer_id === offer.id);
    expect(mine.reasons).toContain('2 km from the Downtown branch');
  });
});
