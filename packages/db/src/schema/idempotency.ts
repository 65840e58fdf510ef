import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Idempotency-Key records, scoped to the caller. A row is claimed ('in_flight') before the handler runs
 * and completed with the response; the same key with another request hash is refused.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** in_flight, then done with the answer; committed: its work is written but its answer was lost. */
    state: text('state', { enum: ['in_flight', 'committed', 'done'] }).notNull(),
    /** Random token of the request that holds the key while it is in flight. */
    claim: text('claim').notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);
