import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import {
  listWinBack,
  readInsightMonths,
  readInsightOverview,
  readInsightSummary,
  type WinBackEntry,
  type WinBackInput,
  winBackStatement,
} from '@gratia/insight';
import { recordCallOutcome } from '@gratia/points';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';
import { createNetwork, createPatient } from '../helpers/factories';
import { seedInsight, seedMonth } from '../helpers/insight-seed';
import { describeSecurity, expectProblem } from '../helpers/security';

// What the clinic sees of its patients as a whole: the distributions now (clinic_insight_counts, kept
// by triggers on patient_insight), the months (clinic_month_insight snapshots) and the win-back list,
// each read in one statement that never reads another clinic's rows, nor the clinic's history.

type Clinic = Awaited<ReturnType<typeof orgWithCaller>>;

async function clinicWithPatients(deps: ReturnType<typeof testDeps>, n: number) {
  const clinic = await orgWithCaller(deps, 'clinic');
  const patients = [];
  for (let i = 0; i < n; i++) patients.push(await patientOf(deps, clinic));
  return { clinic, patients };
}

async function summaryOf(deps: ReturnType<typeof testDeps>, clinic: Clinic) {
  const out = await readInsightSummary(deps, { caller: clinic.presented });
  if (!out.ok) throw new Error(out.error.code);
  return out.value;
}

async function winBackOf(
  deps: ReturnType<typeof testDeps>,
  input: Omit<WinBackInput, 'caller'> & { clinic: Clinic },
) {
  const out = await listWinBack(deps, {
    caller: input.clinic.presented,
    after: input.after,
    limit: input.limit,
  });
  if (!out.ok) throw new Error(out.error.code);
  return out.value;
}

const seed = (clinic: Clinic, patientId: string, f: Parameters<typeof seedInsight>[2]) =>
  seedInsight(clinic.org.id, patientId, f);

describe('readInsightSummary', () => {
  it("counts the clinic's patients per class, quadrant, growth and win-back, and follows a move", async () => {
    const deps = testDeps();
    const { clinic, patients: p } = await clinicWithPatients(deps, 5);
    const other = await clinicWithPatients(deps, 1);
    await seed(clinic, p[0]!.id, { quadrant: 'apostle', abc_class: 'A', growth: 'rising' });
    await seed(clinic, p[1]!.id, { quadrant: 'apostle', abc_class: 'A', growth: 'steady' });
    await seed(clinic, p[2]!.id, { quadrant: 'hostage', abc_class: 'B', growth: 'falling', win_back: true });
    await seed(clinic, p[3]!.id, { quadrant: 'defector', abc_class: 'C', growth: 'lapsed', win_back: true });
    await seed(clinic, p[4]!.id, { quadrant: 'unknown' });
    await seed(other.clinic, other.patients[0]!.id, { quadrant: 'apostle', abc_class: 'A', win_back: true });

    const s = await summaryOf(deps, clinic);
    expect(s.patients).toBe(5);
    expect(s.quadrant).toEqual({ apostle: 2, mercenary: 0, hostage: 1, defector: 1, unknown: 1 });
    expect(s.abc).toEqual({ A: 2, B: 1, C: 1, none: 1 });
    expect(s.growth).toEqual({ new: 0, rising: 1, steady: 1, falling: 1, lapsed: 1, none: 1 });
    expect(s.winBack).toBe(2);

    // A new survey answer turns the hostage into an apostle: the counts follow, the other clinic's not.
    await seed(clinic, p[2]!.id, { quadrant: 'apostle', abc_class: 'B', growth: 'falling', win_back: false });
    const after = await summaryOf(deps, clinic);
    expect(after.quadrant).toEqual({ apostle: 3, mercenary: 0, hostage: 0, defector: 1, unknown: 1 });
    expect(after.winBack).toBe(1);
    const theirs = await summaryOf(deps, other.clinic);
    expect(theirs).toMatchObject({ patients: 1, winBack: 1, quadrant: { apostle: 1, hostage: 0 } });
  });

  it('is all zeros for a clinic that knows nothing yet', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const s = await summaryOf(deps, clinic);
    expect(s).toMatchObject({ patients: 0, winBack: 0, quadrant: { apostle: 0, unknown: 0 }, abc: { A: 0 } });
  });
});

