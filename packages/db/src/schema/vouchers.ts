import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { offers } from './offers';
import { organizations, PARTNER_CATEGORIES } from './organizations';
import { patients } from './patients';

export const VOUCHER_KINDS = ['offer', 'value'] as const;
export const VOUCHER_STATUSES = ['issued', 'redeemed', 'voided'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

/**
 * A reward issued by a clinic to one patient. Offer vouchers are single-use for the offer's price;
 * stored-value vouchers are spent down. Both keep `remaining_amount`: redeeming subtracts from it under
 * a guarded UPDATE, and the CHECK makes a negative remainder impossible whatever the Worker does.
 * The token is not stored: Ed25519 signatures are deterministic, so it is re-signed from these claims.
 */
export const vouchers = sqliteTable(
  'vouchers',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    kind: text('kind', { enum: VOUCHER_KINDS }).notNull(),
    offerId: text('offer_id').references(() => offers.id),
    /** The one partner that may honour it (offer vouchers, and value vouchers for one partner). */
    partnerId: text('partner_id').references(() => organizations.id),
    /** Or any partner of this category (value vouchers). */
    category: text('category', { enum: PARTNER_CATEGORIES }),
    /** The token's `aud`: the partner id or `category:<name>`. */
    audience: text('audience').notNull(),
    title: text('title').notNull(),
    message: text('message'),
    currency: text('currency').notNull(),
    valueAmount: integer('value_amount').notNull(),
    remainingAmount: integer('remaining_amount').notNull(),
    status: text('status', { enum: VOUCHER_STATUSES }).notNull(),
    kid: text('kid').notNull(),
    issuedAt: integer('issued_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    voidedAt: integer('voided_at'),
    voidReason: text('void_reason'),
    /** Written by the guarded UPDATE of a redemption, read by the INSERT of its record in the same batch. */
    lastRedemptionId: text('last_redemption_id'),
    lastRedemptionAmount: integer('last_redemption_amount'),
    /**
     * Set by the hourly job once an issued voucher's expiry has passed: it leaves the index of live
     * vouchers, so listing a clinic's usable vouchers never walks the ones that lapsed.
     */
    lapsedAt: integer('lapsed_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('vouchers_clinic_idx').on(t.clinicId, t.id),
    index('vouchers_patient_idx').on(t.patientId, t.id),
    index('vouchers_clinic_status_idx').on(t.clinicId, t.status, t.id),
    index('vouchers_clinic_live_idx')
      .on(t.clinicId, t.id)
      .where(sql`${t.status} = 'issued' and ${t.lapsedAt} is null`),
    index('vouchers_lapsing_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'issued' and ${t.lapsedAt} is null`),
    check(
      'vouchers_remaining_check',
      sql`${t.remainingAmount} >= 0 and ${t.remainingAmount} <= ${t.valueAmount}`,
    ),
    check('vouchers_status_check', sql`${t.status} in ('issued', 'redeemed', 'voided')`),
    check('vouchers_audience_check', sql`${t.partnerId} is not null or ${t.category} is not null`),
  ],
);
export type Voucher = typeof vouchers.$inferSelect;

/**
 * One redemption at a partner: append-only. `payable_amount` is what the issuing clinic owes the
 * partner for it (settlement). A reversal is a row of its own in voucher_reversals.
 */
export const redemptions = sqliteTable(
  'redemptions',
  {
    id: text('id').primaryKey(),
    voucherId: text('voucher_id')
      .notNull()
      .references(() => vouchers.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    partnerId: text('partner_id')
      .notNull()
      .references(() => organizations.id),
    apiKeyId: text('api_key_id'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    payableAmount: integer('payable_amount').notNull(),
    redeemedAt: integer('redeemed_at').notNull(),
  },
  (t) => [
    index('redemptions_voucher_idx').on(t.voucherId, t.id),
    index('redemptions_partner_idx').on(t.partnerId, t.redeemedAt),
    index('redemptions_clinic_idx').on(t.clinicId, t.redeemedAt),
    check('redemptions_amount_check', sql`${t.amount} > 0 and ${t.payableAmount} >= 0`),
  ],
);
export type Redemption = typeof redemptions.$inferSelect;

/** The undoing of one redemption (at most one: UNIQUE), restoring its amount to the voucher. */
export const voucherReversals = sqliteTable(
  'voucher_reversals',
  {
    id: text('id').primaryKey(),
    redemptionId: text('redemption_id')
      .notNull()
      .references(() => redemptions.id),
    voucherId: text('voucher_id')
      .notNull()
      .references(() => vouchers.id),
    partnerId: text('partner_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reversedAt: integer('reversed_at').notNull(),
  },
  (t) => [
    uniqueIndex('voucher_reversals_redemption_unique').on(t.redemptionId),
    // The reconciliation sums a voucher's reversals.
    index('voucher_reversals_voucher_idx').on(t.voucherId),
  ],
);
export type VoucherReversal = typeof voucherReversals.$inferSelect;
