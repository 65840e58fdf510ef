import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { segmentMembersCsv, snapshotDueSegments, snapshotSegments } from '@gratia/insight';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/api/src/app';
import { type Client, createClient, T0 } from '../helpers/api';
import { orgWithCaller, testDeps } from '../helpers/deps';
import { createNetwork, createPatient, type Network } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { staffSession } from '../helpers/staff';

// Saved segments through the API: created with a live count, listed with counts, read, changed,
// archived, previewed before saving; members paged and as CSV; months from the daily snapshots. Bad
// rules are a 400 naming the path; another clinic's segment is a 404; each route's auth cases.

const VIP = [{ field: 'tag', op: 'has', value: 'vip' }];

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const vip = await createPatient(api, net.clinic.key, { preferences: { tags: ['vip'] } });
  const other = await createPatient(api, net.clinic.key);
  // Another clinic's VIP: never a member of clinic A's segment.
  await createPatient(api, net.otherClinic.key, { preferences: { tags: ['vip'] } });
  return { api, net, vip, other };
}

async function segmentOf(api: Client, net: Network, body: Record<string, unknown> = {}) {
  const res = await api.post('/v1/segments', {
    token: net.clinic.key,
    body: { name: 'VIPs', rules: VIP, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; members: number };
}

const audit = async (subject: string) =>
  (
    await env.DB.prepare('select action from audit_events where subject_id = ? order by rowid')
      .bind(subject)
      .all<{ action: string }>()
  ).results.map((r) => r.action);

describe('segments API', () => {
  it('creates a segment with its live count and an audit entry; a description makes it a persona', async () => {
    const { api, net } = await scene();
    const res = await api.post('/v1/segments', {
      token: net.clinic.key,
      body: { name: ' VIPs ', description: 'Our best friends', rules: VIP },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^seg_/),
      name: 'VIPs',
      description: 'Our best friends',
      persona: true,
      rules: VIP,
      members: 1,
      created_at: new Date(T0).toISOString(),
      updated_at: new Date(T0).toISOString(),
    });
    expect(await audit(res.body.id)).toEqual(['segment.create']);
  });

  it('lists segments by name with live counts that follow the data', async () => {
    const { api, net, other } = await scene();
    await segmentOf(api, net, { name: 'b VIPs' });
    await segmentOf(api, net, { name: 'a everyone', rules: [] });
    const list = await api.get('/v1/segments', { token: net.clinic.key });
    expect(list.status, list.text).toBe(200);
    expect(list.body.data.map((s: any) => [s.name, s.members])).toEqual([
      ['a everyone', 2],
      ['b VIPs', 1],
    ]);
    await api.patch(`/v1/patients/${other.id}`, {
      token: net.clinic.key,
      body: { preferences: { tags: ['vip'] } },
    });
    const again = await api.get('/v1/segments', { token: net.clinic.key });
    expect(again.body.data.map((s: any) => s.members)).toEqual([2, 2]);
    const paged = await api.get('/v1/segments?limit=1', { token: net.clinic.key });
    expect(paged.body.data).toHaveLength(1);
    const next = await api.get(`/v1/segments?limit=1&cursor=${paged.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(next.body.data.map((s: any) => s.name)).toEqual(['b VIPs']);
    expect(next.body.next_cursor).toBeNull();
    // Another clinic sees none of them.
    const theirs = await api.get('/v1/segments', { token: net.otherClinic.key });
    expect(theirs.body.data).toEqual([]);
  });

  it('reads, changes and archives a segment, each change audited', async () => {
    const { api, net } = await scene();
    const seg = await segmentOf(api, net, { description: 'Persona' });
    const got = await api.get(`/v1/segments/${seg.id}`, { token: net.clinic.key });
    expect(got.body).toMatchObject({ id: seg.id, members: 1, persona: true });
    const changed = await api.patch(`/v1/segments/${seg.id}`, {
      token: net.clinic.key,
      body: { name: 'Everyone', description: null, rules: [] },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Everyone', description: null, persona: false, members: 2 });
    const archived = await api.delete(`/v1/segments/${seg.id}`, { token: net.clinic.key });
    expect(archived.status, archived.text).toBe(200);
    expect(archived.body).toEqual({ id: seg.id, archived_at: new Date(T0).toISOString() });
    expect(await audit(seg.id)).toEqual(['segment.create', 'segment.update', 'segment.archive']);
    for (const res of [
      await api.get(`/v1/segments/${seg.id}`, { token: net.clinic.key }),
      await api.delete(`/v1/segments/${seg.id}`, { token: net.clinic.key }),
      await api.patch(`/v1/segments/${seg.id}`, { token: net.clinic.key, body: { name: 'x' } }),
    ])
      expectProblem(res, 404, 'segment_not_found');
    expect(await audit(seg.id)).toHaveLength(3);
    expect((await api.get('/v1/segments', { token: net.clinic.key })).body.data).toEqual([]);
  });

  it('previews a rule set without saving it', async () => {
    const { api, net } = await scene();
    const res = await api.post('/v1/segments/preview', { token: net.clinic.key, body: { rules: VIP } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ members: 1 });
    const all = await api.post('/v1/segments/preview', { token: net.clinic.key, body: { rules: [] } });
    expect(all.body).toEqual({ members: 2 });
    const saved = await env.DB.prepare('select count(*) n from segments where clinic_id = ?')
      .bind(net.clinic.id)
      .first<{ n: number }>();
    expect(saved?.n).toBe(0);
  });

  it('refuses rules it does not know with 400 validation_failed naming the path', async () => {
    const { api, net } = await scene();
    const bad: [unknown, string][] = [
      [[{ field: 'shoe_size', op: 'is', value: 1 }], 'rules.0'],
      [[{ field: 'tag', op: 'gte', value: 'vip' }], 'rules.0'],
      [[VIP[0], { field: 'spend_12m', op: 'gte', value: '500' }], 'rules.1'],
      [[{ field: 'abc', op: 'in', value: Array(13).fill('A') }], 'rules.0'],
      [[{ field: 'answer', key: 'x"]', op: 'is', value: 'a' }], 'rules.0'],
      [[{ field: 'consent', key: 'fax', op: 'is', value: true }], 'rules.0'],
      [Array(21).fill(VIP[0]), 'rules'],
    ];
    for (const [rules, path] of bad) {
      const res = await api.post('/v1/segments/preview', { token: net.clinic.key, body: { rules } });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: any) => e.path).join(' ')).toContain(path);
    }
    const noName = await api.post('/v1/segments', { token: net.clinic.key, body: { name: ' ', rules: [] } });
    expectProblem(noName, 400, 'validation_failed');
    const months = await api.get(`/v1/segments/seg_01JD0000000000000000000000/months?from=2026-13`, {
      token: net.clinic.key,
    });
    expectProblem(months, 400, 'validation_failed');
  });

  it("answers 404 for another clinic's segment, or one that does not exist", async () => {
    const { api, net } = await scene();
    const seg = await segmentOf(api, net);
    for (const path of [
      `/v1/segments/${seg.id}`,
      `/v1/segments/${seg.id}/members`,
      `/v1/segments/${seg.id}/members.csv`,
      `/v1/segments/${seg.id}/months`,
      '/v1/segments/seg_01JD0000000000000000000000',
      '/v1/segments/not-an-id/members',
    ])
      expectProblem(
        await api.get(path, {
          token: path.includes('01JD') || path.includes('not-an') ? net.clinic.key : net.otherClinic.key,
        }),
        404,
        'segment_not_found',
      );
  });

  it('pages the members by patient id, with what the clinic knows of each', async () => {
    const { api, net, vip, other } = await scene();
    const seg = await segmentOf(api, net, { rules: [] });
    const first = await api.get(`/v1/segments/${seg.id}/members?limit=1`, { token: net.clinic.key });
    expect(first.status, first.text).toBe(200);
    const second = await api.get(`/v1/segments/${seg.id}/members?limit=1&cursor=${first.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect([...first.body.data, ...second.body.data].map((m: any) => m.patient_id)).toEqual(
      [vip.id, other.id].sort(),
    );
    expect(second.body.next_cursor).toBeNull();
    expect(first.body.data[0]).toEqual({
      patient_id: expect.stringMatching(/^pat_/),
      first_name: 'Anna',
      last_name: expect.any(String),
      abc_class: null,
      quadrant: 'unknown',
      spend_12m: 0,
      last_visit_at: null,
      engagement: 0,
      consent: { email: false, sms: false },
    });
  });

  it('writes every member as CSV: header, RFC 4180 quoting, formulas neutralised, across chunks', async () => {
    const { api, net } = await scene();
    await createPatient(api, net.clinic.key, { first_name: '=HYPERLINK("x")', last_name: 'Comma, "Quote"' });
    const seg = await segmentOf(api, net, { rules: [] });
    const res = await api.get(`/v1/segments/${seg.id}/members.csv`, { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe(
      'patient_id,first_name,last_name,email,phone,abc_class,quadrant,spend_12m,currency,last_visit_at,engagement,consent_email,consent_sms',
    );
    expect(lines).toHaveLength(5); // header, three members, the final CRLF
    expect(res.text).toContain(`"'=HYPERLINK(""x"")","Comma, ""Quote"""`);
    // Chunks of two: all members, once each, in patient order.
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const { registerPatient } = await import('@gratia/network');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await registerPatient(deps, {
            clinic: clinic.principal,
            patient: {
              firstName: `P${i}`,
              lastName: 'X',
              email: null,
              phone: null,
              birthDate: null,
              tags: [],
              notes: null,
            },
          })
        ).id,
      );
    const { createSegment } = await import('@gratia/insight');
    const made = await createSegment(deps, { clinic: clinic.principal, name: 'All', rules: [] });
    if (!made.ok) throw new Error(made.error.code);
    const csv = await segmentMembersCsv(deps, { clinic: clinic.principal, id: made.value.id, chunk: 2 });
    if (!csv.ok) throw new Error(csv.error.code);
    const text = await new Response(csv.value).text();
    const rows = text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(rows).toEqual(ids.sort());
  });

  it('snapshots members and engagement per month, a slice of due clinics a run, and charts them', async () => {
    const { api, net, vip } = await scene();
    const seg = await segmentOf(api, net);
    await env.DB.prepare('update patient_insight set engagement = 60 where patient_id = ?')
      .bind(vip.id)
      .run();
    await env.DB.prepare(
      `insert into patient_insight (patient_id, clinic_id, engagement, refreshed_at) values (?, ?, 60, ?)
       on conflict (patient_id) do update set engagement = 60`,
    )
      .bind(vip.id, net.clinic.id, T0)
      .run();
    const deps = testDeps(fixedClock(T0 + 3600_000));
    expect((await snapshotDueSegments(deps)).clinics).toBeGreaterThanOrEqual(1);
    // Snapshotted: not due again within 20 hours.
    expect((await snapshotDueSegments(deps)).clinics).toBe(0);
    await snapshotSegments(deps, net.clinic.id, '2026-10');
    const res = await api.get(`/v1/segments/${seg.id}/months?from=2026-09&to=2026-11`, {
      token: net.clinic.key,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      from: '2026-09',
      to: '2026-11',
      months: [
        { month: '2026-09', patients: null, engagement: null },
        { month: '2026-10', patients: 1, engagement: 60 },
        { month: '2026-11', patients: 1, engagement: 60 },
      ],
    });
  });

  it('counts a clinic by its own patients (patients_clinic_idx), never a full scan', async () => {
    const { api, net } = await scene();
    await segmentOf(api, net);
    const { memberCount, rulesParam } = await import('@gratia/insight');
    const { sql } = await import('drizzle-orm');
    const deps = testDeps();
    const q = deps.db
      .select({ n: sql`${memberCount(net.clinic.id, rulesParam(VIP as any), T0)}`.as('n') })
      .from(sql`(select 1)`);
    const built = q.toSQL();
    const plan = await env.DB.prepare(`explain query plan ${built.sql}`)
      .bind(...built.params)
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail);
    expect(details.join('\n')).toMatch(/SEARCH p USING (COVERING )?INDEX patients_\w*idx \(clinic_id=\?\)/);
    expect(details.some((d) => /^SCAN (p|i|a)\b/.test(d))).toBe(false);
    expect(details.join('\n')).toMatch(
      /SEARCH i USING INDEX sqlite_autoindex_patient_insight_1|SEARCH i USING INDEX .*patient_id=\?/,
    );
  });
});

describe('segments: D1 round trips per request', () => {
  const app = createApp({ clock: fixedClock(T0) });
  const trips = async (path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await app.request(
      `https://gratia.test${path}`,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          'x-debug-d1': '1',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { ...env, EXPOSE_D1_METRICS: '1' },
    );
    await res.text();
    return {
      status: res.status,
      trips: Number(/round_trips=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1]),
    };
  };

  it('counts, lists and pages in two: the key (or session) and one', async () => {
    const { api, net } = await scene();
    const seg = await segmentOf(api, net);
    await segmentOf(api, net, { name: 'Everyone', rules: [] });
    const key = { authorization: `Bearer ${net.clinic.key}` };
    await trips('/v1/segments', key); // refreshes last_used_at
    for (const path of [
      '/v1/segments',
      `/v1/segments/${seg.id}`,
      `/v1/segments/${seg.id}/members`,
      `/v1/segments/${seg.id}/months`,
    ])
      expect(await trips(path, key), path).toEqual({ status: 200, trips: 2 });
    expect(await trips('/v1/segments/preview', key, { rules: VIP })).toEqual({ status: 200, trips: 2 });
    const manager = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'manager',
    });
    for (const path of ['/console/segments', `/console/segments/${seg.id}`])
      expect(await trips(path, { cookie: manager.cookie }), path).toEqual({ status: 200, trips: 2 });
  });
});

const withSegment = async (api: Client, net: Network) => ({ seg: await segmentOf(api, net) });

describeSecurity('GET /v1/segments', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/segments',
});
describeSecurity('POST /v1/segments', {
  method: 'POST',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/segments',
  body: () => ({ name: 'x', rules: [] }),
});
describeSecurity('POST /v1/segments/preview', {
  method: 'POST',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/segments/preview',
  body: () => ({ rules: [] }),
});
for (const [method, suffix, body] of [
  ['GET', '', undefined],
  ['PATCH', '', { name: 'y' }],
  ['DELETE', '', undefined],
  ['GET', '/members', undefined],
  ['GET', '/members.csv', undefined],
  ['GET', '/months', undefined],
] as const)
  describeSecurity(`${method} /v1/segments/{id}${suffix}`, {
    method,
    roles: ['clinic'],
    setup: withSegment,
    path: (c) => `/v1/segments/${c.seg.id}${suffix}`,
    ...(body ? { body: () => body } : {}),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'segment_not_found',
  });
