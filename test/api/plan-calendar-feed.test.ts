import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, newId } from '@gratia/core';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { planItem } from '../helpers/plan';
import { describeSecurity, expectProblem } from '../helpers/security';

// A staff member's items as an iCalendar feed at a secret URL: created (or rotated) and revoked through
// the API, read without a session, parsed here with ical.js (Mozilla's maintained parser) as calendar
// apps would read it. A rotated or revoked token's URL is a 404 problem.

async function staffOf(
  api: Client,
  clinicId: string,
  role: 'owner' | 'manager' | 'front_desk',
  name: string,
) {
  const key = await api.post(`/v1/organizations/${clinicId}/api_keys`, {
    token: OPERATOR_TOKEN,
    body: { name: 'console key' },
  });
  expect(key.status, key.text).toBe(201);
  const id = newId('stf', api.clock.now());
  await env.DB.batch([
    env.DB.prepare("update api_keys set kind = 'staff' where id = ?").bind(key.body.id),
    env.DB.prepare(
      'insert into staff_members (id, organization_id, name, role, key_id, created_at) values (?, ?, ?, ?, ?, ?)',
    ).bind(id, clinicId, name, role, key.body.id, T0),
  ]);
  return { id, name, key: key.body.secret as string };
}

async function scene() {
  const api = createClient(fixedClock(T0));
  const net = await createNetwork(api);
  const desk = await staffOf(api, net.clinic.id, 'front_desk', 'Fiona Desk');
  const other = await staffOf(api, net.clinic.id, 'front_desk', 'Otto Desk');
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Dana', last_name: 'meyer' });
  return { api, net, desk, other, patient };
}

const pathOf = (url: string) => new URL(url).pathname;

