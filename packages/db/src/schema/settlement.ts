import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The network's settings, versioned like a clinic's programme rules: each change is a new row and
 * applies from then on; every settlement line records the version (and the fee rate) it was written
 * under. Before the operator sets any, version 0 applies (no fee, 5 days' grace).
 */
export const networkSettings = sqliteTable(
  'network_settings',
  {
    id: text('id').primaryKey(),
    version: integer('version').notNull(),
    /** The network's fee on what honouring parties receive, in basis points. */
    feeBps: integer('fee_bps').notNull(),
    /** Days after a month ends before the cron closes it (late reversals land in the next month anyway). */
    closingGraceDays: integer('closing_grace_days').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('network_settings_version_unique').on(t.version),
    check('network_settings_fee_check', sql`${t.feeBps} >= 0 and ${t.feeBps} <= 10000`),
    check('network_settings_grace_check', sql`${t.closingGraceDays} >= 0 and ${t.closingGraceDays} <= 28`),
  ],
);
export type NetworkSettingsRow = typeof networkSettings.$inferSelect;

export const SETTLEMENT_KINDS = ['voucher', 'points'] as const;
export const SETTLEMENT_ENTRIES = ['redemption', 'reversal'] as const;

/**
 * One line per redemption honoured by someone other than the issuing clinic, and one (negative) per
 * reversal of it: what the issuing clinic (payer) owes the honouring party (payee), gross, the
 * network's fee, and net. Written in the same D1 batch as the redemption or reversal it records, and
 * append-only (triggers). Its id is also the id of its signed receipt. A line belongs to the calendar
 * month, in the network's timezone, in which it was written.
 */
export const settlementLines = sqliteTable(
  'settlement_lines',
  {
    id: text('id').primaryKey(),
    period: text('period').notNull(),
    kind: text('kind', { enum: SETTLEMENT_KINDS }).notNull(),
    entry: text('entry', { enum: SETTLEMENT_ENTRIES }).notNull(),
    /** The redemption (red_ or ptr_) the line is about; a reversal line names the redemption it undoes. */
    redemptionId: text('redemption_id').notNull(),
    /** The row behind the line: the redemption, or the reversal. One line per source, and vice versa. */
    sourceId: text('source_id').notNull(),
    payerId: text('payer_id').notNull(),
    payeeId: text('payee_id').notNull(),
    voucherId: text('voucher_id'),
    cardLast4: text('card_last4'),
    /** The offer's title, or the points taken. */
    title: text('title').notNull(),
    points: integer('points'),
    currency: text('currency').notNull(),
    /** Signed: negative on a reversal line. */
    gross: integer('gross').notNull(),
    feeBps: integer('fee_bps').notNull(),
    fee: integer('fee').notNull(),
    net: integer('net').notNull(),
    settingsVersion: integer('settings_version').notNull(),
    /** The voucher signing key that signs the line's receipt (re-signed identically on every read). */
    kid: text('kid').notNull(),
    occurredAt: integer('occurred_at').notNull(),
  },
  (t) => [
    uniqueIndex('settlement_lines_source_unique').on(t.sourceId),
    index('settlement_lines_period_idx').on(t.period, t.id),
    index('settlement_lines_payer_idx').on(t.payerId, t.period, t.id),
    index('settlement_lines_payee_idx').on(t.payeeId, t.period, t.id),
    index('settlement_lines_redemption_idx').on(t.redemptionId),
    check('settlement_lines_net_check', sql`${t.net} = ${t.gross} - ${t.fee}`),
    check('settlement_lines_kind_check', sql`${t.kind} in ('voucher', 'points')`),
    check('settlement_lines_entry_check', sql`${t.entry} in ('redemption', 'reversal')`),
  ],
);
export type SettlementLine = typeof settlementLines.$inferSelect;

/**
 * The running totals of a period per pair (payer, payee) and currency, kept in the same batch as each
 * line, so a statement reads one row per counterparty, never the month's lines. Closing a period
 * stamps `closed_at` on its rows; a trigger refuses any change to a stamped row.
 */
export const settlementTotals = sqliteTable(
  'settlement_totals',
  {
    period: text('period').notNull(),
    payerId: text('payer_id').notNull(),
    payeeId: text('payee_id').notNull(),
    currency: text('currency').notNull(),
    redemptions: integer('redemptions').notNull(),
    reversals: integer('reversals').notNull(),
    gross: integer('gross').notNull(),
    fee: integer('fee').notNull(),
    net: integer('net').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.period, t.payerId, t.payeeId, t.currency] }),
    index('settlement_totals_payee_idx').on(t.payeeId, t.period),
    index('settlement_totals_payer_idx').on(t.payerId, t.period),
  ],
);
export type SettlementTotal = typeof settlementTotals.$inferSelect;

/** A closed period: its totals were stamped and never change again. */
export const settlementPeriods = sqliteTable('settlement_periods', {
  period: text('period').primaryKey(),
  closedAt: integer('closed_at').notNull(),
  /** The network settings version in force when it closed (its grace decided when). */
  settingsVersion: integer('settings_version').notNull(),
});
export type SettlementPeriod = typeof settlementPeriods.$inferSelect;
