import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from './organizations';

/** Organisation API keys. Only the SHA-256 of the secret is stored; the secret is shown once. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name'),
    /** The first characters of the secret, so people can tell keys apart without the secret. */
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
    /** 'api': a key an organisation holds; 'staff': a staff member's console key (no one holds its secret). */
    kind: text('kind', { enum: ['api', 'staff'] })
      .notNull()
      .default('api'),
  },
  (t) => [index('api_keys_organization_idx').on(t.organizationId, t.id)],
);
export type ApiKey = typeof apiKeys.$inferSelect;