describe('readInsightMonths', () => {
  it('answers every month of the range with its quadrants, classes, moves and cohorts', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const other = await orgWithCaller(deps, 'clinic');
    await seedMonth(clinic.org.id, '2026-10', [
      ['quadrant', 'apostle', 3, 210],
      ['quadrant', 'hostage', 1, 40],
      ['abc', 'A', 2],
      ['cohort', '2026-09', 4, 240],
    ]);
    await seedMonth(clinic.org.id, '2026-11', [
      ['quadrant', 'apostle', 3, 200],
      ['quadrant', 'defector', 1, 5],
      ['quadrant', 'unknown', 2, 0],
      ['move', 'apostle>defector', 1],
      ['move', 'hostage>apostle', 1],
      ['move', 'none>unknown', 2],
      ['move', 'apostle>apostle', 2],
      ['cohort', '2026-09', 4, 250],
      ['cohort', '2026-11', 3, 0],
      ['segment', 'seg_x', 9],
    ]);
    await seedMonth(clinic.org.id, '2024-01', [['quadrant', 'apostle', 77]]);
    await seedMonth(other.org.id, '2026-11', [['quadrant', 'apostle', 99]]);

    const out = await readInsightMonths(deps, { clinic: clinic.principal });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    // The twelve months to the current one (T0 is in November 2026, clinic time).
    expect(out.value.from).toBe('2025-12');
    expect(out.value.to).toBe('2026-11');
    expect(out.value.months.map((m) => m.month)).toHaveLength(12);
    expect(out.value.months.filter((m) => m.snapshot).map((m) => m.month)).toEqual(['2026-10', '2026-11']);
    const [oct, nov] = out.value.months.slice(-2) as [
      (typeof out.value.months)[0],
      (typeof out.value.months)[0],
    ];
    expect(oct.quadrant).toEqual({ apostle: 3, mercenary: 0, hostage: 1, defector: 0, unknown: 0 });
    expect(oct.abc).toEqual({ A: 2, B: 0, C: 0, none: 0 });
    expect(oct.moves).toEqual([]);
    expect(oct.cohorts).toEqual([{ cohort: '2026-09', patients: 4, engagement: 60 }]);
    expect(nov.quadrant).toEqual({ apostle: 3, mercenary: 0, hostage: 0, defector: 1, unknown: 2 });
    expect(nov.moves).toEqual([
      { from: 'none', to: 'unknown', patients: 2 },
      { from: 'apostle', to: 'apostle', patients: 2 },
      { from: 'apostle', to: 'defector', patients: 1 },
      { from: 'hostage', to: 'apostle', patients: 1 },
    ]);
    expect(nov.cohorts).toEqual([
      { cohort: '2026-09', patients: 4, engagement: 62.5 },
      { cohort: '2026-11', patients: 3, engagement: 0 },
    ]);
    const quiet = out.value.months[0]!;
    expect(quiet).toMatchObject({ snapshot: false, moves: [], cohorts: [], quadrant: { apostle: 0 } });

    const old = await readInsightMonths(deps, { clinic: clinic.principal, from: '2024-01', to: '2024-01' });
    expect(old.ok && old.value.months[0]!.quadrant.apostle).toBe(77);
  });

  it('refuses a malformed month, from after to, and more than 24 months', async () => {
    const deps = testDeps();
    const { principal } = await orgWithCaller(deps, 'clinic');
    for (const range of [
      { from: '2026-13' },
      { to: 'soon' },
      { from: '2026-11', to: '2026-10' },
      { from: '2024-11', to: '2026-11' },
    ]) {
      const out = await readInsightMonths(deps, { clinic: principal, ...range });
      expect(out.ok, JSON.stringify(range)).toBe(false);
      if (!out.ok) expect(out.error.code).toBe('validation_failed');
    }
    const most = await readInsightMonths(deps, { clinic: principal, from: '2024-12', to: '2026-11' });
    expect(most.ok && most.value.months).toHaveLength(24);
  });

  it('reads the summary and the months in one overview', async () => {
    const deps = testDeps();
    const { clinic, patients } = await clinicWithPatients(deps, 1);
    await seed(clinic, patients[0]!.id, { quadrant: 'mercenary' });
    await seedMonth(clinic.org.id, '2026-11', [['quadrant', 'mercenary', 1, 50]]);
    const out = await readInsightOverview(deps, { clinic: clinic.principal, from: '2026-11', to: '2026-11' });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.summary.quadrant.mercenary).toBe(1);
    expect(out.value.months[0]!.quadrant.mercenary).toBe(1);
  });
});

