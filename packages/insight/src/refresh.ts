import { DAY_MS } from '@gratia/core';
import { clinicMonthSql, type Db, patientInsight } from '@gratia/db';
import { and, eq, getTableColumns, is, SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';

// The per-patient insight row (patient_insight), re-derived in SQL from the row itself (behaviour kept
// by the triggers of migration 0016: visits, redemptions, link opens), the patient's month activity
// (patient_month_activity: at most 24 rows read), their card (point_accounts) and the clinic's settings.
// Append refreshPatientInsight to the batch of anything that changes what the row depends on (an
// answer, a survey: write survey_score / survey_at / survey_count or the preference columns BEFORE these
// statements in the same batch), so the row is never behind the event; the daily job re-derives every
// row for what time alone changes (recency, trailing windows) and classifies A/B/C (classify.ts).
//
// The rules, one place (docs/api.md says the same):
// - Trailing windows are clinic-timezone calendar months: the 12 months up to and including the
//   current one (spend_12m, visits_12m, redemptions in 12 months), and the 12 before (spend_prev_12m).
// - Usual interval (I): the patient's own, (last visit - first visit) / (visits - 1) in days, from two
//   visits; below that the clinic's (insight_settings.usual_interval_days: the mean of its patients' own,
//   90 until the daily job has one). D = whole days since the last visit.
// - Growth: none without a visit; `new` while the first visit is under 365 days old; `lapsed` with no
//   spend in the trailing 12 months; `rising` above 110% of the 12 months before, `falling` below 90%,
//   `steady` otherwise.
// - Loyal (behaviour only): visited within 1.5 × I, AND came often enough (visits_12m at least
//   max(2, half of 365 / I)) or redeemed a gift or points in the last 12 months, AND is not banking
//   points without ever spending any (a balance > 0, no redemption ever, first visit over a year ago).
// - Satisfied: the latest survey answer is 8 or more out of 10; no answer → quadrant `unknown`.
// - Quadrant (Jones & Sasser): apostle = satisfied & loyal, mercenary = satisfied & not loyal,
//   hostage = not satisfied & loyal, defector = neither.
// - Engagement 0-100: 40 × recency (1 at the day of a visit, 0 at 2 × I since), 20 × frequency
//   (visits_12m against 365 / I, capped at 1), 15 × redemptions in 12 months (capped at 2), 10 for a
//   personal link opened in the last 365 days, 15 for a survey answered in the last 365 days.
// - Win-back: overdue (D > 1.5 × I) or engagement fell by 20 points or more since the last month's
//   snapshot (engagement_prev); the reason says which. overdue_days = max(0, D - I).

/** Which rows a refresh covers: one patient, or a slice of a clinic's patients. */
export type RefreshScope = SQL;

const pi = patientInsight;
const YEAR_MS = 365 * DAY_MS;

/** SQL pieces of the rules, for the row being updated, at `now`. */
function terms(now: number) {
  const month = clinicMonthSql(sql`${pi.clinicId}`, sql`${now}`);
  const monthsBack = (n: number) => sql`strftime('%Y-%m', ${month} || '-01', ${`-${n} months`})`;
  const activity = (column: 'spend' | 'visits' | 'redemptions', from: SQL, to?: SQL) =>
    sql`(select coalesce(sum(a.${sql.raw(column)}), 0) from patient_month_activity a
      where a.patient_id = ${pi.patientId} and a.month >= ${from}${to ? sql` and a.month <= ${to}` : sql``})`;
  const interval = sql`coalesce(${pi.usualIntervalDays},
    (select s.usual_interval_days from insight_settings s where s.clinic_id = ${pi.clinicId}), 90)`;
  // Bound numbers reach D1 as reals: whole days are cast, so sentences say "12 days", not "12.0".
  const days = sql`cast((${now} - ${pi.lastVisitAt}) / ${DAY_MS} as integer)`;
  const redeemed12m = activity('redemptions', monthsBack(11));
  const balance = sql`coalesce((select pa.balance from point_accounts pa where pa.patient_id = ${pi.patientId}), 0)`;
  const banking = sql`(${balance} > 0 and ${pi.redemptions} <= 0 and ${pi.firstVisitAt} <= ${now - YEAR_MS})`;
  const overdue = sql`(${pi.lastVisitAt} is not null and ${days} * 2 > ${interval} * 3)`;
  const dropped = sql`(${pi.engagementPrev} is not null and ${pi.engagementPrev} - ${pi.engagement} >= 20)`;
  return { month, monthsBack, activity, interval, days, redeemed12m, balance, banking, overdue, dropped };
}

/** The statements that re-derive the rows of `scope` (they must exist: see ensureRows). */
export function refreshStatements(db: Db, scope: RefreshScope, now: number): BatchItem<'sqlite'>[] {
  const t = terms(now);
  // Three updates, in order: each reads what the one before wrote (an UPDATE's expressions all see the
  // row as it was before it).
  const windows = db
    .update(pi)
    .set({
      spend12m: sql`${t.activity('spend', t.monthsBack(11))}`,
      spendPrev12m: sql`${t.activity('spend', t.monthsBack(23), t.monthsBack(12))}`,
      visits12m: sql`${t.activity('visits', t.monthsBack(11))}`,
      usualIntervalDays: sql`case when ${pi.visitCount} >= 2 and ${pi.lastVisitAt} > ${pi.firstVisitAt}
        then max(1, cast(round((${pi.lastVisitAt} - ${pi.firstVisitAt}) * 1.0 / ${DAY_MS} / (${pi.visitCount} - 1)) as integer))
        when ${pi.visitCount} >= 2 then 1 end`,
      engagementPrev: sql`(select q.engagement from patient_quadrant_months q
        where q.patient_id = ${pi.patientId} and q.month = ${t.monthsBack(1)})`,
    })
    .where(scope);
  const behaviour = db
    .update(pi)
    .set({
      growth: sql`case when ${pi.firstVisitAt} is null then null
        when ${pi.firstVisitAt} > ${now - YEAR_MS} then 'new'
        when ${pi.spend12m} = 0 then 'lapsed'
        when ${pi.spend12m} * 10 > ${pi.spendPrev12m} * 11 then 'rising'
        when ${pi.spend12m} * 10 < ${pi.spendPrev12m} * 9 then 'falling'
        else 'steady' end`,
      loyal: sql`case when ${pi.lastVisitAt} is not null and ${t.days} * 2 <= ${t.interval} * 3
        and (${pi.visits12m} >= max(2, cast(round(365.0 / ${t.interval} / 2) as integer))
          or (${pi.visits12m} >= 1 and ${t.redeemed12m} > 0))
        and not coalesce(${t.banking}, 0) then 1 else 0 end`,
      engagement: sql`max(0, min(100, cast(round(
        case when ${pi.lastVisitAt} is null then 0
          else 40 * max(0.0, 1.0 - ${t.days} * 1.0 / (2 * ${t.interval})) end
        + 20 * min(1.0, ${pi.visits12m} * ${t.interval} / 365.0)
        + 15 * min(1.0, ${t.redeemed12m} / 2.0)
        + case when ${pi.lastOpenAt} >= ${now - YEAR_MS} then 10 else 0 end
        + case when ${pi.surveyAt} >= ${now - YEAR_MS} then 15 else 0 end) as integer)))`,
      overdueDays: sql`case when ${pi.lastVisitAt} is null then 0 else max(0, ${t.days} - ${t.interval}) end`,
    })
    .where(scope);
  const satisfied = sql`${pi.surveyScore} >= 8`;
  const winBackReason = sql`case
    when ${t.overdue} then 'Usually every ' || ${t.interval} || ' days; last visit ' || ${t.days} || ' days ago'
    when ${t.dropped} then 'Engagement fell from ' || ${pi.engagementPrev} || ' to ' || ${pi.engagement} end`;
  const verdict = db
    .update(pi)
    .set({
      quadrant: sql`case when ${pi.surveyScore} is null then 'unknown'
        when ${satisfied} and ${pi.loyal} then 'apostle' when ${satisfied} then 'mercenary'
        when ${pi.loyal} then 'hostage' else 'defector' end`,
      winBack: sql`case when ${t.overdue} or ${t.dropped} then 1 else 0 end`,
      winBackReason,
      reasons: sql`(select json_group_array(j.value) from json_each(json_array(
        case when ${pi.surveyScore} is null then 'Has not answered a survey yet'
          when ${satisfied} then 'Recommends us ' || ${pi.surveyScore} || '/10'
          else 'Would recommend us only ' || ${pi.surveyScore} || '/10' end,
        case when ${pi.lastVisitAt} is null then 'No visit yet'
          when ${pi.usualIntervalDays} is null then 'One visit, ' || ${t.days} || ' days ago'
          else 'Visits every ' || ${pi.usualIntervalDays} || ' days, last ' || ${t.days} || ' days ago' end,
        case when ${pi.loyal} then 'Comes back as often as usual' when ${pi.lastVisitAt} is not null
          then 'Does not come back as often as usual' end,
        case when ${t.redeemed12m} > 0 then 'Redeemed ' || ${t.redeemed12m} || ' gifts or points spends in 12 months' end,
        case when coalesce(${t.banking}, 0) then 'Has ' || printf('%,d', ${t.balance}) || ' points and never spent any' end,
        ${winBackReason})) j where j.type <> 'null')`,
      refreshedAt: now,
    })
    .where(scope);
  return [windows, behaviour, verdict];
}

/**
 * The columns of a new insight row, in the table's order, for `insert ... select` from patients `p`:
 * the patient and clinic, `refreshed_at`, and every other column's own default.
 */
function newRowColumns(now: number): SQL {
  const values = Object.values(getTableColumns(pi)).map((column) => {
    if (column === pi.patientId) return sql`p.id`;
    if (column === pi.clinicId) return sql`p.clinic_id`;
    if (column === pi.refreshedAt) return sql`${now}`;
    const d: unknown = column.default;
    if (d === undefined) return sql`null`;
    if (is(d, SQL)) return d;
    return sql`${typeof d === 'boolean' ? Number(d) : d}`;
  });
  return sql.join(values, sql`, `);
}

/** Creates the insight rows of patients who have none (`where` over patients `p`). */
export const ensureRows = (db: Db, where: SQL, now: number) =>
  db
    .insert(pi)
    .select(sql`select ${newRowColumns(now)} from patients p where ${where}`)
    .onConflictDoNothing();

/**
 * Creates the insight row of a patient who has none; an id of no patient writes nothing, and with
 * `clinicId`, neither does another clinic's patient.
 */
export const ensureRow = (db: Db, patientId: string, now: number, clinicId?: string) =>
  ensureRows(
    db,
    clinicId ? sql`p.id = ${patientId} and p.clinic_id = ${clinicId}` : sql`p.id = ${patientId}`,
    now,
  );

/**
 * Statements that bring one patient's insight row up to date (creating it if missing). With `clinicId`
 * (the acting clinic), a patient of another clinic is left as it is: a refused request writes nothing.
 */
export function refreshPatientInsight(
  db: Db,
  patientId: string,
  now: number,
  clinicId?: string,
): BatchItem<'sqlite'>[] {
  const scope = clinicId
    ? and(eq(pi.patientId, patientId), eq(pi.clinicId, clinicId))
    : eq(pi.patientId, patientId);
  return [ensureRow(db, patientId, now, clinicId), ...refreshStatements(db, scope as SQL, now)];
}
