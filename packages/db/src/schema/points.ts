import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { organizations } from './organizations';
import { patients } from './patients';

// The coalition card's bonus account. Money moves as points through a double-entry, append-only
// ledger (point_entries); what can still be spent lives in lots (point_lots), one per accrual, each
// with its own expiry; point_accounts is the per-card summary row, written in the same D1 batch as the
// entries so that reading a balance never scans the history. Invariants the Worker cannot be trusted
// with are CHECKs, UNIQUE indexes, and triggers (entries can be neither updated nor deleted).

export interface DiscountTier {
  min_lifetime_spend: number;
  discount_bps: number;
}

/** A clinic's programme rules, versioned: a change is a new row, so every accrual names the rules it used. */
export const loyaltyPrograms = sqliteTable(
  'loyalty_programs',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    version: integer('version').notNull(),
    accrualRateBps: integer('accrual_rate_bps').notNull(),
    expiryDays: integer('expiry_days').notNull(),
    minRedemptionPoints: integer('min_redemption_points').notNull(),
    maxBillShareBps: integer('max_bill_share_bps'),
    /** Sorted by min_lifetime_spend, in the clinic's currency (minor units). */
    discountTiers: text('discount_tiers', { mode: 'json' }).$type<DiscountTier[]>().notNull(),
    currency: text('currency').notNull(),
    apiKeyId: text('api_key_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('loyalty_programs_clinic_version_unique').on(t.clinicId, t.version),
    check('loyalty_programs_rate_check', sql`${t.accrualRateBps} between 0 and 10000`),
    check('loyalty_programs_expiry_check', sql`${t.expiryDays} between 1 and 3660`),
    check('loyalty_programs_min_check', sql`${t.minRedemptionPoints} >= 0`),
    check(
      'loyalty_programs_share_check',
      sql`${t.maxBillShareBps} is null or ${t.maxBillShareBps} between 1 and 10000`,
    ),
  ],
);
export type LoyaltyProgram = typeof loyaltyPrograms.$inferSelect;

