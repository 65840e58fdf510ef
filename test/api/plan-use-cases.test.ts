import { env } from 'cloudflare:workers';
import { addDays, DAY_MS, fixedClock, localDate } from '@gratia/core';
import {
  addExpiringPointsCalls,
  addPlanItem,
  DEFAULT_MIXES,
  generatePatientPlan,
  keepPlansAhead,
  MIN_GAP_DAYS,
  readPatientPlan,
  readPlanStatus,
  savePlanTemplate,
  setPlanOwner,
} from '@gratia/plan';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';
import {
  createNetwork,
  createPatient,
  createStaffMember,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';

// The patient's plan as use cases, against the real D1 without HTTP: generation from the template of
// the patient's segment, regeneration that keeps what was done, the owner, items added by staff, the
// daily job that keeps plans 12 months ahead, and the events that adjust a plan (a visit closes a
// win-back, a detractor's answer adds a call, expiring points add a call).

const TODAY = localDate(T0, 'Europe/Berlin');

async function scene(clock = fixedClock(T0)) {
  const deps = testDeps(clock);
  const clinic = await orgWithCaller(deps, 'clinic');
  const patient = await patientOf(deps, clinic);
  return { deps, clinic, patientId: patient.id };
}

const rows = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, any>>()
  ).results;

const gapsOf = (dates: string[]) => {
  const s = [...dates].sort();
  return s.slice(1).map((d, i) => (Date.parse(d) - Date.parse(s[i]!)) / DAY_MS);
};

describe('generatePatientPlan', () => {
  it('writes the plan and its dated items for the next 12 months, spread 14 days apart', async () => {
    const { deps, clinic, patientId } = await scene();
    const out = await generatePatientPlan(deps, { clinic: clinic.principal, patientId });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    // No visits: class C, the default of 4 (no birth date: the birthday is left out).
    expect(out.value.template).toMatchObject({ segmentKey: 'C', isDefault: true, interactionsPerYear: 4 });
    expect(out.value.plan).toMatchObject({ generation: 1, horizonOn: addDays(TODAY, 364) });
    const items = out.value.items;
    expect(items).toHaveLength(3);
    for (const i of items) {
      expect(i.dueOn >= TODAY && i.dueOn <= addDays(TODAY, 364)).toBe(true);
      expect(i).toMatchObject({ status: 'planned', source: 'plan', generation: 1 });
    }
    expect(Math.min(...gapsOf(items.map((i) => i.dueOn)))).toBeGreaterThanOrEqual(MIN_GAP_DAYS);
    const audit = await rows(
      "select * from audit_events where subject_id = ? and action = 'plan.generate'",
      patientId,
    );
    expect(audit).toHaveLength(1);
  });

  it('follows the template of a custom segment the patient is in, and its gift offer’s price', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, {
      birth_date: '1985-06-10',
      preferences: { tags: ['vip'] },
    });
    const seg = await api.post('/v1/segments', {
      token: net.clinic.key,
      body: { name: 'VIPs', rules: [{ field: 'tag', op: 'has', value: 'vip' }] },
    });
    const offer = await api.post('/v1/offers', {
      token: net.partner.key,
      body: { title: 'Hot stones', category: 'massage', price: { amount: 5000, currency: 'EUR' } },
    });
    const put = await api.put(`/v1/plan/templates/${seg.body.id}`, {
      token: net.clinic.key,
      body: {
        interactions_per_year: 8,
        priority: 5,
        mix: [
          ...DEFAULT_MIXES.B,
          { kind: 'personal_gift', channel: 'gift', count: 1, offer_id: offer.body.id },
        ],
      },
    });
    expect(put.status, put.text).toBe(200);
    const res = await api.post(`/v1/patients/${patient.id}/plan`, { token: net.clinic.key, body: {} });
    expect(res.status, res.text).toBe(200);
    expect(res.body.template.segment_key).toBe(seg.body.id);
    expect(res.body.items).toHaveLength(8);
    const gift = res.body.items.find((i: any) => i.kind === 'personal_gift');
    expect(gift).toMatchObject({ offer_id: offer.body.id, cost: { amount: 5000, currency: 'EUR' } });
    expect(res.body.items.find((i: any) => i.kind === 'birthday').due_on).toBe('2027-06-03');
  });

  it('regenerates without losing what was done, skipped, or added by staff or an event', async () => {
    const clock = fixedClock(T0);
    const { deps, clinic, patientId } = await scene(clock);
    const first = await generatePatientPlan(deps, { clinic: clinic.principal, patientId });
    if (!first.ok) throw new Error('plan');
    const [a, b] = first.value.items;
    await env.DB.batch([
      env.DB.prepare(
        "update plan_items set status = 'done', outcome = 'Lovely chat', done_at = ? where id = ?",
      ).bind(T0, a!.id),
      env.DB.prepare("update plan_items set status = 'skipped' where id = ?").bind(b!.id),
    ]);
    const mine = await addPlanItem(deps, {
      clinic: clinic.principal,
      patientId,
      kind: 'event_invitation',
      channel: 'call',
      dueOn: addDays(TODAY, 3),
      purpose: 'Summer party',
    });
    expect(mine.ok).toBe(true);
    const again = await generatePatientPlan(deps, { clinic: clinic.principal, patientId });
    if (!again.ok) throw new Error('plan');
    const ids = again.value.items.map((i) => i.id);
    expect(ids).toContain(a!.id);
    expect(ids).toContain(b!.id);
    expect(again.value.items.find((i) => i.id === a!.id)).toMatchObject({
      status: 'done',
      outcome: 'Lovely chat',
    });
    expect(again.value.items.find((i) => i.purpose === 'Summer party')).toMatchObject({ source: 'staff' });
    expect(again.value.plan?.generation).toBe(2);
    // The done item counts toward its slot: the same kinds on the same days, nothing planned twice.
    const planned = again.value.items.filter((i) => i.source === 'plan' && i.status === 'planned');
    expect(planned.every((i) => i.generation === 2)).toBe(true);
    const all = await rows('select * from plan_items where patient_id = ?', patientId);
    expect(all).toHaveLength(first.value.items.length + 1);
    expect(new Set(all.map((r) => `${r.kind} ${r.due_on}`)).size).toBe(all.length);
  });

  it('writes one generation when two requests race', async () => {
    const { deps, clinic, patientId } = await scene();
    const outs = await Promise.all(
      Array.from({ length: 10 }, () => generatePatientPlan(deps, { clinic: clinic.principal, patientId })),
    );
    expect(outs.every((o) => o.ok)).toBe(true);
    const items = await rows("select * from plan_items where patient_id = ? and source = 'plan'", patientId);
    const gens = new Set(items.map((i) => i.generation));
    expect(gens.size).toBe(1);
    expect(items).toHaveLength(3);
  });

  it('refuses another clinic’s patient and an owner who is not the clinic’s', async () => {
    const { deps, clinic, patientId } = await scene();
    const other = await orgWithCaller(deps, 'clinic');
    const out = await generatePatientPlan(deps, { clinic: other.principal, patientId });
    expect(out.ok || out.error.code).toBe('patient_not_found');
    const api = createClient();
    const stranger = await createStaffMember(api, other.org.id, { name: 'Otto', role: 'front_desk' });
    const owned = await generatePatientPlan(deps, {
      clinic: clinic.principal,
      patientId,
      ownerStaffId: stranger.id,
    });
    expect(owned.ok || owned.error.code).toBe('staff_not_found');
    expect(await rows('select * from patient_plans where patient_id = ?', patientId)).toHaveLength(0);
  });
});

