import { env } from 'cloudflare:workers';
import { fixedClock, newId } from '@gratia/core';
import { planItemsCsv } from '@gratia/plan';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';
import { createNetwork, createPatient, type Network } from '../helpers/factories';
import { itemRow, patientPlan, planItem, planTemplate } from '../helpers/plan';
import { describeSecurity, expectProblem } from '../helpers/security';

// Point 3 of the plan, through the API: items marked done, skipped, moved and handed on with the role
// rules; a staff member's week with what is overdue; coverage against each patient's target; the
// budget month by month; the plan as CSV. T0 is Sunday 1 November 2026 (Berlin): its week runs from
// Monday 26 October to Sunday 1 November.

type Role = 'owner' | 'manager' | 'front_desk';

/** A staff member of a clinic with a console key of their own, used as a bearer key. */
async function staffOf(api: Client, clinicId: string, role: Role, name = `${role} member`) {
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
  return { id, name, key: key.body.secret as string, keyId: key.body.id as string };
}

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const desk = await staffOf(api, net.clinic.id, 'front_desk', 'Fiona Desk');
  const other = await staffOf(api, net.clinic.id, 'front_desk', 'Otto Desk');
  const manager = await staffOf(api, net.clinic.id, 'manager', 'Mona Manager');
  const patient = await createPatient(api, net.clinic.key, {
    first_name: 'Dana',
    last_name: 'Meyer',
    phone: '+4915112345678',
    email: 'dana@example.com',
  });
  return { api, net, desk, other, manager, patient };
}

const patch = (api: Client, key: string, id: string, body: unknown) =>
  api.patch(`/v1/plan/items/${id}`, { token: key, body });

const figures = async (clinicId: string) =>
  (
    await env.DB.prepare(
      'select month, channel, planned, done, skipped, planned_cost, done_cost from plan_month_figures where clinic_id = ? order by month, channel',
    )
      .bind(clinicId)
      .all()
  ).results;

