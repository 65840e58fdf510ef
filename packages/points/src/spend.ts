import { newId } from '@gratia/core';
import {
  type Db,
  type KeyRef,
  keyIdOf,
  organizationOfKey,
  type PointRedemption,
  pointAccounts,
  pointLots,
  pointRedemptionLots,
  pointRedemptions,
} from '@gratia/db';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { entryPairStatements, honouringSide, type PointMoney } from './ledger';
import { currentRule, liveBalance, spendableLot } from './rules';

// Spending points as one D1 batch, decided by the database. The redemption row is inserted only if
// the card exists, the presenting key belongs to a clinic or partner, the amount meets the issuing
// clinic's minimum and bill share, and the card's unexpired lots cover it, all evaluated inside the
// batch, which D1 runs as one serialised transaction. Every later statement keys on that row, so a
// refused spend writes nothing, and 50 concurrent spends can never take more than there is.

export interface SpendInput {
  cardNumber: string;
  points: number;
  /** The honouring party is proved inside the batch from the presented key. */
  key: KeyRef;
  reference: string | null;
  /** The bill the points pay towards (network currency), to enforce the programme's maximum share. */
  billAmount: number | null;
  money: PointMoney;
  now: number;
}

export function spendStatements(db: Db, input: SpendInput) {
  const id = newId('ptr', input.now);
  const { points, money, now } = input;
  const value = points * money.pointValue;
  const honour = organizationOfKey(input.key, ['clinic', 'partner']);
  const insertRedemption = db
    .insert(pointRedemptions)
    .select(
      sql`select ${id}, p.id, p.clinic_id, ${honour},
        ${keyIdOf(input.key)},
        ${points}, ${value}, case when p.clinic_id = ${honour} then 0 else ${value} end, ${money.currency},
        ${input.billAmount}, ${input.reference}, ${now}
      from patients p
      where p.card_number = ${input.cardNumber}
        and ${honour} is not null
        and ${points} >= coalesce(${currentRule(db, 'minRedemptionPoints', sql`p.clinic_id`)}, 0)
        and (${input.billAmount} is null
          or ${value} * 10000 <= ${input.billAmount} * coalesce(${currentRule(db, 'maxBillShareBps', sql`p.clinic_id`)}, 10000))
        and ${liveBalance(sql`p.id`, now)} >= ${points}`,
    )
    .onConflictDoNothing();
  // Oldest first: each live lot, by expiry, gives what is still needed after the lots before it. A lot
  // holds at least one point, so no spend needs more lots than points: only those are read.
  const allocate = db.insert(pointRedemptionLots).select(
    sql`select ${id}, x.id, min(x.remaining, ${points} - (x.cum - x.remaining)) from (
      select f.id, f.remaining,
        sum(f.remaining) over (order by f.expires_at, f.id rows unbounded preceding) as cum
      from (select l.id, l.remaining, l.expires_at from point_lots l
        where l.patient_id = (select r.patient_id from point_redemptions r where r.id = ${id})
          and ${spendableLot('l', now)}
        order by l.expires_at, l.id limit ${points}) f
    ) x where x.cum - x.remaining < ${points}`,
  );
  const takeFromLots = db
    .update(pointLots)
    .set({
      remaining: sql`${pointLots.remaining} - (
        select a.points from point_redemption_lots a where a.redemption_id = ${id} and a.lot_id = ${pointLots.id})`,
    })
    .where(
      inArray(
        pointLots.id,
        db
          .select({ lotId: pointRedemptionLots.lotId })
          .from(pointRedemptionLots)
          .where(eq(pointRedemptionLots.redemptionId, id)),
      ),
    );
  const debitAccount = db
    .update(pointAccounts)
    .set({
      balance: sql`${pointAccounts.balance} - ${points}`,
      spent: sql`${pointAccounts.spent} + ${points}`,
      updatedAt: now,
    })
    .where(
      sql`${pointAccounts.patientId} = (select r.patient_id from point_redemptions r where r.id = ${id})`,
    );
  const entries = entryPairStatements(db, {
    txnId: id,
    type: 'redemption',
    money,
    now,
    source: sql`from point_redemptions s where s.id = ${id}`,
    patientId: sql`s.patient_id`,
    patientPoints: sql`-s.points`,
    sourceId: sql`s.id`,
    effectiveAt: sql`s.redeemed_at`,
    other: honouringSide,
    patientCounterpartyId: sql`s.honoured_by`,
  });
  // The outcome: this redemption (or, for a reused reference, the earlier one), and the card as the
  // caller's refusal needs it explained.
  const outcome = db
    .select()
    .from(pointRedemptions)
    .where(
      input.reference === null
        ? eq(pointRedemptions.id, id)
        : or(
            eq(pointRedemptions.id, id),
            and(
              sql`${pointRedemptions.honouredBy} = ${honour}`,
              eq(pointRedemptions.reference, input.reference),
            ),
          ),
    );
  const card = db
    .select({
      cardPatientId: sql<string>`p.id`.as('card_patient_id'),
      live: sql<number>`${liveBalance(sql`p.id`, now)}`.as('live'),
      minPoints: sql<number | null>`${currentRule(db, 'minRedemptionPoints', sql`p.clinic_id`)}`.as(
        'min_points',
      ),
      maxShareBps: sql<number | null>`${currentRule(db, 'maxBillShareBps', sql`p.clinic_id`)}`.as(
        'max_share_bps',
      ),
    })
    .from(sql`patients p`)
    .where(sql`p.card_number = ${input.cardNumber}`);
  return {
    redemptionId: id,
    statements: { insertRedemption, allocate, takeFromLots, debitAccount, entries, outcome, card },
  };
}

export type CardState = {
  cardPatientId: string;
  live: number;
  minPoints: number | null;
  maxShareBps: number | null;
};

export type SpendRefusal =
  | 'card_not_found'
  | 'below_minimum_redemption'
  | 'exceeds_bill_share'
  | 'insufficient_points'
  | 'reference_conflict';

/** Why a spend that wrote nothing was refused (pure: from what the batch read back). */
export function spendRefusal(
  input: Pick<SpendInput, 'points' | 'billAmount' | 'money'>,
  card: CardState | undefined,
  earlier: PointRedemption | undefined,
): SpendRefusal {
  if (!card) return 'card_not_found';
  if (earlier) return 'reference_conflict';
  if (input.points < (card.minPoints ?? 0)) return 'below_minimum_redemption';
  const value = input.points * input.money.pointValue;
  if (input.billAmount !== null && value * 10_000 > input.billAmount * (card.maxShareBps ?? 10_000))
    return 'exceeds_bill_share';
  return 'insufficient_points';
}