describe('the plan’s owner', () => {
  it('hands the plan and its planned items over, keeping what others own', async () => {
    const api = createClient();
    const { deps, clinic, patientId } = await scene();
    const ida = await createStaffMember(api, clinic.org.id, { name: 'Ida', role: 'front_desk' });
    const max = await createStaffMember(api, clinic.org.id, { name: 'Max', role: 'front_desk' });
    const first = await generatePatientPlan(deps, {
      clinic: clinic.principal,
      patientId,
      ownerStaffId: ida.id,
    });
    if (!first.ok) throw new Error('plan');
    expect(first.value.plan?.ownerName).toBe('Ida');
    const out = await setPlanOwner(deps, { clinic: clinic.principal, patientId, ownerStaffId: max.id });
    if (!out.ok) throw new Error(out.error.code);
    expect(out.value.plan?.ownerStaffId).toBe(max.id);
    expect(out.value.items.every((i) => i.ownerStaffId === max.id && i.ownerName === 'Max')).toBe(true);
  });

  it('is refused before a plan exists, and for a front-desk member who does not own it', async () => {
    const { deps, clinic, patientId } = await scene();
    const none = await setPlanOwner(deps, { clinic: clinic.principal, patientId, ownerStaffId: null });
    expect(none.ok || none.error.code).toBe('plan_not_found');
    await generatePatientPlan(deps, { clinic: clinic.principal, patientId });
    const desk = {
      ...clinic.principal,
      staff: { id: 'stf_01JD0000000000000000000000', name: 'Desk', role: 'front_desk' as const },
    };
    const refused = await setPlanOwner(deps, { clinic: desk, patientId, ownerStaffId: null });
    expect(refused.ok || refused.error.code).toBe('forbidden');
  });
});