describe('PATCH /v1/plan/items/{id}', () => {
  it('marks the owner’s item done with its outcome, when and by whom, with an audit entry', async () => {
    const { api, net, desk, patient } = await scene();
    const id = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-28',
      ownerStaffId: desk.id,
    });
    const res = await patch(api, desk.key, id, { status: 'done', outcome: '  Booked a facial  ' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      id,
      patient_id: patient.id,
      status: 'done',
      outcome: 'Booked a facial',
      done_at: new Date(T0).toISOString(),
      done_by_staff_id: desk.id,
      owner_staff_id: desk.id,
    });
    const audit = await env.DB.prepare('select * from audit_events where subject_id = ?').bind(id).all<any>();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0]).toMatchObject({
      action: 'plan_item.update',
      actor_staff_id: desk.id,
      patient_id: patient.id,
      organization_id: net.clinic.id,
    });
    expect(JSON.parse(audit.results[0].detail)).toEqual({ status: 'done', outcome: 'set' });
  });

  it('needs an outcome to mark an item done, and says so', async () => {
    const { api, net, desk, patient } = await scene();
    const id = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-28',
      ownerStaffId: desk.id,
    });
    const res = await patch(api, desk.key, id, { status: 'done' });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).toEqual([
      { path: 'outcome', message: expect.stringContaining('what came of it') },
    ]);
    expectProblem(
      await patch(api, desk.key, id, { status: 'done', outcome: '   ' }),
      400,
      'validation_failed',
    );
    expectProblem(await patch(api, desk.key, id, {}), 400, 'validation_failed');
    expectProblem(await patch(api, desk.key, id, { due_on: '2026-02-30' }), 400, 'validation_failed');
    expectProblem(await patch(api, desk.key, id, { status: 'lost' }), 400, 'validation_failed');
    expect((await itemRow(id))?.status).toBe('planned');
  });

  it('refuses a front-desk member another’s item (403, saying why), reopening and handing on', async () => {
    const { api, net, desk, other, patient } = await scene();
    const theirs = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-28',
      ownerStaffId: other.id,
    });
    const res = await patch(api, desk.key, theirs, { status: 'skipped' });
    expectProblem(res, 403, 'forbidden');
    expect(res.body.detail).toContain('another staff member');
    const mine = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-29',
      ownerStaffId: desk.id,
      status: 'done',
    });
    expectProblem(await patch(api, desk.key, mine, { status: 'planned' }), 403, 'forbidden');
    expectProblem(await patch(api, desk.key, mine, { owner_staff_id: other.id }), 403, 'forbidden');
    expect((await itemRow(theirs))?.status).toBe('planned');
    expect((await itemRow(mine))?.owner_staff_id).toBe(desk.id);
    const audit = await env.DB.prepare('select count(*) as n from audit_events where subject_id in (?, ?)')
      .bind(theirs, mine)
      .first<{ n: number }>();
    expect(audit?.n).toBe(0);
  });

  it('lets a manager (and an API key) change any item: reopen, move, hand on', async () => {
    const { api, net, desk, other, manager, patient } = await scene();
    const id = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-28',
      ownerStaffId: desk.id,
      status: 'done',
    });
    const reopened = await patch(api, manager.key, id, {
      status: 'planned',
      due_on: '2026-11-05',
      owner_staff_id: other.id,
    });
    expect(reopened.status, reopened.text).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'planned',
      done_at: null,
      done_by_staff_id: null,
      due_on: '2026-11-05',
      owner_staff_id: other.id,
    });
    const skipped = await patch(api, net.clinic.key, id, { status: 'skipped', outcome: 'Moved away' });
    expect(skipped.status, skipped.text).toBe(200);
    expect(skipped.body).toMatchObject({ status: 'skipped', done_by_staff_id: null, outcome: 'Moved away' });
    const unassigned = await patch(api, net.clinic.key, id, { owner_staff_id: null });
    expect(unassigned.body.owner_staff_id).toBeNull();
  });

  it('refuses an owner who is not a current staff member of the clinic', async () => {
    const { api, net, desk, patient } = await scene();
    const theirStaff = await staffOf(api, net.otherClinic.id, 'front_desk');
    const id = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-28',
      ownerStaffId: desk.id,
    });
    const res = await patch(api, net.clinic.key, id, { owner_staff_id: theirStaff.id });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors[0].path).toBe('owner_staff_id');
    expectProblem(
      await patch(api, net.clinic.key, id, { owner_staff_id: 'nobody' }),
      400,
      'validation_failed',
    );
  });

  it('answers 404 for an item that does not exist or is another clinic’s', async () => {
    const { api, net, patient } = await scene();
    const id = await planItem({ clinicId: net.clinic.id, patientId: patient.id, dueOn: '2026-10-28' });
    expectProblem(
      await patch(api, net.otherClinic.key, id, { status: 'skipped' }),
      404,
      'plan_item_not_found',
    );
    expectProblem(
      await patch(api, net.clinic.key, newId('pli', T0), { status: 'skipped' }),
      404,
      'plan_item_not_found',
    );
    expectProblem(
      await patch(api, net.clinic.key, 'pat_nope', { status: 'skipped' }),
      404,
      'plan_item_not_found',
    );
    expect((await itemRow(id))?.status).toBe('planned');
  });
});

