import { toIso } from '@gratia/core';
import { type Offer, PARTNER_CATEGORIES } from '@gratia/db';
import { z } from '@hono/zod-openapi';
import { MoneySchema, TimestampSchema } from '../../lib/schemas';

export const OfferSchema = z
  .object({
    id: z.string().openapi({ example: 'off_01JD0000000000000000000000' }),
    partner_id: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    category: z.enum(PARTNER_CATEGORIES),
    price: MoneySchema.openapi({
      description: 'What the issuing clinic pays the partner when the reward is redeemed',
    }),
    retail_value: MoneySchema.nullable(),
    terms: z.string().nullable(),
    active: z.boolean(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Offer');

export function offerJson(o: Offer): z.infer<typeof OfferSchema> {
  return {
    id: o.id,
    partner_id: o.partnerId,
    title: o.title,
    description: o.description,
    category: o.category,
    price: { amount: o.priceAmount, currency: o.currency },
    retail_value: o.retailAmount === null ? null : { amount: o.retailAmount, currency: o.currency },
    terms: o.terms,
    active: o.active,
    created_at: toIso(o.createdAt),
    updated_at: toIso(o.updatedAt),
  };
}

export const OfferFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000),
  category: z.enum(PARTNER_CATEGORIES),
  price: MoneySchema.refine((m) => m.amount > 0, { message: 'must be more than 0', path: ['amount'] }),
  retail_value: MoneySchema,
  terms: z.string().trim().max(2000),
  active: z.boolean(),
};