describe('keepPlansAhead (daily)', () => {
  it('plans every patient without one, then extends plans whose horizon is near', async () => {
    const clock = fixedClock(T0);
    const { deps, clinic, patientId } = await scene(clock);
    const desk = await createStaffMember(createClient(), clinic.org.id, { name: 'Desk', role: 'front_desk' });
    const written = await keepPlansAhead(deps);
    expect(written).toBeGreaterThanOrEqual(1);
    const [plan] = await rows('select * from patient_plans where patient_id = ?', patientId);
    expect(plan).toMatchObject({ generation: 1, owner_staff_id: desk.id });
    // The same day: nothing more.
    expect(await keepPlansAhead(deps)).toBe(0);
    // Two months later (a new day): the plan is extended, its items where they were.
    const before = await rows(
      'select kind, due_on from plan_items where patient_id = ? and due_on >= ? order by due_on',
      patientId,
      addDays(TODAY, 61),
    );
    const later = testDeps(fixedClock(T0 + 61 * DAY_MS));
    await keepPlansAhead(later);
    const [again] = await rows('select * from patient_plans where patient_id = ?', patientId);
    expect(again!.generation).toBe(2);
    const after = await rows(
      'select kind, due_on from plan_items where patient_id = ? and due_on >= ? order by due_on',
      patientId,
      addDays(TODAY, 61),
    );
    expect(after.slice(0, before.length)).toEqual(before);
    const status = await readPlanStatus(later, { clinic: clinic.principal });
    expect(status).toMatchObject({ patients: 1, withPlan: 1, lastGeneratedAt: T0 + 61 * DAY_MS });
  });
});

describe('events', () => {
  it('a paid visit closes a due win-back', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key);
    const p = await createPatient(api, net.clinic.key);
    const add = (due: string) =>
      api.post(`/v1/patients/${p.id}/plan/items`, {
        token: net.clinic.key,
        body: { kind: 'win_back', channel: 'call', due_on: due },
      });
    const soon = await add(addDays(TODAY, 10));
    const far = await add(addDays(TODAY, 60));
    expect(soon.status, soon.text).toBe(201);
    await recordVisit(api, net.clinic.key, p.id, 10_000);
    const [closed] = await rows('select * from plan_items where id = ?', soon.body.id);
    expect(closed).toMatchObject({ status: 'done', outcome: 'Came back: paid visit' });
    const [open] = await rows('select * from plan_items where id = ?', far.body.id);
    expect(open!.status).toBe('planned');
  });

  it('a detractor’s survey answer adds a call by the plan’s owner, 2 days after; a promoter’s does not', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await createStaffMember(api, net.clinic.id, { name: 'Olga', role: 'manager' });
    const p = await createPatient(api, net.clinic.key);
    await api.post(`/v1/patients/${p.id}/plan`, {
      token: net.clinic.key,
      body: { owner_staff_id: owner.id },
    });
    for (const score of [9, 3]) {
      const res = await api.post(`/v1/patients/${p.id}/survey_responses`, {
        token: net.clinic.key,
        body: { score },
      });
      expect(res.status, res.text).toBe(201);
    }
    const calls = await rows("select * from plan_items where patient_id = ? and source = 'event'", p.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      kind: 'detractor_follow_up',
      channel: 'call',
      owner_staff_id: owner.id,
      due_on: addDays(new Date(T0).toISOString().slice(0, 10), 2),
    });
    expect(calls[0]!.event_key).toMatch(/^detractor:svy_/);
  });

  it('expiring points add a call 14 days before the expiry, once per expiry date', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key, { expiry_days: 40 });
    const p = await createPatient(api, net.clinic.key);
    await recordVisit(api, net.clinic.key, p.id, 10_000);
    const [lot] = await rows('select expires_on from point_lots where patient_id = ?', p.id);
    // Within 30 days of the expiry.
    const deps = testDeps(fixedClock(T0 + 15 * DAY_MS));
    expect(await addExpiringPointsCalls(deps)).toBeGreaterThanOrEqual(1);
    await env.DB.prepare('delete from job_state where name = ?').bind('plan_points_expiring').run();
    await addExpiringPointsCalls(deps);
    const calls = await rows(
      "select * from plan_items where patient_id = ? and kind = 'points_expiring'",
      p.id,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      channel: 'call',
      source: 'event',
      event_key: `expiry:${lot!.expires_on}`,
      due_on:
        addDays(lot!.expires_on, -14) > localDate(T0 + 15 * DAY_MS, 'Europe/Berlin')
          ? addDays(lot!.expires_on, -14)
          : localDate(T0 + 15 * DAY_MS, 'Europe/Berlin'),
    });
  });
});

describe('savePlanTemplate', () => {
  it('bumps the version on each save and says who set it', async () => {
    const { deps, clinic } = await scene();
    const save = () =>
      savePlanTemplate(deps, {
        clinic: clinic.principal,
        segmentKey: 'B',
        interactionsPerYear: 7,
        mix: DEFAULT_MIXES.B,
      });
    const one = await save();
    const two = await save();
    expect(one.ok && one.value.version).toBe(1);
    expect(two.ok && two.value.version).toBe(2);
    const p = await readPatientPlan(deps, {
      clinic: clinic.principal,
      patientId: 'pat_01JD0000000000000000000000',
    });
    expect(p.ok || p.error.code).toBe('patient_not_found');
  });
});