describe('GET /v1/plan/agenda', () => {
  it('shows the caller’s week by day and what is overdue, with how to reach each patient', async () => {
    const { api, net, desk, other, patient } = await scene();
    const overdue = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-10',
      ownerStaffId: desk.id,
      kind: 'points_expiring',
    });
    await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-11',
      ownerStaffId: desk.id,
      status: 'done',
    });
    const monday = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-26',
      ownerStaffId: desk.id,
      channel: 'gift',
      costAmount: 4500,
    });
    const sunday = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-11-01',
      ownerStaffId: desk.id,
      status: 'done',
    });
    await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-11-02',
      ownerStaffId: desk.id,
    });
    await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-27',
      ownerStaffId: other.id,
    });
    const res = await api.get('/v1/plan/agenda', { token: desk.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      owner: { id: desk.id, name: 'Fiona Desk', role: 'front_desk' },
      from: '2026-10-26',
      to: '2026-11-01',
      today: '2026-11-01',
      overdue_more: false,
    });
    expect(res.body.overdue.map((i: any) => i.id)).toEqual([overdue]);
    expect(res.body.items.map((i: any) => i.id)).toEqual([monday, sunday]);
    expect(res.body.items[0]).toMatchObject({
      patient: {
        id: patient.id,
        first_name: 'Dana',
        last_name: 'Meyer',
        phone: '+4915112345678',
        email: 'dana@example.com',
      },
      channel: 'gift',
      cost: { amount: 4500, currency: 'EUR' },
      status: 'planned',
    });
    const next = await api.get('/v1/plan/agenda?from=2026-11-02&to=2026-11-08', { token: desk.key });
    expect(next.body.items).toHaveLength(1);
    // Overdue is what is still planned before the days asked.
    expect(next.body.overdue.map((i: any) => i.id)).toEqual([overdue, monday]);
  });

  it('lets a manager or an API key read a staff member’s agenda; an API key must name one', async () => {
    const { api, net, desk, manager, patient } = await scene();
    const id = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-10-27',
      ownerStaffId: desk.id,
    });
    for (const key of [manager.key, net.clinic.key]) {
      const res = await api.get(`/v1/plan/agenda?owner=${desk.id}`, { token: key });
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.map((i: any) => i.id)).toEqual([id]);
    }
    const me = await api.get('/v1/plan/agenda', { token: net.clinic.key });
    expectProblem(me, 400, 'validation_failed');
    expect(me.body.errors[0].path).toBe('owner');
  });

  it('refuses a front-desk member another’s agenda, unknown staff, and bad days', async () => {
    const { api, net, desk, other } = await scene();
    expectProblem(await api.get(`/v1/plan/agenda?owner=${other.id}`, { token: desk.key }), 403, 'forbidden');
    const theirs = await staffOf(api, net.otherClinic.id, 'front_desk');
    expectProblem(
      await api.get(`/v1/plan/agenda?owner=${theirs.id}`, { token: net.clinic.key }),
      404,
      'staff_not_found',
    );
    expectProblem(
      await api.get('/v1/plan/agenda?owner=x', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/agenda?from=2026-11-10&to=2026-11-01', { token: desk.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/agenda?from=2026-01-01&to=2026-12-31', { token: desk.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/agenda?from=2026-13-01', { token: desk.key }),
      400,
      'validation_failed',
    );
  });
});

