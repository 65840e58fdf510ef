import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './api-keys';
import { organizations } from './organizations';

/**
 * Page sessions (the counter page): the cookie names a row here, and every request checks the row in
 * the same batch as its work, so signing out (or expiry) ends the session on the server, not only in
 * the browser.
 */
export const pageSessions = sqliteTable(
  'page_sessions',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    endedAt: integer('ended_at'),
    /** The staff member signed in (null for a session opened with an API key). */
    staffId: text('staff_id'),
    /** The last request of the session (refreshed at most once a minute): idle sessions end. */
    lastSeenAt: integer('last_seen_at').notNull().default(0),
  },
  (t) => [index('page_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * Failed attempts that look like guessing (unknown vouchers and card numbers, failed sign-ins), counted
 * per subject (`key:<id>`, `org:<id>`, `ip:<address>`, `signin:<address>`) in a fixed window. A subject
 * over its cap is locked until `locked_until`: every request of a locked key, organisation or address
 * is refused with 429 until then.
 */
export const abuseCounters = sqliteTable(
  'abuse_counters',
  {
    subject: text('subject').primaryKey(),
    windowStart: integer('window_start').notNull(),
    failures: integer('failures').notNull(),
    lockedUntil: integer('locked_until'),
  },
  (t) => [index('abuse_counters_window_idx').on(t.windowStart)],
);

/**
 * What the reconciliation job found: a summary that does not match what it summarises (a card's
 * balance against its entries and lots, a settlement total against its lines, a voucher's remaining
 * value against its redemptions). Append-only; a finding is never edited, a later run that no longer
 * sees the difference simply does not repeat it.
 */
export const reconciliationFindings = sqliteTable(
  'reconciliation_findings',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    check: text('check', {
      enum: ['card_balance', 'card_lots', 'settlement_total', 'voucher_remaining'],
    }).notNull(),
    subjectId: text('subject_id').notNull(),
    expected: integer('expected').notNull(),
    actual: integer('actual').notNull(),
    detail: text('detail').notNull(),
    foundAt: integer('found_at').notNull(),
  },
  (t) => [index('reconciliation_findings_found_idx').on(t.foundAt, t.id)],
);
export type ReconciliationFinding = typeof reconciliationFindings.$inferSelect;

/** Where a resumable job (a backfill run slice by slice from the cron) has got to; `done` when it has. */
export const jobState = sqliteTable('job_state', {
  name: text('name').primaryKey(),
  cursor: text('cursor').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
