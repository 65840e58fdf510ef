import { newId } from '@gratia/core';
import { type Db, type DiscountTier, pointAccounts, pointLots, visits } from '@gratia/db';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { entryPairStatements, type PointMoney } from './ledger';
import type { LoyaltyRules } from './program';

export interface AccrualInput {
  clinicId: string;
  patientId: string;
  reference: string | null;
  amount: number;
  currency: string;
  occurredAt: number;
  rules: LoyaltyRules;
  points: number;
  expiry: { expiresOn: string; expiresAt: number };
  money: PointMoney;
  apiKeyId: string | null;
  now: number;
}

/** SQL for the discount of the tier a lifetime spend has reached. */
function discountCase(tiers: readonly DiscountTier[], lifetime: ReturnType<typeof sql>) {
  if (tiers.length === 0) return sql`0`;
  const whens = [...tiers]
    .sort((a, b) => b.min_lifetime_spend - a.min_lifetime_spend)
    .map((t) => sql`when ${lifetime} >= ${t.min_lifetime_spend} then ${t.discount_bps}`);
  return sql`case ${sql.join(whens, sql` `)} else 0 end`;
}

/**
 * One paid visit as one D1 batch: the visit (unique per clinic and reference, so a retried visit is
 * written once), the card's summary row (balance, lifetime spend, discount tier), the lot, and the
 * balanced entries. Everything after the visit is read from the visit row written now, so a replayed
 * reference books nothing. The last three statements read the outcome.
 */
export function accrualStatements(db: Db, input: AccrualInput) {
  const visitId = newId('vis', input.now);
  const lotId = newId('lot', input.now);
  const { points, money, now } = input;
  const insertVisit = db
    .insert(visits)
    .values({
      id: visitId,
      clinicId: input.clinicId,
      patientId: input.patientId,
      reference: input.reference,
      amount: input.amount,
      currency: input.currency,
      occurredAt: input.occurredAt,
      programVersion: input.rules.version,
      accrualRateBps: input.rules.accrualRateBps,
      pointsEarned: points,
      apiKeyId: input.apiKeyId,
      recordedAt: now,
    })
    .onConflictDoNothing();
  const fromVisit = sql`from visits s where s.id = ${visitId}`;
  const upsertAccount = db
    .insert(pointAccounts)
    .select(
      sql`select s.patient_id, s.clinic_id, s.points_earned, s.points_earned, 0, 0, s.amount, s.currency,
        ${discountCase(input.rules.discountTiers, sql`s.amount`)}, ${now}, null ${fromVisit}`,
    )
    .onConflictDoUpdate({
      target: pointAccounts.patientId,
      set: {
        balance: sql`${pointAccounts.balance} + excluded.balance`,
        earned: sql`${pointAccounts.earned} + excluded.earned`,
        lifetimeSpend: sql`${pointAccounts.lifetimeSpend} + excluded.lifetime_spend`,
        discountBps: sql`max(${pointAccounts.discountBps}, ${discountCase(
          input.rules.discountTiers,
          sql`${pointAccounts.lifetimeSpend} + excluded.lifetime_spend`,
        )})`,
        updatedAt: now,
      },
    });
  const lot = db.insert(pointLots).select(
    sql`select ${lotId}, s.patient_id, s.clinic_id, s.id, null, s.points_earned, s.points_earned, 0,
      s.occurred_at, ${input.expiry.expiresOn}, ${input.expiry.expiresAt} ${fromVisit} and s.points_earned > 0`,
  );
  const entries = entryPairStatements(db, {
    txnId: visitId,
    type: 'accrual',
    money,
    now,
    source: fromVisit,
    patientId: sql`s.patient_id`,
    patientPoints: sql`s.points_earned`,
    sourceId: sql`s.id`,
    effectiveAt: sql`s.occurred_at`,
    other: { account: sql`'liability'`, ownerId: sql`s.clinic_id`, counterpartyId: sql`null` },
  });
  // The outcome: this visit (or, for a reused reference, the earlier one), its lot, and the card.
  const sameVisit =
    input.reference === null
      ? eq(visits.id, visitId)
      : or(
          eq(visits.id, visitId),
          and(eq(visits.clinicId, input.clinicId), eq(visits.reference, input.reference)),
        );
  const visitAfter = db.select().from(visits).where(sameVisit);
  const lotAfter = db
    .select()
    .from(pointLots)
    .where(inArray(pointLots.visitId, db.select({ id: visits.id }).from(visits).where(sameVisit)));
  const accountAfter = db.select().from(pointAccounts).where(eq(pointAccounts.patientId, input.patientId));
  return {
    visitId,
    statements: { insertVisit, upsertAccount, lot, entries, visitAfter, lotAfter, accountAfter },
  };
}