describe('GET /v1/plan/coverage', () => {
  it('counts done items of the last 12 months against each target, furthest behind first, page by page', async () => {
    const { api, net, desk, other, patient } = await scene();
    const t7 = await planTemplate(net.clinic.id, { perYear: 7 });
    const t4 = await planTemplate(net.clinic.id, { perYear: 4 });
    const ahead = await createPatient(api, net.clinic.key, { first_name: 'Ahead' });
    const none = await createPatient(api, net.clinic.key, { first_name: 'Noplan' });
    await patientPlan(net.clinic.id, patient.id, { templateId: t7, ownerStaffId: desk.id });
    await patientPlan(net.clinic.id, ahead.id, { templateId: t4 });
    const c = net.clinic.id;
    // Dana: 2 done this year, 1 done 13 months ago (not counted), 1 skipped: 5 behind.
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-03-10', status: 'done' });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2025-12-01', status: 'done' });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2025-10-01', status: 'done' });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-05-01', status: 'skipped' });
    for (const d of ['2026-01-05', '2026-02-05', '2026-04-05', '2026-06-05', '2026-12-05'])
      await planItem({ clinicId: c, patientId: ahead.id, dueOn: d, status: 'done' });
    // Overdue: Fiona has one from September and one from 20 October; Otto one from yesterday; one is nobody's.
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-09-15', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-10-20', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: none.id, dueOn: '2026-10-31', ownerStaffId: other.id });
    await planItem({ clinicId: c, patientId: none.id, dueOn: '2026-10-02' });
    // Not overdue: due today, done, later.
    await planItem({ clinicId: c, patientId: none.id, dueOn: '2026-11-01', ownerStaffId: other.id });
    await planItem({ clinicId: c, patientId: none.id, dueOn: '2026-12-01', ownerStaffId: other.id });

    const res = await api.get('/v1/plan/coverage?limit=1', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.since).toBe('2025-12');
    expect(res.body.summary).toEqual({ patients: 3, with_plan: 2, on_target: 1, behind: 1, without_plan: 1 });
    expect(res.body.data).toEqual([
      {
        patient_id: patient.id,
        first_name: 'Dana',
        last_name: 'Meyer',
        owner_staff_id: desk.id,
        owner_name: 'Fiona Desk',
        target: 7,
        done: 2,
        behind: 5,
      },
    ]);
    const next = await api.get(`/v1/plan/coverage?limit=1&cursor=${res.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(next.body.data.map((r: any) => [r.patient_id, r.behind])).toEqual([[ahead.id, -1]]);
    expect(next.body.next_cursor).toBeNull();
    expect(res.body.overdue).toEqual([
      { owner_staff_id: desk.id, owner_name: 'Fiona Desk', count: 2, oldest_due_on: '2026-09-15' },
      { owner_staff_id: null, owner_name: null, count: 1, oldest_due_on: '2026-10-02' },
      { owner_staff_id: other.id, owner_name: 'Otto Desk', count: 1, oldest_due_on: '2026-10-31' },
    ]);
  });

  it('follows every change of an item (done, moved, handed on, deleted)', async () => {
    const { api, net, desk, manager, patient } = await scene();
    await patientPlan(net.clinic.id, patient.id, {
      templateId: await planTemplate(net.clinic.id, { perYear: 3 }),
    });
    const a = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-09-01',
      ownerStaffId: desk.id,
    });
    const b = await planItem({
      clinicId: net.clinic.id,
      patientId: patient.id,
      dueOn: '2026-08-01',
      ownerStaffId: desk.id,
    });
    expect((await patch(api, desk.key, a, { status: 'done', outcome: 'Reached' })).status).toBe(200);
    expect(
      (await patch(api, manager.key, b, { due_on: '2026-12-01', owner_staff_id: manager.id })).status,
    ).toBe(200);
    const res = await api.get('/v1/plan/coverage', { token: net.clinic.key });
    expect(res.body.data[0]).toMatchObject({ done: 1, behind: 2 });
    expect(res.body.overdue).toEqual([]);
    await env.DB.prepare('delete from plan_items where id = ?').bind(a).run();
    const after = await api.get('/v1/plan/coverage', { token: net.clinic.key });
    expect(after.body.data[0]).toMatchObject({ done: 0, behind: 3 });
    expect(
      await env.DB.prepare('select * from plan_owner_open where clinic_id = ?')
        .bind(net.clinic.id)
        .all()
        .then((r) => r.results),
    ).toEqual([{ clinic_id: net.clinic.id, owner_key: manager.id, month: '2026-12', planned: 1 }]);
  });

  it('counts this month’s items due before today as overdue, with the months before', async () => {
    const api = createClient(fixedClock(Date.parse('2026-11-20T09:00:00Z')));
    const net = await createNetwork(api);
    const desk = await staffOf(api, net.clinic.id, 'front_desk', 'Fiona Desk');
    const patient = await createPatient(api, net.clinic.key);
    const c = net.clinic.id;
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-11-05', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-11-19', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-10-20', ownerStaffId: desk.id });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2026-11-20', ownerStaffId: desk.id });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-02',
      ownerStaffId: desk.id,
      status: 'done',
    });
    const res = await api.get('/v1/plan/coverage', { token: net.clinic.key });
    expect(res.body.overdue).toEqual([
      { owner_staff_id: desk.id, owner_name: 'Fiona Desk', count: 3, oldest_due_on: '2026-10-20' },
    ]);
    expect(res.body.summary).toMatchObject({ patients: 1, with_plan: 0, without_plan: 1 });
  });

  it('is for owners and managers', async () => {
    const { api, desk, manager } = await scene();
    expectProblem(await api.get('/v1/plan/coverage', { token: desk.key }), 403, 'forbidden');
    expect((await api.get('/v1/plan/coverage', { token: manager.key })).status).toBe(200);
    expectProblem(
      await api.get('/v1/plan/coverage?cursor=zzz', { token: manager.key }),
      400,
      'invalid_cursor',
    );
  });
});

describe('GET /v1/plan/budget', () => {
  it('gives each month’s gifts planned and given with their cost, and the items by channel', async () => {
    const { api, net, desk, patient } = await scene();
    const c = net.clinic.id;
    const gift = await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-20',
      channel: 'gift',
      kind: 'personal_gift',
      costAmount: 6500,
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-21',
      channel: 'gift',
      kind: 'personal_gift',
      costAmount: 3000,
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-02',
      channel: 'call',
      ownerStaffId: desk.id,
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-03',
      channel: 'sms',
      status: 'skipped',
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2027-02-14',
      channel: 'gift',
      costAmount: 2500,
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2028-01-01',
      channel: 'gift',
      costAmount: 99,
    });
    expect(
      (await patch(api, net.clinic.key, gift, { status: 'done', outcome: 'Given at the desk' })).status,
    ).toBe(200);
    const res = await api.get('/v1/plan/budget', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.from).toBe('2026-11');
    expect(res.body.to).toBe('2027-10');
    expect(res.body.currency).toBe('EUR');
    expect(res.body.months).toHaveLength(12);
    expect(res.body.months[0]).toEqual({
      month: '2026-11',
      gifts_planned: { count: 1, cost: 3000 },
      gifts_done: { count: 1, cost: 6500 },
      cost: { planned: 3000, done: 6500 },
      by_channel: {
        call: { planned: 1, done: 0, skipped: 0 },
        sms: { planned: 0, done: 0, skipped: 1 },
        email: { planned: 0, done: 0, skipped: 0 },
        in_person: { planned: 0, done: 0, skipped: 0 },
        gift: { planned: 1, done: 1, skipped: 0 },
      },
    });
    expect(res.body.months[3]).toMatchObject({ month: '2027-02', gifts_planned: { count: 1, cost: 2500 } });
    expect(res.body.months[1].gifts_planned).toEqual({ count: 0, cost: 0 });
    const one = await api.get('/v1/plan/budget?from=2028-01&to=2028-01', { token: net.clinic.key });
    expect(one.body.months).toEqual([expect.objectContaining({ gifts_planned: { count: 1, cost: 99 } })]);
    expect(await figures(c)).toContainEqual({
      month: '2026-11',
      channel: 'gift',
      planned: 1,
      done: 1,
      skipped: 0,
      planned_cost: 3000,
      done_cost: 6500,
    });
  });

  it('refuses bad months and front-desk staff', async () => {
    const { api, net, desk } = await scene();
    expectProblem(
      await api.get('/v1/plan/budget?from=2026-13', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/budget?from=2027-01&to=2026-01', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/budget?from=2026-01&to=2028-01', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(await api.get('/v1/plan/budget', { token: desk.key }), 403, 'forbidden');
  });
});

describe('GET /v1/plan/items.csv', () => {
  it('writes the plan as CSV, formula-injection safe, of one owner or the clinic', async () => {
    const { api, net, desk, other, patient } = await scene();
    const c = net.clinic.id;
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-10',
      ownerStaffId: desk.id,
      purpose: '=HYPERLINK("x")',
      channel: 'gift',
      costAmount: 4550,
    });
    await planItem({
      clinicId: c,
      patientId: patient.id,
      dueOn: '2026-11-05',
      ownerStaffId: other.id,
      status: 'done',
      outcome: 'Reached, booked',
    });
    await planItem({ clinicId: c, patientId: patient.id, dueOn: '2028-01-01', ownerStaffId: desk.id });
    const res = await api.get('/v1/plan/items.csv', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('plan-2026-11-01-2027-11-01.csv');
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe(
      'due_on,patient_id,patient,kind,purpose,channel,owner_staff_id,owner,cost,currency,status,outcome,done_at',
    );
    expect(lines[1]).toBe(
      `2026-11-05,${patient.id},Dana Meyer,thank_you,Thank them for their visit,call,${other.id},Otto Desk,,,done,"Reached, booked",${new Date(T0).toISOString()}`,
    );
    expect(lines[2]).toBe(
      `2026-11-10,${patient.id},Dana Meyer,thank_you,"'=HYPERLINK(""x"")",gift,${desk.id},Fiona Desk,45.50,EUR,planned,,`,
    );
    expect(lines).toHaveLength(4);
    const mine = await api.get(`/v1/plan/items.csv?owner=${desk.id}&from=2026-01-01&to=2028-12-31`, {
      token: net.clinic.key,
    });
    expect(mine.text.split('\r\n').filter(Boolean)).toHaveLength(3);
  });

  it('streams big plans in chunks, each item once', async () => {
    const deps = testDeps(fixedClock(T0));
    const clinic = await orgWithCaller(deps, 'clinic');
    const p = await patientOf(deps, clinic);
    const statuses = ['planned', 'done', 'skipped'] as const;
    const ids: string[] = [];
    for (let i = 0; i < 11; i++)
      ids.push(
        await planItem({
          clinicId: clinic.org.id,
          patientId: p.id,
          dueOn: `2026-11-${String(10 + (i % 4)).padStart(2, '0')}`,
          status: statuses[i % 3],
        }),
      );
    const out = await planItemsCsv(deps, { clinic: clinic.principal, chunk: 2 });
    if (!out.ok) throw new Error(out.error.code);
    const text = await new Response(out.value.stream).text();
    const rows = text.split('\r\n').slice(1).filter(Boolean);
    expect(rows).toHaveLength(11);
    const statusCol = rows.map((r) => r.split(',')[10]);
    expect(statusCol).toEqual([...statusCol].sort());
  });

  it('refuses bad days, unknown owners and front-desk staff', async () => {
    const { api, net, desk } = await scene();
    expectProblem(
      await api.get('/v1/plan/items.csv?from=2026-11-31', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/items.csv?from=2026-11-02&to=2026-11-01', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.get('/v1/plan/items.csv?owner=nope', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
    const theirs = await staffOf(api, net.otherClinic.id, 'manager');
    expectProblem(
      await api.get(`/v1/plan/items.csv?owner=${theirs.id}`, { token: net.clinic.key }),
      404,
      'staff_not_found',
    );
    expectProblem(await api.get('/v1/plan/items.csv', { token: desk.key }), 403, 'forbidden');
  });
});

const itemOfClinic = async (api: Client, net: Network) => {
  const p = await createPatient(api, net.clinic.key);
  return planItem({ clinicId: net.clinic.id, patientId: p.id, dueOn: '2026-11-02' });
};

describeSecurity('PATCH /v1/plan/items/{id}', {
  method: 'PATCH',
  roles: ['clinic'],
  setup: itemOfClinic,
  path: (id) => `/v1/plan/items/${id}`,
  body: () => ({ status: 'skipped' }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'plan_item_not_found',
});
describeSecurity('GET /v1/plan/agenda', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => staffOf(api, net.clinic.id, 'front_desk'),
  path: (s) => `/v1/plan/agenda?owner=${s.id}`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'staff_not_found',
});
describeSecurity('GET /v1/plan/coverage', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/plan/coverage',
});
describeSecurity('GET /v1/plan/budget', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/plan/budget',
});
describeSecurity('GET /v1/plan/items.csv', {
  method: 'GET',
  roles: ['clinic'],
  setup: async (api, net) => staffOf(api, net.clinic.id, 'front_desk'),
  path: (s) => `/v1/plan/items.csv?owner=${s.id}`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'staff_not_found',
});
