import { env } from 'cloudflare:workers';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { itemRow, patientPlan, planItem, planTemplate } from '../helpers/plan';
import { ORIGIN, staffSession } from '../helpers/staff';

// The console's "My week" (every clinic role) and the plan's coverage page (owners and managers): a
// front-desk member sees their week's items and marks one done with what came of it, skips another,
// subscribes to their calendar feed (the link shown once); an owner picks a colleague's agenda; the
// coverage page shows who is behind, the overdue items per owner, the budget and the CSV.
// T0 is Sunday 1 November 2026: the week shown runs from Monday 26 October.

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const desk = await staffSession(api, {
    organizationId: net.clinic.id,
    kind: 'clinic',
    role: 'front_desk',
    name: 'Frida Desk',
  });
  const owner = await staffSession(api, {
    organizationId: net.clinic.id,
    kind: 'clinic',
    role: 'owner',
    name: 'Olga Owner',
  });
  const patient = await createPatient(api, net.clinic.key, {
    first_name: 'Dana',
    last_name: 'Meyer',
    phone: '+4915112345678',
  });
  return { api, net, desk, owner, patient };
}

describe('My week', () => {
  it('shows the front desk their week and overdue items; marking one done needs what came of it', async () => {
    const { net, desk, patient } = await scene();
    const c = net.clinic.id;
    const overdue = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-10-12',
      ownerStaffId: desk.staffId,
      kind: 'win_back',
      purpose: 'Ask how the last treatment went',
    });
    const tuesday = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-10-27',
      ownerStaffId: desk.staffId,
      kind: 'points_expiring',
      purpose: '120 points lapse soon',
    });
    const thursday = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-10-29',
      ownerStaffId: desk.staffId,
      channel: 'sms',
    });
    const page = await desk.get('/console/agenda');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('My week');
    expect(page.text).toContain('Monday 26 October');
    expect(page.text).toContain('Sunday 1 November (today)');
    expect(page.text).toContain('Ask how the last treatment went');
    expect(page.text).toContain('120 points lapse soon');
    expect(page.text).toContain('tel:+4915112345678');
    expect(page.text).toContain(`/console/patients/${patient.id}`);
    expect(page.text.indexOf(overdue)).toBeLessThan(page.text.indexOf(tuesday));
    expect(page.text).toMatch(/name="outcome"[^>]*required/);
    expect(page.text).toContain('name="submission"');

    // Without what came of it: refused, nothing changes.
    const empty = await desk.post(`/console/agenda/items/${tuesday}`, { do: 'done', outcome: '' });
    expect(empty.status).toBe(303);
    expect(empty.headers.get('location')).toBe('/console/agenda?error=validation_failed');
    expect((await itemRow(tuesday))?.status).toBe('planned');

    const done = await desk.post(`/console/agenda/items/${tuesday}`, {
      do: 'done',
      outcome: 'Booked a facial',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/console/agenda?done=${tuesday}#item-${tuesday}`);
    expect(await itemRow(tuesday)).toMatchObject({
      status: 'done',
      outcome: 'Booked a facial',
      done_by_staff_id: desk.staffId,
    });
    const after = await desk.get(done.headers.get('location')!);
    expect(after.text).toContain('Marked done.');
    expect(after.text).toContain('Done: Booked a facial');

    const skipped = await desk.post(`/console/agenda/items/${thursday}`, { do: 'skip' });
    expect(skipped.headers.get('location')).toContain(`skipped=${thursday}`);
    expect((await itemRow(thursday))?.status).toBe('skipped');
  });

  it('marks an item done once however often the form is sent, and only with its CSRF token', async () => {
    const { api, net, desk, patient } = await scene();
    const id = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-27',
      ownerStaffId: desk.staffId,
    });
    const fields = { do: 'done', outcome: 'Reached', submission: 'same-submission-key-agenda1' };
    expect((await desk.post(`/console/agenda/items/${id}`, fields)).status).toBe(303);
    expect((await desk.post(`/console/agenda/items/${id}`, fields)).status).toBe(303);
    const audit = await env.DB.prepare(
      "select count(*) as n from audit_events where subject_id = ? and action = 'plan_item.update'",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
    const other = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-28',
      ownerStaffId: desk.staffId,
    });
    const forged = await api.post(`/console/agenda/items/${other}`, {
      rawBody: new URLSearchParams({
        csrf: 'wrong',
        submission: 'another-submission-key-01',
        do: 'done',
        outcome: 'x',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: desk.cookie, origin: ORIGIN },
    });
    expect(forged.status).toBe(403);
    expect((await itemRow(other))?.status).toBe('planned');
  });

  it('refuses the front desk a colleague’s item and agenda; an owner picks any agenda and week', async () => {
    const { net, desk, owner, patient } = await scene();
    const theirs = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-27',
      ownerStaffId: owner.staffId,
      purpose: 'Owner’s own call',
    });
    const res = await desk.post(`/console/agenda/items/${theirs}`, { do: 'done', outcome: 'Reached' });
    expect(res.headers.get('location')).toBe('/console/agenda?error=forbidden');
    expect((await itemRow(theirs))?.status).toBe('planned');
    expect((await desk.get(`/console/agenda?owner=${owner.staffId}`)).status).toBe(403);

    const mine = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-11-04',
      ownerStaffId: desk.staffId,
      purpose: 'Next week’s call',
    });
    const picked = await owner.get(`/console/agenda?owner=${desk.staffId}&week=2026-11-04`);
    expect(picked.status, picked.text).toBe(200);
    expect(picked.text).toContain('Frida Desk’s week');
    expect(picked.text).toContain('Next week’s call');
    expect(picked.text).toContain('Whose agenda');
    expect(picked.text).toContain('Monday 2 November');
    // Done by the owner on the desk's agenda: back to that agenda and week.
    const done = await owner.post(`/console/agenda/items/${mine}`, {
      do: 'done',
      outcome: 'Left a message',
      owner: desk.staffId,
      week: '2026-11-04',
    });
    expect(done.headers.get('location')).toBe(
      `/console/agenda?owner=${desk.staffId}&week=2026-11-04&done=${mine}#item-${mine}`,
    );
    expect((await owner.get('/console/agenda?owner=stf_01JD0000000000000000000000')).status).toBe(404);
  });

  it('subscribes to the calendar: the link is shown once and works; a new one replaces it', async () => {
    const { api, net, desk, patient } = await scene();
    await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-11-03',
      ownerStaffId: desk.staffId,
      kind: 'birthday',
    });
    expect((await desk.get('/console/agenda')).text).toContain('Subscribe in your calendar');
    const made = await desk.post('/console/agenda/feed');
    expect(made.status, made.text).toBe(200);
    const url = made.text.match(/value="(https:\/\/gratia\.test\/calendar\/[^"]+\.ics)"/)?.[1];
    expect(url).toBeDefined();
    expect(made.text).toContain(`href="${url!.replace('https:', 'webcal:')}"`);
    expect(made.text).toContain('data-copy="feed-link"');
    const feed = await api.get(new URL(url!).pathname);
    expect(feed.status).toBe(200);
    const events = new ICAL.Component(ICAL.parse(feed.text)).getAllSubcomponents('vevent');
    expect(events.map((e) => new ICAL.Event(e).summary)).toEqual(['Call Dana M. — birthday']);
    const page = await desk.get('/console/agenda');
    expect(page.text).toContain('A link exists since');
    expect(page.text).not.toContain(url!);
    await desk.post('/console/agenda/feed');
    expect((await api.get(new URL(url!).pathname)).status).toBe(404);
    const stopped = await desk.post('/console/agenda/feed/revoke');
    expect(stopped.headers.get('location')).toBe('/console/agenda?feed=revoked#feed');
    expect(
      await env.DB.prepare('select count(*) as n from calendar_feeds where staff_id = ?')
        .bind(desk.staffId)
        .first('n'),
    ).toBe(0);
  });
});

