import { addMonths, localMonth } from '@gratia/core';
import {
  clinicMonthInsight,
  clinicMonthSql,
  type Db,
  type Deps,
  insightSettings,
  jobState,
  organizations,
  patientInsight,
  patientMonthActivity,
  patientQuadrantMonths,
  patients,
  runBatch,
  timezoneMonthsStatement,
} from '@gratia/db';
import { and, asc, eq, gt, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { ensureRows, refreshStatements } from './refresh';

// A clinic's insight, all of it: every patient's row re-derived (refresh.ts) in slices, the clinic's
// usual interval, A/B/C, and the month snapshots the charts read. The daily job runs it for a few
// clinics per cron run; POST /v1/insight/refresh runs it for the caller's clinic now.
//
// A/B/C (classifyStatements): the clinic's patients by spend_12m, highest first; a patient is A while
// the share of revenue of the patients BEFORE them (ties share a place: all patients with the same spend
// get the same class) is under `abc_a_bps`, B while under `abc_a_bps + abc_b_bps`, C after. A patient
// with no spend in the trailing 12 months has no class (null, counted as 'none'): they are not part of
// the revenue being split.
//
// Month snapshots (the charts read exactly these; `month` is the clinic-timezone month, YYYY-MM, of the
// run: the current month's rows are rewritten by every run, so the last bar is "this month so far"):
// clinic_month_insight rows (clinic_id, month, dimension, value, patients, engagement_sum) with
//   - dimension 'quadrant', value = apostle | mercenary | hostage | defector | unknown
//   - dimension 'abc', value = A | B | C | none
//   - dimension 'cohort', value = the cohort month (YYYY-MM of the first visit); engagement_sum = the
//     sum of the cohort's engagement (average = engagement_sum / patients); patients without a visit
//     are in no cohort
//   - dimension 'move', value = `${from}>${to}`: from = the patient's quadrant in the previous month's
//     patient_quadrant_months row (or 'none' without one), to = their quadrant now (e.g.
//     'apostle>defector', 'none>unknown', 'hostage>hostage' for those who stayed)
// and patient_quadrant_months (patient_id, month, clinic_id, quadrant, engagement) for the month.

const pi = patientInsight;
/** Patients re-derived per batch. */
export const REFRESH_SLICE = 500;

const setting = (clinicId: string, column: 'abc_a_bps' | 'abc_b_bps', fallback: number) =>
  sql`coalesce((select s.${sql.raw(column)} from insight_settings s where s.clinic_id = ${clinicId}), ${fallback})`;

/** A/B/C for every patient of the clinic (see the top of this file). */
export function classifyStatements(db: Db, clinicId: string) {
  const spend = pi.spend12m;
  const before = sql`(sum(${spend}) over (order by ${spend} desc) - sum(${spend}) over (partition by ${spend}))`;
  const total = sql`sum(${spend}) over ()`;
  const a = setting(clinicId, 'abc_a_bps', 8000);
  const b = setting(clinicId, 'abc_b_bps', 1500);
  const ranked = db
    .select({
      pid: sql<string>`${pi.patientId}`.as('pid'),
      cls: sql<string | null>`case when ${spend} <= 0 then null
        when ${before} * 10000 < ${total} * ${a} then 'A'
        when ${before} * 10000 < ${total} * (${a} + ${b}) then 'B' else 'C' end`.as('cls'),
    })
    .from(pi)
    .where(eq(pi.clinicId, clinicId))
    .as('r');
  return db
    .update(pi)
    .set({ abcClass: sql`r.cls` })
    .from(ranked)
    .where(and(sql`${pi.patientId} = r.pid`, sql`${pi.abcClass} is not r.cls`));
}

/** The clinic's usual interval: the mean of its patients' own (90 days while none has two visits). */
export function clinicIntervalStatement(db: Db, clinicId: string, now: number) {
  const mean = sql`coalesce((select cast(round(avg(x.usual_interval_days)) as integer) from patient_insight x
    where x.clinic_id = ${clinicId} and x.usual_interval_days is not null), 90)`;
  return db
    .insert(insightSettings)
    .values({ clinicId, usualIntervalDays: mean, updatedAt: now })
    .onConflictDoUpdate({
      target: insightSettings.clinicId,
      set: { usualIntervalDays: sql`excluded.usual_interval_days` },
    });
}

export const SNAPSHOT_DIMENSIONS = ['quadrant', 'abc', 'cohort', 'move'] as const;

/** The month snapshot of the clinic for `month` (see the top of this file). */
export function snapshotStatements(db: Db, clinicId: string, month: string) {
  const previous = addMonths(month, -1);
  const count = (dimension: string, value: SQL, from: SQL) =>
    db.insert(clinicMonthInsight).select(
      sql`select ${clinicId}, ${month}, ${dimension}, ${value} as v, count(*), coalesce(sum(i.engagement), 0)
          ${from} group by v`,
    );
  const own = sql`from patient_insight i where i.clinic_id = ${clinicId}`;
  return {
    forget: db
      .delete(clinicMonthInsight)
      .where(
        and(
          eq(clinicMonthInsight.clinicId, clinicId),
          eq(clinicMonthInsight.month, month),
          inArray(clinicMonthInsight.dimension, [...SNAPSHOT_DIMENSIONS]),
        ),
      ),
    quadrant: count('quadrant', sql`i.quadrant`, own),
    abc: count('abc', sql`coalesce(i.abc_class, 'none')`, own),
    cohort: count('cohort', sql`i.cohort_month`, sql`${own} and i.cohort_month is not null`),
    move: count(
      'move',
      sql`coalesce(q.quadrant, 'none') || '>' || i.quadrant`,
      sql`from patient_insight i left join patient_quadrant_months q
        on q.patient_id = i.patient_id and q.month = ${previous} where i.clinic_id = ${clinicId}`,
    ),
    patients: db
      .insert(patientQuadrantMonths)
      .select(
        sql`select i.patient_id, ${month}, i.clinic_id, i.quadrant, i.engagement
          from patient_insight i where i.clinic_id = ${clinicId}`,
      )
      .onConflictDoUpdate({
        target: [patientQuadrantMonths.patientId, patientQuadrantMonths.month],
        set: { quadrant: sql`excluded.quadrant`, engagement: sql`excluded.engagement` },
      }),
  };
}

/** What a clinic's refresh did. */
export interface ClinicRefresh {
  clinicId: string;
  month: string;
  patients: number;
  refreshedAt: number;
}

/**
 * Re-derives every patient of the clinic (in slices of REFRESH_SLICE, each its own batch), then its
 * usual interval, A/B/C and this month's snapshot in a last batch (with `audit` when a person asked).
 * Running it again at the same instant changes nothing.
 */
export async function refreshClinic(
  deps: Deps,
  input: { clinicId: string; audit?: BatchItem<'sqlite'> },
): Promise<ClinicRefresh | null> {
  const { db } = deps;
  const now = deps.clock.now();
  const { clinicId } = input;
  const [clinic] = await db
    .select({ timezone: organizations.timezone })
    .from(organizations)
    .where(and(eq(organizations.id, clinicId), eq(organizations.kind, 'clinic')));
  if (!clinic) return null;
  const month = localMonth(now, clinic.timezone);
  // A clinic of one slice or less is re-derived in ONE batch: all of it or, on any failure, none.
  // A larger one goes slice by slice (a batch each); a failure part-way leaves some rows re-derived and
  // the rest as they were, which the next run (or a retry) completes: the rows are derived, not data.
  const [size] = await db
    .select({ n: sql<number>`count(*)`.as('n') })
    .from(patients)
    .where(eq(patients.clinicId, clinicId));
  // Opening: rows for every patient, the clinic's interval from what the rows say so far. Closing:
  // the interval again from the re-derived rows, A/B/C, this month's snapshot, the audit entry.
  const opening = {
    months: timezoneMonthsStatement(db, clinic.timezone),
    rows: ensureRows(db, sql`p.clinic_id = ${clinicId}`, now),
    interval: clinicIntervalStatement(db, clinicId, now),
    count: db
      .select({ n: sql<number>`count(*)`.as('n') })
      .from(pi)
      .where(eq(pi.clinicId, clinicId)),
  };
  const closing = {
    intervalAfter: clinicIntervalStatement(db, clinicId, now),
    classify: classifyStatements(db, clinicId),
    ...snapshotStatements(db, clinicId, month),
    ...(input.audit ? { audit: input.audit } : {}),
  };
  if ((size?.n ?? 0) <= REFRESH_SLICE) {
    const done = await runBatch(db, {
      ...opening,
      refresh: refreshStatements(db, eq(pi.clinicId, clinicId) as SQL, now),
      ...closing,
    });
    return { clinicId, month, patients: done.count[0]?.n ?? 0, refreshedAt: now };
  }
  const first = await runBatch(db, opening);
  let from = '';
  for (;;) {
    const [edge] = await db
      .select({ id: pi.patientId })
      .from(pi)
      .where(and(eq(pi.clinicId, clinicId), gt(pi.patientId, from)))
      .orderBy(asc(pi.patientId))
      .limit(1)
      .offset(REFRESH_SLICE - 1);
    const scope = and(
      eq(pi.clinicId, clinicId),
      gt(pi.patientId, from),
      edge ? lte(pi.patientId, edge.id) : undefined,
    ) as SQL;
    const [s0, ...rest] = refreshStatements(db, scope, now);
    await db.batch([s0!, ...rest]);
    if (!edge) break;
    from = edge.id;
  }
  await runBatch(db, closing);
  return { clinicId, month, patients: first.count[0]?.n ?? 0, refreshedAt: now };
}

/** The re-count of a clinic's behaviour from its records: the backfill of patients before 0016. */
export function rebuildClinicInsightStatements(
  db: Db,
  clinic: { id: string; timezone: string },
  now: number,
) {
  const month = (at: SQL) => clinicMonthSql(clinic.id, at);
  const add = (select: SQL) =>
    db
      .insert(patientMonthActivity)
      .select(select)
      .onConflictDoUpdate({
        target: [patientMonthActivity.patientId, patientMonthActivity.month],
        set: {
          spend: sql`spend + excluded.spend`,
          visits: sql`visits + excluded.visits`,
          redemptions: sql`redemptions + excluded.redemptions`,
        },
      });
  // A reversed visit (visit_reversals) counts as if it had never been recorded.
  const notReversed = sql`not exists (select 1 from visit_reversals x where x.visit_id = v.id)`;
  const firstVisit = sql`(select min(v.occurred_at) from visits v where v.patient_id = ${pi.patientId} and ${notReversed})`;
  return {
    months: timezoneMonthsStatement(db, clinic.timezone),
    rows: ensureRows(db, sql`p.clinic_id = ${clinic.id}`, now),
    forget: db.delete(patientMonthActivity).where(eq(patientMonthActivity.clinicId, clinic.id)),
    visits:
      add(sql`select v.patient_id, ${month(sql`v.occurred_at`)} as m, ${clinic.id}, sum(v.amount), count(*), 0
      from visits v where v.clinic_id = ${clinic.id} and ${notReversed}
      group by v.patient_id, m`),
    gifts: add(sql`select g.patient_id, ${month(sql`r.redeemed_at`)} as m, ${clinic.id}, 0, 0, count(*)
      from redemptions r join vouchers g on g.id = r.voucher_id where r.clinic_id = ${clinic.id} group by g.patient_id, m`),
    giftsBack: add(sql`select g.patient_id, ${month(sql`r.redeemed_at`)} as m, ${clinic.id}, 0, 0, -count(*)
      from voucher_reversals x join redemptions r on r.id = x.redemption_id join vouchers g on g.id = r.voucher_id
      where r.clinic_id = ${clinic.id} group by g.patient_id, m`),
    points: add(sql`select r.patient_id, ${month(sql`r.redeemed_at`)} as m, ${clinic.id}, 0, 0, count(*)
      from point_redemptions r where r.clinic_id = ${clinic.id} group by r.patient_id, m`),
    pointsBack: add(sql`select r.patient_id, ${month(sql`r.redeemed_at`)} as m, ${clinic.id}, 0, 0, -count(*)
      from point_reversals x join point_redemptions r on r.id = x.redemption_id
      where r.clinic_id = ${clinic.id} group by r.patient_id, m`),
    behaviour: db
      .update(pi)
      .set({
        firstVisitAt: firstVisit,
        lastVisitAt: sql`(select max(v.occurred_at) from visits v where v.patient_id = ${pi.patientId} and ${notReversed})`,
        visitCount: sql`(select count(*) from visits v where v.patient_id = ${pi.patientId} and ${notReversed})`,
        lifetimeSpend: sql`(select coalesce(sum(v.amount), 0) from visits v where v.patient_id = ${pi.patientId} and ${notReversed})`,
        redemptions: sql`(select coalesce(sum(a.redemptions), 0) from patient_month_activity a where a.patient_id = ${pi.patientId})`,
        linkOpens: sql`(select coalesce(sum(l.opens), 0) from patient_links l where l.patient_id = ${pi.patientId})`,
        lastOpenAt: sql`(select max(l.last_opened_at) from patient_links l where l.patient_id = ${pi.patientId})`,
        cohortMonth: sql`case when ${firstVisit} is null then null else ${month(firstVisit)} end`,
      })
      .where(eq(pi.clinicId, clinic.id)),
  };
}

const BACKFILL = 'patient_insight_backfill';
const REFRESH = 'patient_insight_refresh';
/** Clinics one cron run backfills, and refreshes. */
const BACKFILL_CLINICS = 5;
const REFRESH_CLINICS = 5;

const cursorStatement = (db: Db, name: string, value: string, now: number) =>
  db
    .insert(jobState)
    .values({ name, cursor: value, updatedAt: now })
    .onConflictDoUpdate({ target: jobState.name, set: { cursor: value, updatedAt: now } });

/**
 * Counts the behaviour of the clinics that existed before migration 0016 from their records, a few
 * clinics per cron run (job_state cursor moved in each clinic's own batch); then `done`, one read a run.
 */
export async function backfillPatientInsight(deps: Deps): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const [state] = await db.select().from(jobState).where(eq(jobState.name, BACKFILL));
  if (state?.cursor === 'done') return 0;
  const clinics = await db
    .select({ id: organizations.id, timezone: organizations.timezone })
    .from(organizations)
    .where(and(eq(organizations.kind, 'clinic'), gt(organizations.id, state?.cursor ?? '')))
    .orderBy(asc(organizations.id))
    .limit(BACKFILL_CLINICS + 1);
  const slice = clinics.slice(0, BACKFILL_CLINICS);
  const finished = clinics.length <= BACKFILL_CLINICS;
  for (const [i, clinic] of slice.entries()) {
    const last = finished && i === slice.length - 1;
    await runBatch(db, {
      ...rebuildClinicInsightStatements(db, clinic, now),
      state: cursorStatement(db, BACKFILL, last ? 'done' : clinic.id, now),
    });
  }
  if (slice.length === 0) await runBatch(db, { state: cursorStatement(db, BACKFILL, 'done', now) });
  return slice.length;
}

