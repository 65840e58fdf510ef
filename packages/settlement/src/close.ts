import { type Deps, runBatch, settlementPeriods, settlementTotals } from '@gratia/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { closableAt, nextPeriod } from './period';
import { readNetworkSettings } from './settings';

/** At most this many months are closed in one run (a long-stopped cron catches up over several). */
const MONTHS_PER_RUN = 36;

/**
 * The cron's closing of months: every month from the earliest one not yet closed (the month after the
 * last closed one, or the first with figures), with or without figures, whose end plus the grace days
 * has passed, is closed and its totals stamped, one batch per month. A stamped row never changes again
 * (triggers), and a line arriving later goes in the first open month.
 */
export async function closeSettlementPeriods(deps: Deps): Promise<{ closed: string[] }> {
  const { db } = deps;
  const now = deps.clock.now();
  const settings = await readNetworkSettings(deps);
  const read = await runBatch(db, {
    lastClosed: db
      .select({ period: sql<string | null>`max(${settlementPeriods.period})` })
      .from(settlementPeriods),
    firstOpen: db
      .select({ period: sql<string | null>`min(${settlementTotals.period})` })
      .from(settlementTotals)
      .where(isNull(settlementTotals.closedAt)),
  });
  const lastClosed = read.lastClosed[0]?.period ?? null;
  const firstOpen = read.firstOpen[0]?.period ?? null;
  const afterClosed = lastClosed ? nextPeriod(lastClosed) : null;
  let period = [afterClosed, firstOpen].filter((p): p is string => p !== null).sort()[0];
  const closed: string[] = [];
  while (
    period &&
    closed.length < MONTHS_PER_RUN &&
    closableAt(period, deps.config.timezone, settings.closingGraceDays) <= now
  ) {
    await runBatch(db, {
      period: db.insert(settlementPeriods).select(
        sql`select ${period}, ${now}, ${settings.version}
          where not exists (select 1 from settlement_periods p where p.period = ${period})`,
      ),
      stamp: db
        .update(settlementTotals)
        .set({ closedAt: now })
        .where(and(eq(settlementTotals.period, period), isNull(settlementTotals.closedAt))),
    });
    closed.push(period);
    period = nextPeriod(period);
  }
  return { closed };
}
