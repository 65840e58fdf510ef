import {
  addMonths,
  localMonth,
  MONTH_PATTERN,
  monthRange,
  monthsBetween,
  ok,
  type Refusal,
  type Result,
} from '@gratia/core';
import {
  ABC_CLASSES,
  type AuthRefusal,
  type Caller,
  clinicInsightCounts,
  clinicMonthInsight,
  type Db,
  type Deps,
  GROWTH,
  keyOrganization,
  keyRefOf,
  type OrgPrincipal,
  QUADRANTS,
  type Quadrant,
  runAsCaller,
  runBatch,
} from '@gratia/db';
import { and, asc, between, eq, inArray, type SQL, sql } from 'drizzle-orm';

// What the clinic sees of its patients as a whole: how many are in each A/B/C class, loyalty quadrant
// and growth, how many are on the win-back list (now: clinic_insight_counts, kept by triggers on
// patient_insight), and month by month the quadrants, the moves between them, the A/B/C classes and
// each cohort's engagement (clinic_month_insight, the monthly snapshots; the current month is "so far").
// Both are a handful of rows per clinic and month: nothing here reads a patient.

/** The most months one read covers, and how many it covers when not told (the current one included). */
export const INSIGHT_MAX_MONTHS = 24;
const DEFAULT_MONTHS = 12;

export const ABC_VALUES = [...ABC_CLASSES, 'none'] as const;
export type AbcValue = (typeof ABC_VALUES)[number];
export const GROWTH_VALUES = [...GROWTH, 'none'] as const;
export type GrowthValue = (typeof GROWTH_VALUES)[number];
/** Where a move comes from: last month's quadrant, or 'none' (the patient had no snapshot then). */
export const MOVE_FROM = ['none', ...QUADRANTS] as const;
export type MoveFrom = (typeof MOVE_FROM)[number];

export interface InsightSummary {
  /** Patients with an insight row (the quadrants add up to it). */
  patients: number;
  abc: Record<AbcValue, number>;
  quadrant: Record<Quadrant, number>;
  growth: Record<GrowthValue, number>;
  winBack: number;
}

export interface QuadrantMove {
  from: MoveFrom;
  to: Quadrant;
  patients: number;
}

export interface CohortEngagement {
  /** The cohort: the month (YYYY-MM) of its patients' first visit. */
  cohort: string;
  patients: number;
  /** The cohort's average engagement (0-100, one decimal) in the month; null without patients. */
  engagement: number | null;
}

export interface InsightMonth {
  month: string;
  quadrant: Record<Quadrant, number>;
  abc: Record<AbcValue, number>;
  /** How patients moved from the month before into this month's quadrants (none moved: empty). */
  moves: QuadrantMove[];
  /** Each cohort's engagement at the month's snapshot, oldest cohort first. */
  cohorts: CohortEngagement[];
  /** Whether any snapshot was taken for the month (false: the month is zeros). */
  snapshot: boolean;
}

export interface InsightMonths {
  from: string;
  to: string;
  timezone: string;
  /** Every month of the range, oldest first; the current month's figures are so far. */
  months: InsightMonth[];
}

export type InsightOverview = { summary: InsightSummary } & InsightMonths;

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

const _invalid = (path: string, message: string, detail: string): Refusal<'validation_failed'> => ({
  code: 'validation_failed',
  detail,
  errors: [{ path, message }],
});

/** The months a read covers (default: the twelve to the current one), or why they cannot be. */
export function insightMonthRange(
  input: { from?: string; to?: string },
  current: string,
): Result<{ from: string; to: string }, Refusal<'validation_failed'>> {
  return monthRange(input, current, { defaultMonths: DEFAULT_MONTHS, maxMonths: INSIGHT_MAX_MONTHS });
}

// ---------------------------------------------------------------------------------------------------
// Statements (batchable) and how to read their rows

const countsStatement = (db: Db, clinicId: string | SQL) =>
  db
    .select({
      dimension: clinicInsightCounts.dimension,
      value: clinicInsightCounts.value,
      patients: clinicInsightCounts.patients,
    })
    .from(clinicInsightCounts)
    .where(sql`${clinicInsightCounts.clinicId} = ${clinicId}`);

/** The snapshot rows of the months, read through the table's primary key (clinic, dimension, month). */
const monthsStatement = (db: Db, clinicId: string, from: string, to: string) =>
  db
    .select({
      month: clinicMonthInsight.month,
      dimension: clinicMonthInsight.dimension,
      value: clinicMonthInsight.value,
      patients: clinicMonthInsight.patients,
      engagementSum: clinicMonthInsight.engagementSum,
    })
    .from(clinicMonthInsight)
    .where(
      and(
        eq(clinicMonthInsight.clinicId, clinicId),
        inArray(clinicMonthInsight.dimension, ['quadrant', 'abc', 'move', 'cohort']),
        between(clinicMonthInsight.month, from, to),
      ),
    )
    .orderBy(asc(clinicMonthInsight.month), asc(clinicMonthInsight.value));

type CountRow = { dimension: string; value: string; patients: number };
type MonthRow = CountRow & { month: string; engagementSum: number };

const has = <K extends string>(keys: readonly K[], v: string): v is K =>
  (keys as readonly string[]).includes(v);

