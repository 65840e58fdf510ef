import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, newId } from '@gratia/core';
import {
  clinicInsightCounts,
  clinicMonthInsight,
  type Deps,
  insightSettings,
  jobState,
  patientInsight,
  patientMonthActivity,
  patientQuadrantMonths,
  runBatch,
  visits,
} from '@gratia/db';
import {
  backfillPatientInsight,
  refreshClinic,
  refreshInsightDaily,
  refreshPatientInsight,
  saveInsightSettings,
} from '@gratia/insight';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';

// The insight engine on seeded cohorts whose answers are known: A/B/C boundaries, each quadrant, a move
// after a new survey, win-back triggers, growth, and the triggers that keep the row with the events.

type Clinic = Awaited<ReturnType<typeof orgWithCaller>>;

async function visit(deps: Deps, clinic: Clinic, patientId: string, amount: number, at: number) {
  await deps.db.insert(visits).values({
    id: newId('vis', at),
    clinicId: clinic.org.id,
    patientId,
    amount,
    currency: 'EUR',
    occurredAt: at,
    programVersion: 0,
    accrualRateBps: 0,
    pointsEarned: 0,
    recordedAt: at,
  });
}

async function newPatient(deps: Deps, clinic: Clinic) {
  return (await patientOf(deps, clinic)).id;
}

const rowOf = async (deps: Deps, patientId: string) => {
  const [row] = await deps.db.select().from(patientInsight).where(eq(patientInsight.patientId, patientId));
  return row!;
};

/** A survey answer, written the way the survey use case writes it, then the refresh in the same batch. */
async function survey(deps: Deps, patientId: string, score: number, at: number) {
  const { db } = deps;
  await db.batch([
    db
      .update(patientInsight)
      .set({ surveyScore: score, surveyAt: at, surveyCount: sql`${patientInsight.surveyCount} + 1` })
      .where(eq(patientInsight.patientId, patientId)),
    ...(refreshPatientInsight(db, patientId, at) as [any]),
  ]);
}

async function refresh(deps: Deps, patientId: string, at: number) {
  const [first, ...rest] = refreshPatientInsight(deps.db, patientId, at);
  await deps.db.batch([first!, ...rest]);
}

describe('the insight row follows the events', () => {
  it('exists from registration, and visits fill behaviour and month activity', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const id = await newPatient(deps, clinic);
    const fresh = await rowOf(deps, id);
    expect(fresh).toMatchObject({
      clinicId: clinic.org.id,
      visitCount: 0,
      quadrant: 'unknown',
      growth: null,
    });

    await visit(deps, clinic, id, 10_000, T0 - 40 * DAY_MS);
    await visit(deps, clinic, id, 5_000, T0 - 10 * DAY_MS);
    const row = await rowOf(deps, id);
    expect(row).toMatchObject({
      visitCount: 2,
      lifetimeSpend: 15_000,
      firstVisitAt: T0 - 40 * DAY_MS,
      lastVisitAt: T0 - 10 * DAY_MS,
      cohortMonth: '2026-09',
    });
    const months = await deps.db
      .select()
      .from(patientMonthActivity)
      .where(eq(patientMonthActivity.patientId, id))
      .orderBy(patientMonthActivity.month);
    expect(months.map((m) => [m.month, m.spend, m.visits])).toEqual([
      ['2026-09', 10_000, 1],
      ['2026-10', 5_000, 1],
    ]);
  });

  it('counts a link opened by the patient', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const id = await newPatient(deps, clinic);
    const { createPatientLink, openPatientLink, linkToken } = await import('@gratia/insight');
    const made = await createPatientLink(deps, {
      clinic: clinic.principal,
      patientId: id,
      purpose: 'survey',
    });
    if (!made.ok) throw new Error('no link');
    const token = await linkToken(deps, made.value.link);
    await openPatientLink(deps, { token, purpose: 'survey' });
    await openPatientLink(deps, { token, purpose: 'survey' });
    expect(await rowOf(deps, id)).toMatchObject({ linkOpens: 2, lastOpenAt: T0 });
  });
});

