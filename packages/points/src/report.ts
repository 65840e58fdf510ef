import {
  addMonths,
  localMonth,
  monthRange,
  monthsBetween,
  ok,
  type Refusal,
  type Result,
} from '@gratia/core';
import {
  type ClinicMonthFigures,
  clinicMonthFigures,
  type Deps,
  type OrgPrincipal,
  runBatch,
} from '@gratia/db';
import { and, asc, between, desc, eq, lt } from 'drizzle-orm';
import { pointMoney } from './rules';

// The clinic's monthly report: points issued, spent and expired and the liability left, gifts issued,
// redeemed and lapsed (breakage), visits and active patients, month by month in the clinic's own
// timezone. It reads the pre-aggregated rows of clinic_month_figures (kept by triggers on the records,
// migrations/0010_reports.sql): one row per month asked and one before them, in one D1 round trip,
// whatever the size of the clinic's history.

/** The most months one report covers. */
export const REPORT_MAX_MONTHS = 24;
/** The months a report covers when it is not told: the last twelve, the current one included. */
const DEFAULT_MONTHS = 12;

export interface ReportMonth {
  month: string;
  points: {
    issued: number;
    spent: number;
    /** Given back by reversed spends. */
    reversed: number;
    expired: number;
    /** The cards' balance at the end of the month: what the clinic still owes in points. */
    outstanding: number;
  };
  /** The outstanding points valued at the network's point value (minor units of the points currency). */
  liability: number;
  visits: number;
  /** What the month's visits were paid (the clinic's currency). */
  visitRevenue: number;
  gifts: {
    issued: number;
    issuedValue: number;
    /** Of the value issued this month, what has been redeemed since (net of reversals). */
    issuedValueRedeemed: number;
    /** issuedValueRedeemed / issuedValue, to four decimals; null when nothing was issued. */
    redemptionRate: number | null;
    /** Redemptions at partners in the month (less the month's reversals) and their value. */
    redeemed: number;
    redeemedValue: number;
    voided: number;
    lapsed: number;
    /** The value gifts that lapsed this month still had: never redeemed, never owed. */
    breakage: number;
  };
  /** Patients with a visit, a points spend or a gift redeemed in the month. */
  activePatients: number;
}

export interface MonthlyReport {
  clinicId: string;
  timezone: string;
  from: string;
  to: string;
  /** The clinic's currency: gift values and visit revenue. */
  currency: string;
  /** What one point is worth: liability and points values. */
  pointValue: { amount: number; currency: string };
  months: ReportMonth[];
  /** The months added up (active patients are per month and not added). */
  totals: {
    points: { issued: number; spent: number; reversed: number; expired: number };
    visits: number;
    visitRevenue: number;
    gifts: ReportMonth['gifts'];
  };
}

export interface MonthlyReportInput {
  clinic: OrgPrincipal;
  /** The first and last month (YYYY-MM, clinic time); default: the twelve months to the current one. */
  from?: string;
  to?: string;
}

const _invalid = (path: string, message: string, detail: string): Refusal<'validation_failed'> => ({
  code: 'validation_failed',
  detail,
  errors: [{ path, message }],
});

/** The months a report covers, or why they cannot be. */
export function reportMonths(
  input: { from?: string; to?: string },
  current: string,
): Result<{ from: string; to: string }, Refusal<'validation_failed'>> {
  return monthRange(input, current, { defaultMonths: DEFAULT_MONTHS, maxMonths: REPORT_MAX_MONTHS });
}

/** A share to four decimals (0.3333); null when there is nothing to share. */
const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;

