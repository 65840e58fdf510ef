import { newId } from '@gratia/core';
import { type Db, type Deps, pointAccounts, pointLots, runBatch } from '@gratia/db';
import { and, asc, eq, sql } from 'drizzle-orm';
import { entryPairStatements, type PointMoney } from './ledger';
import { lapsedLot, pointMoney } from './rules';

// Expiry is enforced on every read and spend (a lot past its expires_at is simply not live), and
// booked into the ledger by the scheduled Worker so that statements show it. Booking a lot is one
// batch of four statements that all read the lot's remainder at that moment, so a reversal that
// gave points back to a lapsed lot is booked on the next run, and a lot is never booked twice.

const due = (lotId: string, now: number) =>
  sql`(select l.remaining from point_lots l where l.id = ${lotId} and ${lapsedLot('l', now)})`;

export function expireLotStatements(db: Db, lotId: string, money: PointMoney, now: number) {
  const txnId = newId('txn', now);
  const debitAccount = db
    .update(pointAccounts)
    .set({
      balance: sql`${pointAccounts.balance} - ${due(lotId, now)}`,
      expired: sql`${pointAccounts.expired} + ${due(lotId, now)}`,
      updatedAt: now,
    })
    .where(
      sql`${pointAccounts.patientId} = (select l.patient_id from point_lots l where l.id = ${lotId}) and ${due(lotId, now)} is not null`,
    );
  const entries = entryPairStatements(db, {
    txnId,
    type: 'expiry',
    money,
    now,
    source: sql`from point_lots s where s.id = ${lotId} and ${lapsedLot('s', now)}`,
    patientId: sql`s.patient_id`,
    patientPoints: sql`-s.remaining`,
    sourceId: sql`s.id`,
    effectiveAt: sql`s.expires_at`,
    other: { account: sql`'expiry'`, ownerId: sql`s.clinic_id`, counterpartyId: sql`null` },
  });
  const closeLot = db
    .update(pointLots)
    .set({ expired: sql`${pointLots.expired} + ${pointLots.remaining}`, remaining: 0 })
    .where(and(eq(pointLots.id, lotId), lapsedLot('point_lots', now)));
  return [debitAccount, ...entries, closeLot] as const;
}

/**
 * Book every lapsed lot with points left, oldest first, a few lots per batch. Returns the number of
 * lots booked. Bounded per run so that a backlog is worked off over several cron runs.
 */
export async function bookExpiredPoints(
  deps: Deps,
  opts: { batchLots?: number; maxLots?: number } = {},
): Promise<{ lots: number }> {
  const { db } = deps;
  const money = pointMoney(deps.config);
  const now = deps.clock.now();
  const batchLots = opts.batchLots ?? 20;
  const maxLots = opts.maxLots ?? 2000;
  let booked = 0;
  while (booked < maxLots) {
    const lots = await db
      .select({ id: pointLots.id })
      .from(pointLots)
      .where(lapsedLot('point_lots', now))
      .orderBy(asc(pointLots.expiresAt))
      .limit(Math.min(batchLots, maxLots - booked));
    if (lots.length === 0) break;
    // One batch per handful of lots; nothing is read back (each lot's statements guard themselves).
    await runBatch(db, { lots: lots.flatMap((l) => expireLotStatements(db, l.id, money, now)) });
    booked += lots.length;
  }
  return { lots: booked };
}