function readSummary(rows: CountRow[]): InsightSummary {
  const summary: InsightSummary = {
    patients: 0,
    abc: zeros(ABC_VALUES),
    quadrant: zeros(QUADRANTS),
    growth: zeros(GROWTH_VALUES),
    winBack: 0,
  };
  for (const r of rows) {
    // A count may sit at zero once its patients moved on; a value unknown to this version is left out.
    const n = Math.max(0, r.patients);
    if (r.dimension === 'abc' && has(ABC_VALUES, r.value)) summary.abc[r.value] = n;
    else if (r.dimension === 'quadrant' && has(QUADRANTS, r.value)) summary.quadrant[r.value] = n;
    else if (r.dimension === 'growth' && has(GROWTH_VALUES, r.value)) summary.growth[r.value] = n;
    else if (r.dimension === 'win_back' && r.value === 'yes') summary.winBack = n;
  }
  summary.patients = QUADRANTS.reduce((s, q) => s + summary.quadrant[q], 0);
  return summary;
}

const average = (sum: number, patients: number) =>
  patients > 0 ? Math.round((sum / patients) * 10) / 10 : null;

function readMonths(rows: MonthRow[], range: { from: string; to: string }, timezone: string): InsightMonths {
  const byMonth = new Map<string, MonthRow[]>();
  for (const r of rows) {
    const list = byMonth.get(r.month);
    if (list) list.push(r);
    else byMonth.set(r.month, [r]);
  }
  const months: InsightMonth[] = [];
  for (let i = 0; i <= monthsBetween(range.from, range.to); i++) {
    const month = addMonths(range.from, i);
    const m: InsightMonth = {
      month,
      quadrant: zeros(QUADRANTS),
      abc: zeros(ABC_VALUES),
      moves: [],
      cohorts: [],
      snapshot: false,
    };
    for (const r of byMonth.get(month) ?? []) {
      m.snapshot = true;
      if (r.dimension === 'quadrant' && has(QUADRANTS, r.value)) m.quadrant[r.value] = r.patients;
      else if (r.dimension === 'abc' && has(ABC_VALUES, r.value)) m.abc[r.value] = r.patients;
      else if (r.dimension === 'move') {
        const [from, to] = r.value.split('>');
        if (from && to && has(MOVE_FROM, from) && has(QUADRANTS, to) && r.patients > 0)
          m.moves.push({ from, to, patients: r.patients });
      } else if (r.dimension === 'cohort' && MONTH_PATTERN.test(r.value))
        m.cohorts.push({
          cohort: r.value,
          patients: r.patients,
          engagement: average(r.engagementSum, r.patients),
        });
    }
    m.moves.sort(
      (a, b) =>
        MOVE_FROM.indexOf(a.from) - MOVE_FROM.indexOf(b.from) ||
        QUADRANTS.indexOf(a.to) - QUADRANTS.indexOf(b.to),
    );
    months.push(m);
  }
  return { ...range, timezone, months };
}

// ---------------------------------------------------------------------------------------------------
// Use cases

/**
 * The clinic's distributions now: its few count rows, read with the caller's key check in one round
 * trip (the clinic is the key's own, in SQL).
 */
export async function readInsightSummary(
  deps: Deps,
  input: { caller: Caller },
): Promise<Result<InsightSummary & { clinicId: string }, AuthRefusal>> {
  const ownClinic = keyOrganization(keyRefOf(input.caller));
  const run = await runAsCaller(deps, input.caller, ['clinic'], {
    counts: countsStatement(deps.db, ownClinic),
  });
  if (!run.ok) return run;
  return ok({ clinicId: run.value.principal.organizationId, ...readSummary(run.value.results.counts) });
}

/**
 * The clinic's months `from` to `to` (default: the last twelve; at most 24): one query. The default
 * range depends on the clinic's timezone, so the caller is known before (as the monthly report's).
 */
export async function readInsightMonths(
  deps: Deps,
  input: { clinic: OrgPrincipal; from?: string; to?: string },
): Promise<Result<InsightMonths, Refusal<'validation_failed'>>> {
  const timezone = input.clinic.organization.timezone;
  const range = insightMonthRange(input, localMonth(deps.clock.now(), timezone));
  if (!range.ok) return range;
  const { from, to } = range.value;
  const read = await runBatch(deps.db, {
    months: monthsStatement(deps.db, input.clinic.organizationId, from, to),
  });
  return ok(readMonths(read.months, range.value, timezone));
}

/** Both, in one batch (the console's Insight page): one round trip. */
export async function readInsightOverview(
  deps: Deps,
  input: { clinic: OrgPrincipal; from?: string; to?: string },
): Promise<Result<InsightOverview, Refusal<'validation_failed'>>> {
  const timezone = input.clinic.organization.timezone;
  const range = insightMonthRange(input, localMonth(deps.clock.now(), timezone));
  if (!range.ok) return range;
  const { from, to } = range.value;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(deps.db, {
    counts: countsStatement(deps.db, clinicId),
    months: monthsStatement(deps.db, clinicId, from, to),
  });
  return ok({ summary: readSummary(read.counts), ...readMonths(read.months, range.value, timezone) });
}
