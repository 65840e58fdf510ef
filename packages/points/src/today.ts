import { DAY_MS } from '@gratia/core';
import {
  callOutcomes,
  type Db,
  type Deps,
  type OrgPrincipal,
  pointAccounts,
  redemptions,
  runBatch,
  visits,
} from '@gratia/db';
import { type recentRedemptions, recentRedemptionsQuery } from '@gratia/vouchers';
import { and, eq, gt, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { addDays, localDate, startOfLocalDay } from './calendar';
import { type CallList, type CallListInput, callListQuery } from './call-list';

// A few figures for the clinic's Today page, each an index range of the clinic's own rows, counted
// up to a cap: the rows read are bounded however busy the clinic is, and past the cap the page says
// "100+". All four in one round trip (the caller is known: authorize looked its key up).
//
// - visits today (clinic time): visits_clinic_idx (clinic, occurred_at);
// - calls recorded today: call_outcomes_clinic_idx (clinic, at);
// - gifts redeemed in the last 7 days and not reversed: redemptions_clinic_idx (clinic, redeemed_at),
//   each checked against its reversal by the unique key;
// - cards with points lapsing from now to the end of this month (clinic time): the call list's own
//   index, point_accounts_next_expiry_idx (clinic, next_expiry_at). It counts cards before patients
//   marked do-not-call are left out, so it can run ahead of the call list.
// Not chosen: totals that need every row of a growing range summed (points expiring this month,
// money redeemed), which no pre-aggregate keeps yet.

/** Counted up to this many; a figure that reaches it is shown as "100+". */
export const FIGURE_CAP = 100;

/** A count of at most FIGURE_CAP; `capped`: there are more than that. */
export interface Figure {
  count: number;
  capped: boolean;
}

export interface TodayFigures {
  visitsToday: Figure;
  callsToday: Figure;
  giftsRedeemedLast7Days: Figure;
  cardsExpiringThisMonth: Figure;
}

/** The statement counting the rows of `table` that match `where`, reading at most FIGURE_CAP + 1. */
const capped = (db: Db, table: SQLiteTable, where: SQL | undefined) => {
  const rows = db
    .select({ one: sql`1`.as('one') })
    .from(table)
    .where(where)
    .limit(FIGURE_CAP + 1)
    .as('capped_rows');
  return db.select({ n: sql<number>`count(*)`.as('n') }).from(rows);
};

const figure = (rows: { n: number }[]): Figure => {
  const n = rows[0]?.n ?? 0;
  return { count: Math.min(n, FIGURE_CAP), capped: n > FIGURE_CAP };
};

export async function todayFigures(deps: Deps, input: { clinic: OrgPrincipal }): Promise<TodayFigures> {
  return readFigures(await runBatch(deps.db, figureStatements(deps, input)));
}

/** The four counts' statements, to run alone or in another use case's batch (readFigures reads them). */
export function figureStatements(deps: Deps, input: { clinic: OrgPrincipal }) {
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const zone = input.clinic.organization.timezone;
  const today = localDate(now, zone);
  const dayStart = startOfLocalDay(today, zone);
  const dayEnd = startOfLocalDay(addDays(today, 1), zone);
  const monthEnd = startOfLocalDay(firstOfNextMonth(today), zone);
  return {
    visits: capped(
      db,
      visits,
      and(eq(visits.clinicId, clinicId), gte(visits.occurredAt, dayStart), lt(visits.occurredAt, dayEnd)),
    ),
    calls: capped(db, callOutcomes, and(eq(callOutcomes.clinicId, clinicId), gte(callOutcomes.at, dayStart))),
    redeemed: capped(
      db,
      redemptions,
      and(
        eq(redemptions.clinicId, clinicId),
        gt(redemptions.redeemedAt, now - 7 * DAY_MS),
        sql`not exists (select 1 from voucher_reversals x where x.redemption_id = ${redemptions.id})`,
      ),
    ),
    expiring: capped(
      db,
      pointAccounts,
      and(
        eq(pointAccounts.clinicId, clinicId),
        gt(pointAccounts.nextExpiryAt, now),
        lte(pointAccounts.nextExpiryAt, monthEnd),
      ),
    ),
  };
}

type FigureCounts = { [K in 'visits' | 'calls' | 'redeemed' | 'expiring']: { n: number }[] };

export function readFigures(counts: FigureCounts): TodayFigures {
  return {
    visitsToday: figure(counts.visits),
    callsToday: figure(counts.calls),
    giftsRedeemedLast7Days: figure(counts.redeemed),
    cardsExpiringThisMonth: figure(counts.expiring),
  };
}

/** The first day of the month after the one `date` (YYYY-MM-DD) falls in. */
function firstOfNextMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

export interface TodayView {
  figures: TodayFigures;
  callList: CallList;
  recent: Awaited<ReturnType<typeof recentRedemptions>>;
}

/**
 * Everything the console's Today page shows, in one round trip: the figures, a page of this month's
 * call list and the latest redemptions of the clinic's gifts.
 */
export async function readToday(
  deps: Deps,
  input: { clinic: OrgPrincipal; callList: Omit<CallListInput, 'clinic'>; recentLimit: number },
): Promise<TodayView> {
  const calls = callListQuery(deps, { ...input.callList, clinic: input.clinic });
  const recent = recentRedemptionsQuery(deps, {
    clinic: input.clinic,
    before: null,
    limit: input.recentLimit,
  });
  const out = await runBatch(deps.db, {
    ...figureStatements(deps, input),
    callList: calls.statement,
    recent: recent.statement,
  });
  return { figures: readFigures(out), callList: calls.read(out.callList), recent: recent.read(out.recent) };
}

/** Whole days from now to the end of this month in `timeZone`, today included. */
export function daysLeftInMonth(now: number, timeZone: string): number {
  const today = localDate(now, timeZone);
  const end = startOfLocalDay(firstOfNextMonth(today), timeZone);
  return Math.max(1, Math.ceil((end - now) / DAY_MS));
}