describe('the calendar feed', () => {
  it('holds the staff member’s planned items as all-day events that ical.js reads', async () => {
    const { api, net, desk, other, patient } = await scene();
    const c = net.clinic.id;
    const expiring = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-03',
      ownerStaffId: desk.id,
      kind: 'points_expiring',
      purpose: '120 points lapse on 30 November',
    });
    const gift = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2027-03-01',
      ownerStaffId: desk.id,
      kind: 'personal_gift',
      channel: 'gift',
      costAmount: 6500,
    });
    const recent = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-10-10',
      ownerStaffId: desk.id,
    });
    // Left out: done, skipped, too old, too far ahead, someone else's.
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-04',
      ownerStaffId: desk.id,
      status: 'done',
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-04',
      ownerStaffId: desk.id,
      status: 'skipped',
    });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-09-01', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2028-01-01', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-11-03', ownerStaffId: other.id });

    const created = await api.post('/v1/plan/calendar-feed', { token: desk.key });
    expect(created.status, created.text).toBe(201);
    expect(created.body.staff_id).toBe(desk.id);
    expect(created.body.url).toMatch(/^https:\/\/gratia\.test\/calendar\/[A-Za-z0-9_-]{32}\.ics$/);
    expect(created.body.webcal_url).toBe(created.body.url.replace('https:', 'webcal:'));
    const token = pathOf(created.body.url).slice('/calendar/'.length, -4);
    const stored = await env.DB.prepare('select * from calendar_feeds where staff_id = ?')
      .bind(desk.id)
      .first<any>();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);

    const res = await api.get(pathOf(created.body.url));
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.text).toContain('\r\n');
    const cal = new ICAL.Component(ICAL.parse(res.text));
    expect(cal.name).toBe('vcalendar');
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(String(cal.getFirstPropertyValue('prodid'))).toContain('Gratia');
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.uid)).toEqual([
      `${recent}@gratia.test`,
      `${expiring}@gratia.test`,
      `${gift}@gratia.test`,
    ]);
    const first = events[1]!;
    expect(first.summary).toBe('Call Dana M. — points expiring');
    expect(first.description).toBe('120 points lapse on 30 November\nChannel: call');
    expect(first.startDate.isDate).toBe(true);
    expect(first.startDate.toString()).toBe('2026-11-03');
    expect(first.endDate.toString()).toBe('2026-11-04');
    expect(first.component.getFirstPropertyValue('url')).toBe(
      `https://gratia.test/console/patients/${patient.id}`,
    );
    expect(first.component.getFirstPropertyValue('dtstamp')).toBeTruthy();
    expect(events[2]!.summary).toBe('Gift for Dana M. — personal gift');
    const fetched = await env.DB.prepare('select last_fetched_at from calendar_feeds where staff_id = ?')
      .bind(desk.id)
      .first<any>();
    expect(fetched.last_fetched_at).toBe(T0);
    const audit = await env.DB.prepare(
      "select * from audit_events where action = 'calendar_feed.create' and subject_id = ?",
    )
      .bind(desk.id)
      .all();
    expect(audit.results).toHaveLength(1);
  });

  it('rotates: the old URL is a 404 problem, the new one works; revoked, neither', async () => {
    const { api, desk } = await scene();
    const first = await api.post('/v1/plan/calendar-feed', { token: desk.key });
    const second = await api.post('/v1/plan/calendar-feed', { token: desk.key });
    expect(second.status).toBe(201);
    expect(second.body.url).not.toBe(first.body.url);
    const old = await api.get(pathOf(first.body.url));
    expectProblem(old, 404, 'calendar_feed_not_found');
    expect((await api.get(pathOf(second.body.url))).status).toBe(200);
    const revoked = await api.delete('/v1/plan/calendar-feed', { token: desk.key });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body).toEqual({ staff_id: desk.id, revoked: true });
    expectProblem(await api.get(pathOf(second.body.url)), 404, 'calendar_feed_not_found');
    expectProblem(
      await api.delete('/v1/plan/calendar-feed', { token: desk.key }),
      404,
      'calendar_feed_not_found',
    );
    expectProblem(await api.get('/calendar/short.ics'), 404, 'calendar_feed_not_found');
    expect((await api.get('/calendar/..%2F.ics')).status).toBe(404);
  });

  it('stops when the staff member is removed', async () => {
    const { api, desk } = await scene();
    const created = await api.post('/v1/plan/calendar-feed', { token: desk.key });
    await env.DB.prepare('update staff_members set removed_at = ? where id = ?')
      .bind(T0 + DAY_MS, desk.id)
      .run();
    expectProblem(await api.get(pathOf(created.body.url)), 404, 'calendar_feed_not_found');
  });

  it('is each staff member’s own; owners, managers and API keys name whose', async () => {
    const { api, net, desk, other } = await scene();
    expectProblem(
      await api.post('/v1/plan/calendar-feed', { token: desk.key, body: { staff_id: other.id } }),
      403,
      'forbidden',
    );
    expectProblem(
      await api.delete(`/v1/plan/calendar-feed?staff_id=${other.id}`, { token: desk.key }),
      403,
      'forbidden',
    );
    const keyless = await api.post('/v1/plan/calendar-feed', { token: net.clinic.key });
    expectProblem(keyless, 400, 'validation_failed');
    expect(keyless.body.errors[0].path).toBe('staff_id');
    const byKey = await api.post('/v1/plan/calendar-feed', {
      token: net.clinic.key,
      body: { staff_id: other.id },
    });
    expect(byKey.status, byKey.text).toBe(201);
    expect(byKey.body.staff_id).toBe(other.id);
    const manager = await staffOf(api, net.clinic.id, 'manager', 'Mona');
    expect(
      (await api.post('/v1/plan/calendar-feed', { token: manager.key, body: { staff_id: desk.id } })).status,
    ).toBe(201);
    const theirs = await staffOf(api, net.otherClinic.id, 'front_desk', 'Theo');
    expectProblem(
      await api.post('/v1/plan/calendar-feed', { token: net.clinic.key, body: { staff_id: theirs.id } }),
      404,
      'staff_not_found',
    );
    expectProblem(
      await api.post('/v1/plan/calendar-feed', { token: net.clinic.key, body: { staff_id: 'x' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.post('/v1/plan/calendar-feed', { token: net.clinic.key, body: { nope: 1 } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.delete(`/v1/plan/calendar-feed?staff_id=${theirs.id}`, { token: net.clinic.key }),
      404,
      'calendar_feed_not_found',
    );
  });
});

const staffOfClinic = async (api: Client, net: Awaited<ReturnType<typeof createNetwork>>) =>
  staffOf(api, net.clinic.id, 'front_desk', 'Sec');

describeSecurity('POST /v1/plan/calendar-feed', {
  method: 'POST',
  roles: ['clinic'],
  setup: staffOfClinic,
  path: () => '/v1/plan/calendar-feed',
  body: (s) => ({ staff_id: s.id }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'staff_not_found',
});
describeSecurity('DELETE /v1/plan/calendar-feed', {
  method: 'DELETE',
  roles: ['clinic'],
  setup: async (api, net) => {
    const s = await staffOfClinic(api, net);
    const res = await api.post('/v1/plan/calendar-feed', { token: net.clinic.key, body: { staff_id: s.id } });
    expect(res.status).toBe(201);
    return s;
  },
  path: (s) => `/v1/plan/calendar-feed?staff_id=${s.id}`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'calendar_feed_not_found',
});