/** A paid visit: what earns points. `reference` is the clinic's own id for it (unique per clinic). */
export const visits = sqliteTable(
  'visits',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    reference: text('reference'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    occurredAt: integer('occurred_at').notNull(),
    /** The programme rules this accrual used (0: the network default, before the clinic set its own). */
    programVersion: integer('program_version').notNull(),
    accrualRateBps: integer('accrual_rate_bps').notNull(),
    pointsEarned: integer('points_earned').notNull(),
    apiKeyId: text('api_key_id'),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [
    uniqueIndex('visits_clinic_reference_unique').on(t.clinicId, t.reference),
    // With the id: a patient's visits page newest first (occurred_at, then id) straight from the index.
    index('visits_patient_idx').on(t.patientId, t.occurredAt, t.id),
    // A clinic's visits of a day (its Today figures), read as an index range.
    index('visits_clinic_idx').on(t.clinicId, t.occurredAt),
    check('visits_amount_check', sql`${t.amount} > 0 and ${t.pointsEarned} >= 0`),
  ],
);
export type Visit = typeof visits.$inferSelect;

/** One per card: the booked balance (equal to the sum of the card's patient entries) and lifetime figures. */
export const pointAccounts = sqliteTable(
  'point_accounts',
  {
    patientId: text('patient_id')
      .primaryKey()
      .references(() => patients.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    balance: integer('balance').notNull(),
    earned: integer('earned').notNull(),
    spent: integer('spent').notNull(),
    expired: integer('expired').notNull(),
    lifetimeSpend: integer('lifetime_spend').notNull(),
    currency: text('currency').notNull(),
    discountBps: integer('discount_bps').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /**
     * When the card's first lot with points left lapses (null: none left). Kept by triggers on
     * point_lots, so the call list pages cards by it through an index instead of grouping every lot.
     */
    nextExpiryAt: integer('next_expiry_at'),
  },
  (t) => [
    index('point_accounts_next_expiry_idx')
      .on(t.clinicId, t.nextExpiryAt, t.patientId)
      .where(sql`${t.nextExpiryAt} is not null`),
    check(
      'point_accounts_balance_check',
      sql`${t.balance} >= 0 and ${t.balance} = ${t.earned} - ${t.spent} - ${t.expired}`,
    ),
    check(
      'point_accounts_figures_check',
      sql`${t.spent} >= 0 and ${t.expired} >= 0 and ${t.lifetimeSpend} >= 0`,
    ),
  ],
);
export type PointAccount = typeof pointAccounts.$inferSelect;

/**
 * The points of one accrual. `remaining` is what can still be spent (until `expires_at`, the end of
 * the expiry day in the clinic's timezone); `expired` is what the expiry job booked out of it.
 */
export const pointLots = sqliteTable(
  'point_lots',
  {
    id: text('id').primaryKey(),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    /** The paid visit that earned the points, or (for bonus points) the reward that gave them. */
    visitId: text('visit_id').references(() => visits.id),
    rewardId: text('reward_id'),
    points: integer('points').notNull(),
    remaining: integer('remaining').notNull(),
    expired: integer('expired').notNull().default(0),
    earnedAt: integer('earned_at').notNull(),
    /** The last day the points can be spent, in the clinic's timezone (YYYY-MM-DD). */
    expiresOn: text('expires_on').notNull(),
    /** The first instant they can no longer be spent: midnight after `expires_on`, clinic time. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('point_lots_visit_unique').on(t.visitId),
    uniqueIndex('point_lots_reward_unique').on(t.rewardId),
    check('point_lots_source_check', sql`(${t.visitId} is null) <> (${t.rewardId} is null)`),
    // Only lots with something left are ever scanned, so old, spent history costs nothing.
    index('point_lots_live_idx').on(t.patientId, t.expiresAt, t.id).where(sql`${t.remaining} > 0`),
    index('point_lots_clinic_live_idx').on(t.clinicId, t.expiresAt).where(sql`${t.remaining} > 0`),
    index('point_lots_due_idx').on(t.expiresAt).where(sql`${t.remaining} > 0`),
    check(
      'point_lots_remaining_check',
      sql`${t.points} > 0 and ${t.remaining} >= 0 and ${t.expired} >= 0 and ${t.remaining} + ${t.expired} <= ${t.points}`,
    ),
  ],
);
export type PointLot = typeof pointLots.$inferSelect;

/**
 * Points spent at a clinic or a partner. `payable_amount` is what the issuing clinic owes the
 * honouring party for them (zero when the clinic honours its own points).
 */
export const pointRedemptions = sqliteTable(
  'point_redemptions',
  {
    id: text('id').primaryKey(),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    /** The clinic that issued the points (the card's clinic), who pays. */
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    honouredBy: text('honoured_by')
      .notNull()
      .references(() => organizations.id),
    apiKeyId: text('api_key_id'),
    points: integer('points').notNull(),
    valueAmount: integer('value_amount').notNull(),
    payableAmount: integer('payable_amount').notNull(),
    currency: text('currency').notNull(),
    billAmount: integer('bill_amount'),
    reference: text('reference'),
    redeemedAt: integer('redeemed_at').notNull(),
  },
  (t) => [
    uniqueIndex('point_redemptions_reference_unique').on(t.honouredBy, t.reference),
    index('point_redemptions_honoured_idx').on(t.honouredBy, t.redeemedAt),
    index('point_redemptions_clinic_idx').on(t.clinicId, t.redeemedAt),
    check('point_redemptions_points_check', sql`${t.points} > 0 and ${t.payableAmount} >= 0`),
  ],
);
export type PointRedemption = typeof pointRedemptions.$inferSelect;

/** Which lots a redemption took from, so that a reversal gives back the same lots. */
export const pointRedemptionLots = sqliteTable(
  'point_redemption_lots',
  {
    redemptionId: text('redemption_id')
      .notNull()
      .references(() => pointRedemptions.id),
    lotId: text('lot_id')
      .notNull()
      .references(() => pointLots.id),
    points: integer('points').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.redemptionId, t.lotId] }),
    // The lot's side of the foreign key: without it a change to a lot looks for its allocations by
    // scanning every allocation of the network.
    index('point_redemption_lots_lot_idx').on(t.lotId),
    check('point_redemption_lots_points_check', sql`${t.points} > 0`),
  ],
);

/** The undoing of one points redemption (at most one: UNIQUE). */
export const pointReversals = sqliteTable(
  'point_reversals',
  {
    id: text('id').primaryKey(),
    redemptionId: text('redemption_id')
      .notNull()
      .references(() => pointRedemptions.id),
    patientId: text('patient_id').notNull(),
    points: integer('points').notNull(),
    apiKeyId: text('api_key_id'),
    reversedAt: integer('reversed_at').notNull(),
  },
  (t) => [uniqueIndex('point_reversals_redemption_unique').on(t.redemptionId)],
);
export type PointReversal = typeof pointReversals.$inferSelect;

/** bonus: points a loyalty reward gave; correction: a reversed visit's points taken back. */
export const POINT_TXN_TYPES = [
  'accrual',
  'redemption',
  'reversal',
  'expiry',
  'bonus',
  'correction',
] as const;
export type PointTxnType = (typeof POINT_TXN_TYPES)[number];
/**
 * patient: the card's points; liability: the issuing clinic's points liability; receivable: what a
 * honouring party is owed by the issuer; expiry: points the issuer no longer owes because they lapsed.
 */
export const POINT_ACCOUNTS = ['patient', 'liability', 'receivable', 'expiry'] as const;
export type PointAccountKind = (typeof POINT_ACCOUNTS)[number];

/**
 * The ledger: every movement is a transaction (`txn_id`) of entries whose points sum to zero. Rows are
 * only ever inserted (triggers refuse UPDATE and DELETE). `balance_after` is the card's running
 * balance on its patient entries, so a statement page reads only its own rows.
 */
export const pointEntries = sqliteTable(
  'point_entries',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    txnId: text('txn_id').notNull(),
    txnType: text('txn_type', { enum: POINT_TXN_TYPES }).notNull(),
    account: text('account', { enum: POINT_ACCOUNTS }).notNull(),
    /** The patient (patient account) or the organisation (the others) that holds the account. */
    ownerId: text('owner_id').notNull(),
    /** The card every entry of the transaction concerns. */
    patientId: text('patient_id').notNull(),
    /**
     * For receivables: the clinic that owes them. On the card's redemption and reversal entries: the
     * clinic or partner where the points were spent.
     */
    counterpartyId: text('counterparty_id'),
    /** The visit, redemption, reversal or lot behind the transaction. */
    sourceId: text('source_id').notNull(),
    points: integer('points').notNull(),
    valueAmount: integer('value_amount').notNull(),
    currency: text('currency').notNull(),
    balanceAfter: integer('balance_after'),
    effectiveAt: integer('effective_at').notNull(),
    bookedAt: integer('booked_at').notNull(),
  },
  (t) => [
    index('point_entries_account_idx').on(t.account, t.ownerId, t.seq),
    index('point_entries_txn_idx').on(t.txnId),
    check('point_entries_points_check', sql`${t.points} <> 0`),
    check(
      'point_entries_balance_check',
      sql`(${t.account} = 'patient') = (${t.balanceAfter} is not null) and coalesce(${t.balanceAfter}, 0) >= 0`,
    ),
  ],
);
export type PointEntry = typeof pointEntries.$inferSelect;