describe('listWinBack', () => {
  async function winBackScene() {
    const deps = testDeps();
    const { clinic, patients: p } = await clinicWithPatients(deps, 7);
    const other = await clinicWithPatients(deps, 1);
    const overdue = [30, 10, 10, 10, 0];
    for (const [i, days] of overdue.entries())
      await seed(clinic, p[i]!.id, {
        win_back: true,
        overdue_days: days,
        win_back_reason: days > 0 ? `Overdue by ${days} days` : 'Engagement dropped from 70 to 30',
        engagement: 30,
        engagement_prev: 70,
        usual_interval_days: 60,
        last_visit_at: T0 - 90 * 86_400_000,
        quadrant: 'defector',
        abc_class: 'B',
      });
    // Overdue but not on the list, and another clinic's patient on its own list.
    await seed(clinic, p[5]!.id, { win_back: false, overdue_days: 50 });
    await seed(other.clinic, other.patients[0]!.id, { win_back: true, overdue_days: 100 });
    return { deps, clinic, p, other };
  }

  it('lists the win-back patients most overdue first, page by page, each once, no one else', async () => {
    const { deps, clinic, p, other } = await winBackScene();
    const seen: WinBackEntry[] = [];
    let after = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await winBackOf(deps, { clinic, after, limit: 2 });
      seen.push(...page.entries);
      if (!page.next) break;
      after = page.next;
    }
    expect(seen.map((e) => e.overdueDays)).toEqual([30, 10, 10, 10, 0]);
    expect(new Set(seen.map((e) => e.patientId)).size).toBe(5);
    expect(seen.map((e) => e.patientId)).not.toContain(p[5]!.id);
    expect(seen.map((e) => e.patientId)).not.toContain(other.patients[0]!.id);
    expect(seen[0]).toMatchObject({
      patientId: p[0]!.id,
      firstName: 'Dana',
      reason: 'Overdue by 30 days',
      usualIntervalDays: 60,
      engagement: 30,
      engagementPrev: 70,
      quadrant: 'defector',
      abcClass: 'B',
      consent: { email: false, sms: false },
      lastCall: null,
    });
    expect(seen[4]!.reason).toBe('Engagement dropped from 70 to 30');
  });

  it('shows the latest call made to each patient, with who made it', async () => {
    const { deps, clinic, p } = await winBackScene();
    const first = await recordCallOutcome(deps, {
      clinic: clinic.principal,
      patientId: p[0]!.id,
      outcome: 'no_answer',
    });
    expect(first.ok).toBe(true);
    const later = testDeps(fixedClock(T0 + 60_000));
    await recordCallOutcome(later, {
      clinic: clinic.principal,
      patientId: p[0]!.id,
      outcome: 'reached',
      note: 'Books next week',
    });
    const page = await winBackOf(deps, { clinic, after: null, limit: 1 });
    expect(page.entries[0]!.lastCall).toMatchObject({
      outcome: 'reached',
      note: 'Books next week',
      at: T0 + 60_000,
      by: { kind: 'api_key', id: clinic.keyId },
    });
  });

  it("refuses another kind of organisation's key, in the same round trip", async () => {
    const { deps } = await winBackScene();
    const partner = await orgWithCaller(deps, 'partner');
    const out = await listWinBack(deps, { caller: partner.presented, after: null, limit: 5 });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error.code).toBe('forbidden');
    const summary = await readInsightSummary(deps, { caller: partner.presented });
    expect(!summary.ok && summary.error.code).toBe('forbidden');
  });

  it('reads through patient_insight_win_back_idx without sorting, on the first page and after', async () => {
    const { deps, clinic, p } = await winBackScene();
    for (const after of [null, { overdueDays: 10, patientId: p[2]!.id }]) {
      const { sql, params } = winBackStatement(deps, { caller: clinic.presented, after, limit: 25 }).toSQL();
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const details = plan.results.map((r) => r.detail);
      expect(details.join('\n')).toMatch(/patient_insight_win_back_idx/);
      expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
      expect(details.filter((d) => /^SCAN /.test(d) && !/USING/.test(d))).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The API

describe('GET /v1/insight/summary', () => {
  it("answers the clinic's distributions", async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const a = await createPatient(api, net.clinic.key);
    const b = await createPatient(api, net.clinic.key);
    await seedInsight(net.clinic.id, a.id, { quadrant: 'apostle', abc_class: 'A', growth: 'new' });
    await seedInsight(net.clinic.id, b.id, { quadrant: 'defector', abc_class: 'C', win_back: true });
    const res = await api.get('/v1/insight/summary', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      clinic_id: net.clinic.id,
      patients: 2,
      abc: { A: 1, B: 0, C: 1, none: 0 },
      quadrant: { apostle: 1, mercenary: 0, hostage: 0, defector: 1, unknown: 0 },
      growth: { new: 1, rising: 0, steady: 0, falling: 0, lapsed: 0, none: 1 },
      win_back: 1,
    });
    const theirs = await api.get('/v1/insight/summary', { token: net.otherClinic.key });
    expect(theirs.body).toMatchObject({ patients: 0, win_back: 0 });
  });
});

describe('GET /v1/insight/months', () => {
  it('answers the months asked', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await seedMonth(net.clinic.id, '2026-11', [
      ['quadrant', 'hostage', 2, 80],
      ['move', 'apostle>hostage', 2],
      ['cohort', '2026-08', 2, 125],
      ['abc', 'B', 2],
    ]);
    const res = await api.get('/v1/insight/months?from=2026-10&to=2026-11', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ clinic_id: net.clinic.id, from: '2026-10', to: '2026-11' });
    expect(res.body.months).toHaveLength(2);
    expect(res.body.months[0]).toMatchObject({ month: '2026-10', snapshot: false, moves: [], cohorts: [] });
    expect(res.body.months[1]).toMatchObject({
      month: '2026-11',
      snapshot: true,
      quadrant: { hostage: 2 },
      abc: { B: 2 },
      moves: [{ from: 'apostle', to: 'hostage', patients: 2 }],
      cohorts: [{ cohort: '2026-08', patients: 2, average_engagement: 62.5 }],
    });
    const theirs = await api.get('/v1/insight/months?from=2026-11&to=2026-11', {
      token: net.otherClinic.key,
    });
    expect(theirs.body.months[0]).toMatchObject({ snapshot: false, quadrant: { hostage: 0 } });
  });

  it('refuses a malformed month, from after to and more than 24 months (400 validation_failed)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    for (const q of ['from=2026-13', 'to=November', 'from=2026-11&to=2026-10', 'from=2024-01&to=2026-11']) {
      const res = await api.get(`/v1/insight/months?${q}`, { token: net.clinic.key });
      expectProblem(res, 400, 'validation_failed');
    }
  });
});