/** A month of the report from its row (none: a month without activity, zeros). */
function monthOf(
  month: string,
  r: ClinicMonthFigures | undefined,
  outstanding: number,
  pointValue: number,
): ReportMonth {
  const issuedValue = r?.vouchersIssuedValue ?? 0;
  const issuedValueRedeemed = r?.vouchersIssuedRedeemedValue ?? 0;
  return {
    month,
    points: {
      issued: r?.pointsIssued ?? 0,
      spent: r?.pointsSpent ?? 0,
      reversed: r?.pointsReversed ?? 0,
      expired: r?.pointsExpired ?? 0,
      outstanding,
    },
    liability: outstanding * pointValue,
    visits: r?.visits ?? 0,
    visitRevenue: r?.visitRevenue ?? 0,
    gifts: {
      issued: r?.vouchersIssued ?? 0,
      issuedValue,
      issuedValueRedeemed,
      redemptionRate: rate(issuedValueRedeemed, issuedValue),
      redeemed: r?.vouchersRedeemed ?? 0,
      redeemedValue: r?.vouchersRedeemedValue ?? 0,
      voided: r?.vouchersVoided ?? 0,
      lapsed: r?.vouchersLapsed ?? 0,
      breakage: r?.vouchersLapsedValue ?? 0,
    },
    activePatients: r?.activePatients ?? 0,
  };
}

function totalsOf(months: ReportMonth[]): MonthlyReport['totals'] {
  const sum = (f: (m: ReportMonth) => number) => months.reduce((s, m) => s + f(m), 0);
  const issuedValue = sum((m) => m.gifts.issuedValue);
  const issuedValueRedeemed = sum((m) => m.gifts.issuedValueRedeemed);
  return {
    points: {
      issued: sum((m) => m.points.issued),
      spent: sum((m) => m.points.spent),
      reversed: sum((m) => m.points.reversed),
      expired: sum((m) => m.points.expired),
    },
    visits: sum((m) => m.visits),
    visitRevenue: sum((m) => m.visitRevenue),
    gifts: {
      issued: sum((m) => m.gifts.issued),
      issuedValue,
      issuedValueRedeemed,
      redemptionRate: rate(issuedValueRedeemed, issuedValue),
      redeemed: sum((m) => m.gifts.redeemed),
      redeemedValue: sum((m) => m.gifts.redeemedValue),
      voided: sum((m) => m.gifts.voided),
      lapsed: sum((m) => m.gifts.lapsed),
      breakage: sum((m) => m.gifts.breakage),
    },
  };
}

/**
 * The clinic's report for the months `from` to `to` (at most 24), every month present (a month with
 * no activity is zeros, its outstanding points carried from the month before). One D1 round trip that
 * reads the months asked and the last month before them (its balance): never the clinic's history.
 */
export async function monthlyReport(
  deps: Deps,
  input: MonthlyReportInput,
): Promise<Result<MonthlyReport, Refusal<'validation_failed'>>> {
  const { db } = deps;
  const { clinic } = input;
  const timezone = clinic.organization.timezone;
  const span = reportMonths(input, localMonth(deps.clock.now(), timezone));
  if (!span.ok) return span;
  const { from, to } = span.value;
  const mine = eq(clinicMonthFigures.clinicId, clinic.organizationId);
  const read = await runBatch(db, {
    rows: db
      .select()
      .from(clinicMonthFigures)
      .where(and(mine, between(clinicMonthFigures.month, from, to)))
      .orderBy(asc(clinicMonthFigures.month)),
    before: db
      .select({ outstanding: clinicMonthFigures.pointsOutstanding })
      .from(clinicMonthFigures)
      .where(and(mine, lt(clinicMonthFigures.month, from)))
      .orderBy(desc(clinicMonthFigures.month))
      .limit(1),
  });
  const byMonth = new Map(read.rows.map((r) => [r.month, r]));
  const money = pointMoney(deps.config);
  const months: ReportMonth[] = [];
  let outstanding = read.before[0]?.outstanding ?? 0;
  for (let i = 0; i <= monthsBetween(from, to); i++) {
    const month = addMonths(from, i);
    const row = byMonth.get(month);
    if (row) outstanding = row.pointsOutstanding;
    months.push(monthOf(month, row, outstanding, money.pointValue));
  }
  return ok({
    clinicId: clinic.organizationId,
    timezone,
    from,
    to,
    currency: clinic.organization.currency,
    pointValue: { amount: money.pointValue, currency: money.currency },
    months,
    totals: totalsOf(months),
  });
}
