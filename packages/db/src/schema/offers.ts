import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations, PARTNER_CATEGORIES } from './organizations';

/** A partner's catalogue entry. `price` is what the issuing clinic pays the partner on redemption. */
export const offers = sqliteTable(
  'offers',
  {
    id: text('id').primaryKey(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => organizations.id),
    title: text('title').notNull(),
    description: text('description'),
    category: text('category', { enum: PARTNER_CATEGORIES }).notNull(),
    currency: text('currency').notNull(),
    priceAmount: integer('price_amount').notNull(),
    retailAmount: integer('retail_amount'),
    terms: text('terms'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** The offer's photo in the OFFER_PHOTOS bucket: `offers/<partner>/<offer>/<sha-256 of the bytes>`. */
    photoKey: text('photo_key'),
    /** image/jpeg, image/png or image/webp, as read from the bytes themselves. */
    photoType: text('photo_type'),
    photoUpdatedAt: integer('photo_updated_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('offers_partner_idx').on(t.partnerId, t.id),
    index('offers_category_idx').on(t.category, t.id),
    check(
      'offers_price_check',
      sql`${t.priceAmount} >= 0 and (${t.retailAmount} is null or ${t.retailAmount} >= 0)`,
    ),
  ],
);
export type Offer = typeof offers.$inferSelect;