describe('A/B/C by trailing 12-month revenue', () => {
  async function cohort(spends: number[]) {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const ids: string[] = [];
    for (const spend of spends) {
      const id = await newPatient(deps, clinic);
      if (spend > 0) await visit(deps, clinic, id, spend, T0 - 30 * DAY_MS);
      ids.push(id);
    }
    await refreshClinic(deps, { clinicId: clinic.org.id });
    const classes = async () => Promise.all(ids.map(async (id) => (await rowOf(deps, id)).abcClass));
    return { deps, clinic, ids, classes };
  }

  it('splits at exactly 80% and 95% (the share BEFORE a patient decides), none without spend', async () => {
    // Total 1000; the revenue of those before each: 0, 600, 800 (= 80%: B), 900, 950 (= 95%: C), 980.
    const c = await cohort([200, 600, 100, 50, 30, 20, 0]);
    expect(await c.classes()).toEqual(['A', 'A', 'B', 'B', 'C', 'C', null]);
    const counts = await c.deps.db
      .select()
      .from(clinicInsightCounts)
      .where(
        and(eq(clinicInsightCounts.clinicId, c.clinic.org.id), eq(clinicInsightCounts.dimension, 'abc')),
      );
    expect(Object.fromEntries(counts.map((r) => [r.value, r.patients]))).toEqual({
      A: 2,
      B: 2,
      C: 2,
      none: 1,
    });
  });

  it('gives tied spends the same class', async () => {
    // 400 + 400 + 200: before the tied pair = 0 for both → A; before the last = 800 → B (80% is not < 80%).
    const c = await cohort([400, 400, 200]);
    expect(await c.classes()).toEqual(['A', 'A', 'B']);
  });

  it('follows custom thresholds, saved with the settings', async () => {
    const c = await cohort([500, 200, 100, 50, 50, 40, 10, 20, 20, 10]);
    const saved = await saveInsightSettings(c.deps, {
      clinic: c.clinic.principal,
      abcABps: 5000,
      abcBBps: 2000,
      budgetA: 10_000,
      budgetB: null,
      budgetC: 0,
    });
    expect(saved.ok).toBe(true);
    // A while before < 500: only the first; B while before < 700: the second.
    expect(await c.classes()).toEqual(['A', 'B', 'C', 'C', 'C', 'C', 'C', 'C', 'C', 'C']);
  });
});

describe('loyalty quadrants', () => {
  /** A patient with visits every `every` days (the last `last` days ago), and maybe a survey answer. */
  async function seeded(
    deps: Deps,
    clinic: Clinic,
    o: { visits: number; every: number; last: number; score?: number },
  ) {
    const id = await newPatient(deps, clinic);
    for (let i = o.visits - 1; i >= 0; i--)
      await visit(deps, clinic, id, 10_000, T0 - (o.last + i * o.every) * DAY_MS);
    if (o.score !== undefined) await survey(deps, id, o.score, T0 - DAY_MS);
    await refresh(deps, id, T0);
    return id;
  }

  it('puts each patient in the quadrant their answers and behaviour say, with the reasons', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const apostle = await seeded(deps, clinic, { visits: 6, every: 30, last: 12, score: 9 });
    const mercenary = await seeded(deps, clinic, { visits: 2, every: 30, last: 200, score: 10 });
    const hostage = await seeded(deps, clinic, { visits: 6, every: 30, last: 12, score: 4 });
    const defector = await seeded(deps, clinic, { visits: 2, every: 30, last: 200, score: 2 });
    const unknown = await seeded(deps, clinic, { visits: 6, every: 30, last: 12 });
    const a = await rowOf(deps, apostle);
    expect(a).toMatchObject({ quadrant: 'apostle', loyal: true, usualIntervalDays: 30, winBack: false });
    expect(a.reasons).toEqual([
      'Recommends us 9/10',
      'Visits every 30 days, last 12 days ago',
      'Comes back as often as usual',
    ]);
    expect(await rowOf(deps, mercenary)).toMatchObject({ quadrant: 'mercenary', loyal: false });
    expect(await rowOf(deps, hostage)).toMatchObject({ quadrant: 'hostage', loyal: true });
    const d = await rowOf(deps, defector);
    expect(d).toMatchObject({ quadrant: 'defector', loyal: false, winBack: true, overdueDays: 170 });
    expect(d.reasons).toContain('Would recommend us only 2/10');
    expect(d.winBackReason).toBe('Usually every 30 days; last visit 200 days ago');
    expect(await rowOf(deps, unknown)).toMatchObject({ quadrant: 'unknown', loyal: true });
    expect(a.engagement).toBeGreaterThan(d.engagement);
  });

  it('moves a patient to another quadrant after a new survey, and the month snapshot says so', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const id = await seeded(deps, clinic, { visits: 6, every: 30, last: 12, score: 9 });
    // Last month's snapshot: the patient was an apostle.
    await refreshClinic({ ...deps, clock: fixedClock(T0 - 15 * DAY_MS) }, { clinicId: clinic.org.id });
    const [october] = await deps.db
      .select()
      .from(patientQuadrantMonths)
      .where(eq(patientQuadrantMonths.patientId, id));
    expect(october).toMatchObject({ month: '2026-10', quadrant: 'apostle' });

    await survey(deps, id, 3, T0);
    expect(await rowOf(deps, id)).toMatchObject({ quadrant: 'hostage' });
    await refreshClinic(deps, { clinicId: clinic.org.id });
    const moves = await deps.db
      .select()
      .from(clinicMonthInsight)
      .where(and(eq(clinicMonthInsight.clinicId, clinic.org.id), eq(clinicMonthInsight.month, '2026-11')));
    expect(moves.map((r) => `${r.dimension}:${r.value}=${r.patients}`).sort()).toEqual([
      'abc:A=1',
      'cohort:2026-05=1',
      'move:apostle>hostage=1',
      'quadrant:hostage=1',
    ]);
  });
});

