import { type Deps, runBatch, settlementPeriods, settlementTotals } from '@gratia/db';
import { and, eq, isNull } from 'drizzle-orm';
import { closableAt } from './period';
import { readNetworkSettings } from './settings';

/**
 * The cron's closing of months: every period with figures still open whose end plus the grace days
 * has passed is closed, its totals stamped in the same batch. A stamped row never changes again
 * (a trigger refuses it), and a reversal arriving later is a line of the month it arrives in.
 */
export async function closeSettlementPeriods(
  deps: Deps,
  input: { timeZone: string },
): Promise<{ closed: string[] }> {
  const { db } = deps;
  const now = deps.clock.now();
  const settings = await readNetworkSettings(deps);
  const open = await db
    .selectDistinct({ period: settlementTotals.period })
    .from(settlementTotals)
    .where(isNull(settlementTotals.closedAt));
  const closed: string[] = [];
  for (const { period } of open) {
    if (closableAt(period, input.timeZone, settings.closingGraceDays) > now) continue;
    await runBatch(db, {
      period: db
        .insert(settlementPeriods)
        .values({ period, closedAt: now, settingsVersion: settings.version })
        .onConflictDoNothing(),
      stamp: db
        .update(settlementTotals)
        .set({ closedAt: now })
        .where(and(eq(settlementTotals.period, period), isNull(settlementTotals.closedAt))),
    });
    closed.push(period);
  }
  return { closed };
}