describe('Plan coverage', () => {
  it('shows the summary, who is behind, overdue per owner, the budget and the CSV', async () => {
    const { net, desk, owner, patient } = await scene();
    const c = net.clinic.id;
    await patientPlan(c, patient.id, {
      templateId: await planTemplate(c, { perYear: 7 }),
      ownerStaffId: desk.staffId,
    });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-10-01', ownerStaffId: desk.staffId });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-12-10',
      channel: 'gift',
      kind: 'personal_gift',
      costAmount: 6500,
      purpose: '=cmd|calc',
    });
    const page = await owner.get('/console/plan/coverage');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('Plan coverage');
    expect(page.text).toContain(`/console/patients/${patient.id}/plan`);
    expect(page.text).toContain('Frida Desk');
    expect(page.text).toContain('oldest due 2026-10-01');
    expect(page.text).toContain('€65.00');
    expect(page.text).toContain('data-chart');
    expect(page.text).toContain('/console/plan/items.csv');
    const csv = await owner.get('/console/plan/items.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain("'=cmd|calc");
    expect((await desk.get('/console/plan/coverage')).status).toBe(403);
    expect((await desk.get('/console/plan/items.csv')).status).toBe(403);
  });
});

describe('D1 round trips of the agenda, the coverage and the feed', () => {
  const trips = async (
    api: ReturnType<typeof createClient>,
    path: string,
    headers: Record<string, string>,
  ) => {
    const res = await api.app.request(
      `https://gratia.test${path}`,
      { headers: { 'x-debug-d1': '1', ...headers } },
      { ...env, EXPOSE_D1_METRICS: '1' },
    );
    await res.text();
    return {
      status: res.status,
      trips: Number(/round_trips=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN),
    };
  };

  it('a page is the session check and one use case, an API read the key check and one; the feed one round trip', async () => {
    const { api, net, desk, owner, patient } = await scene();
    await patientPlan(net.clinic.id, patient.id, { templateId: await planTemplate(net.clinic.id) });
    for (let d = 1; d <= 9; d++)
      await planItem({
        clinicId: net.clinic.id,
        patientId: patient.id,
        dueOn: `2026-10-${10 + d}`,
        ownerStaffId: desk.staffId,
      });
    const made = await api.post('/v1/plan/calendar-feed', {
      token: net.clinic.key,
      body: { staff_id: desk.staffId },
    });
    expect(await trips(api, '/console/agenda', { cookie: desk.cookie })).toEqual({ status: 200, trips: 2 });
    expect(await trips(api, `/console/agenda?owner=${desk.staffId}`, { cookie: owner.cookie })).toEqual({
      status: 200,
      trips: 2,
    });
    expect(await trips(api, '/console/plan/coverage', { cookie: owner.cookie })).toEqual({
      status: 200,
      trips: 2,
    });
    expect(await trips(api, new URL(made.body.url).pathname, {})).toEqual({ status: 200, trips: 1 });
    const key = { authorization: `Bearer ${net.clinic.key}` };
    await trips(api, '/v1/me', key); // refreshes the key's last_used_at, off the measured requests
    for (const path of [`/v1/plan/agenda?owner=${desk.staffId}`, '/v1/plan/coverage', '/v1/plan/budget'])
      expect({ path, ...(await trips(api, path, key)) }).toEqual({ path, status: 200, trips: 2 });
  });
});