describe('GET /v1/win_back', () => {
  it('pages the list most overdue first, with the latest call', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const made = [];
    for (const days of [5, 40, 12]) {
      const p = await createPatient(api, net.clinic.key, { phone: '+491701234567', consent: { sms: true } });
      await seedInsight(net.clinic.id, p.id, {
        win_back: true,
        overdue_days: days,
        win_back_reason: `Overdue by ${days} days`,
        last_visit_at: T0 - 100 * 86_400_000,
      });
      made.push(p);
    }
    const called = await api.post(`/v1/patients/${made[1]!.id}/call_outcomes`, {
      token: net.clinic.key,
      body: { outcome: 'left_message' },
    });
    expect(called.status, called.text).toBe(201);

    const first = await api.get('/v1/win_back?limit=2', { token: net.clinic.key });
    expect(first.status, first.text).toBe(200);
    expect(first.body.data.map((e: any) => e.overdue_days)).toEqual([40, 12]);
    expect(first.body.data[0]).toMatchObject({
      patient_id: made[1]!.id,
      reason: 'Overdue by 40 days',
      phone: '+491701234567',
      consent: { sms: true, email: false },
      last_visit_at: new Date(T0 - 100 * 86_400_000).toISOString(),
      last_call: { outcome: 'left_message', by: { kind: 'api_key' } },
    });
    expect(first.body.data[1].last_call).toBeNull();
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await api.get(`/v1/win_back?limit=2&cursor=${first.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(second.body.data.map((e: any) => e.overdue_days)).toEqual([5]);
    expect(second.body.next_cursor).toBeNull();
    const theirs = await api.get('/v1/win_back', { token: net.otherClinic.key });
    expect(theirs.body).toEqual({ data: [], next_cursor: null });
  });

  it('refuses a cursor it did not give out (400 invalid_cursor)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const res = await api.get('/v1/win_back?cursor=bm90LWEtY3Vyc29y', { token: net.clinic.key });
    expectProblem(res, 400, 'invalid_cursor');
  });
});

for (const path of ['/v1/insight/summary', '/v1/insight/months', '/v1/win_back'])
  describeSecurity(`GET ${path}`, {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => path,
  });