describe('win-back and growth', () => {
  it('flags a patient whose engagement fell 20 points or more since last month', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const id = await newPatient(deps, clinic);
    for (let i = 0; i < 4; i++) await visit(deps, clinic, id, 10_000, T0 - (80 + i * 60) * DAY_MS);
    await deps.db.insert(patientQuadrantMonths).values({
      patientId: id,
      month: '2026-10',
      clinicId: clinic.org.id,
      quadrant: 'unknown',
      engagement: 70,
    });
    await refresh(deps, id, T0);
    const row = await rowOf(deps, id);
    expect(row.engagementPrev).toBe(70);
    expect(row.engagement).toBeLessThanOrEqual(50);
    expect(row).toMatchObject({
      winBack: true,
      winBackReason: `Engagement fell from 70 to ${row.engagement}`,
    });
  });

  it('says new, rising, falling, lapsed and steady', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const spends = async (prev: number, recent: number) => {
      const id = await newPatient(deps, clinic);
      if (prev) await visit(deps, clinic, id, prev, T0 - 500 * DAY_MS);
      if (recent) await visit(deps, clinic, id, recent, T0 - 100 * DAY_MS);
      await refresh(deps, id, T0);
      return (await rowOf(deps, id)).growth;
    };
    expect(await spends(0, 1000)).toBe('new');
    expect(await spends(1000, 1200)).toBe('rising');
    expect(await spends(1000, 800)).toBe('falling');
    expect(await spends(1000, 0)).toBe('lapsed');
    expect(await spends(1000, 1050)).toBe('steady');
    expect(await spends(0, 0)).toBe(null);
  });
});

describe('the daily job', () => {
  it('backfills behaviour from the records, then refreshes every clinic once a day', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const id = await newPatient(deps, clinic);
    await visit(deps, clinic, id, 7_000, T0 - 20 * DAY_MS);
    // As if the patient predated the triggers: forget what they counted.
    await runBatch(deps.db, {
      a: deps.db.delete(patientMonthActivity).where(eq(patientMonthActivity.patientId, id)),
      b: deps.db
        .update(patientInsight)
        .set({ visitCount: 0, lifetimeSpend: 0, firstVisitAt: null, lastVisitAt: null })
        .where(eq(patientInsight.patientId, id)),
      c: deps.db.delete(jobState).where(sql`${jobState.name} like 'patient_insight_%'`),
    });
    while ((await backfillPatientInsight(deps)) > 0);
    expect(await rowOf(deps, id)).toMatchObject({
      visitCount: 1,
      lifetimeSpend: 7_000,
      cohortMonth: '2026-10',
    });
    let refreshed = 0;
    for (let run = 0; run < 100; run++) {
      const n = await refreshInsightDaily(deps);
      if (n === 0) break;
      refreshed += n;
    }
    expect(refreshed).toBeGreaterThan(0);
    expect(await refreshInsightDaily(deps)).toBe(0);
    expect(await rowOf(deps, id)).toMatchObject({ spend12m: 7_000, abcClass: 'A', refreshedAt: T0 });
    const [settings] = await deps.db
      .select()
      .from(insightSettings)
      .where(eq(insightSettings.clinicId, clinic.org.id));
    expect(settings?.usualIntervalDays).toBe(90);
  });
});

describe('reads that do not grow with history', () => {
  /** Growing tables a refresh of one patient touches: each must be read through an index. */
  const GROWING = [
    'patient_insight',
    'patient_month_activity',
    'patient_quadrant_months',
    'point_accounts',
    'patients',
    'insight_settings',
    'timezone_months',
    'organizations',
  ];

  it("refreshes one patient through primary keys and the month table's key, never a scan", async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const id = await newPatient(deps, clinic);
    for (let i = 0; i < 30; i++) await visit(deps, clinic, id, 1_000, T0 - i * 20 * DAY_MS);
    const details: string[] = [];
    for (const statement of refreshPatientInsight(deps.db, id, T0)) {
      const q = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
        .bind(...q.params)
        .all<{ detail: string }>();
      details.push(...plan.results.map((r) => r.detail));
    }
    const scans = details.filter((d) => {
      const m = /^SCAN (\w+)/.exec(d);
      return m && GROWING.includes(m[1]!);
    });
    expect(scans).toEqual([]);
    expect(
      details.some((d) =>
        /SEARCH a USING INDEX sqlite_autoindex_patient_month_activity_1 \(patient_id=\? AND month>\?\)/.test(
          d,
        ),
      ),
    ).toBe(true);
    expect(
      details.some((d) => /SEARCH patient_insight USING INDEX sqlite_autoindex_patient_insight_1/.test(d)),
    ).toBe(true);
  });
});
