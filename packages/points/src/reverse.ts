import { newId, REVERSAL_WINDOW_MS } from '@gratia/core';
import {
  type Db,
  type KeyRef,
  keyIdOf,
  organizationOfKey,
  pointAccounts,
  pointLots,
  pointRedemptionLots,
  pointRedemptions,
  pointReversals,
} from '@gratia/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { entryPairStatements, honouringSide, type PointMoney } from './ledger';

export interface PointReversalInput {
  redemptionId: string;
  /** The key asking: only the organisation that honoured the points may reverse them. */
  key: KeyRef;
  money: PointMoney;
  now: number;
}

/**
 * Undo a points redemption in one batch: the reversal row is written only for the honouring party's
 * own redemption, inside 24 hours, and at most once (UNIQUE); the points go back to the very lots they
 * came from, with their original expiry, and the entries mirror the redemption's. A lot that lapsed in
 * the meantime gets its points back already expired: the expiry job books them.
 */
export function pointReversalStatements(db: Db, input: PointReversalInput) {
  const id = newId('prv', input.now);
  const honourer = organizationOfKey(input.key, ['clinic', 'partner']);
  const { now, money } = input;
  const insert = db
    .insert(pointReversals)
    .select(
      db
        .select({
          id: sql<string>`${id}`.as('id'),
          redemptionId: pointRedemptions.id,
          patientId: pointRedemptions.patientId,
          points: pointRedemptions.points,
          apiKeyId: sql<string | null>`${keyIdOf(input.key)}`.as('api_key_id'),
          reversedAt: sql<number>`${now}`.as('reversed_at'),
        })
        .from(pointRedemptions)
        .where(
          and(
            eq(pointRedemptions.id, input.redemptionId),
            sql`${pointRedemptions.honouredBy} = ${honourer}`,
            sql`${pointRedemptions.redeemedAt} > ${now - REVERSAL_WINDOW_MS}`,
          ),
        ),
    )
    .onConflictDoNothing({ target: pointReversals.redemptionId });
  const written = sql`exists (select 1 from point_reversals v where v.id = ${id})`;
  const restoreLots = db
    .update(pointLots)
    .set({
      remaining: sql`${pointLots.remaining} + (
        select a.points from point_redemption_lots a where a.redemption_id = ${input.redemptionId} and a.lot_id = ${pointLots.id})`,
    })
    .where(
      and(
        inArray(
          pointLots.id,
          db
            .select({ lotId: pointRedemptionLots.lotId })
            .from(pointRedemptionLots)
            .where(eq(pointRedemptionLots.redemptionId, input.redemptionId)),
        ),
        written,
      ),
    );
  const creditAccount = db
    .update(pointAccounts)
    .set({
      balance: sql`${pointAccounts.balance} + (select v.points from point_reversals v where v.id = ${id})`,
      spent: sql`${pointAccounts.spent} - (select v.points from point_reversals v where v.id = ${id})`,
      updatedAt: now,
    })
    .where(sql`${pointAccounts.patientId} = (select v.patient_id from point_reversals v where v.id = ${id})`);
  const entries = entryPairStatements(db, {
    txnId: id,
    type: 'reversal',
    money,
    now,
    source: sql`from point_reversals v join point_redemptions s on s.id = v.redemption_id where v.id = ${id}`,
    patientId: sql`s.patient_id`,
    patientPoints: sql`s.points`,
    sourceId: sql`v.id`,
    effectiveAt: sql`v.reversed_at`,
    other: honouringSide,
    patientCounterpartyId: sql`s.honoured_by`,
  });
  const redemption = db
    .select()
    .from(pointRedemptions)
    .where(
      and(eq(pointRedemptions.id, input.redemptionId), sql`${pointRedemptions.honouredBy} = ${honourer}`),
    );
  const reversal = db
    .select()
    .from(pointReversals)
    .where(eq(pointReversals.redemptionId, input.redemptionId));
  return {
    reversalId: id,
    statements: { insert, restoreLots, creditAccount, entries, redemption, reversal },
  };
}