/**
 * The daily refresh: every clinic once per UTC day, a few per cron run (the cursor is `<day>|<last
 * clinic done>`, then `<day>|done`), after the backfill has walked every clinic. Returns the clinics
 * refreshed by this run.
 */
export async function refreshInsightDaily(deps: Deps): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const day = new Date(now).toISOString().slice(0, 10);
  const states = await db
    .select()
    .from(jobState)
    .where(inArray(jobState.name, [BACKFILL, REFRESH]));
  const backfill = states.find((s) => s.name === BACKFILL);
  const refresh = states.find((s) => s.name === REFRESH);
  if (backfill?.cursor !== 'done') return 0;
  const [cursorDay, after] = (refresh?.cursor ?? '|').split('|') as [string, string];
  if (cursorDay === day && after === 'done') return 0;
  const clinics = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.kind, 'clinic'), gt(organizations.id, cursorDay === day ? after : '')))
    .orderBy(asc(organizations.id))
    .limit(REFRESH_CLINICS + 1);
  const slice = clinics.slice(0, REFRESH_CLINICS);
  const finished = clinics.length <= REFRESH_CLINICS;
  for (const [i, clinic] of slice.entries()) {
    await refreshClinic(deps, { clinicId: clinic.id });
    const last = finished && i === slice.length - 1;
    await runBatch(db, { state: cursorStatement(db, REFRESH, `${day}|${last ? 'done' : clinic.id}`, now) });
  }
  if (slice.length === 0) await runBatch(db, { state: cursorStatement(db, REFRESH, `${day}|done`, now) });
  return slice.length;
}
