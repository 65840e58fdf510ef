import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const ORGANIZATION_KINDS = ['clinic', 'partner'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];
export const PARTNER_CATEGORIES = [
  'massage',
  'photography',
  'pharmacy',
  'wellness',
  'beauty',
  'other',
] as const;
export type PartnerCategory = (typeof PARTNER_CATEGORIES)[number];

/** Clinics (issuers) and partner businesses (honour rewards) of the coalition. */
export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ORGANIZATION_KINDS }).notNull(),
    name: text('name').notNull(),
    category: text('category', { enum: PARTNER_CATEGORIES }),
    currency: text('currency').notNull(),
    timezone: text('timezone').notNull(),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
    website: text('website'),
    bookingUrl: text('booking_url'),
    /** Where a partner is (degrees times 1e6, WGS 84), so offers nearby a patient's branch rank first. */
    latitudeE6: integer('latitude_e6'),
    longitudeE6: integer('longitude_e6'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('organizations_kind_idx').on(t.kind, t.id),
    check('organizations_kind_check', sql`${t.kind} in ('clinic', 'partner')`),
    check(
      'organizations_category_check',
      sql`(${t.kind} = 'partner' and ${t.category} is not null) or (${t.kind} = 'clinic' and ${t.category} is null)`,
    ),
  ],
);
export type Organization = typeof organizations.$inferSelect;
