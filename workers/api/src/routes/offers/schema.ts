import { toIso } from '@gratia/core';
import { type Offer, PARTNER_CATEGORIES } from '@gratia/db';
import { offerPhotoPath } from '@gratia/network';
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
    photo_url: z.string().nullable().openapi({
      format: 'uri',
      description:
        "The offer's photo (JPEG, PNG or WebP), or null. The address changes whenever the photo does, so it may be cached for good; whoever has it may load it (an <img src>). `GET /v1/offers/{id}/photo` serves the same photo with a key.",
      example:
        'https://gratia.example/offer-photos/off_01JD0000000000000000000000/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Offer');

/** An offer as the API answers it; `baseUrl` makes the photo's address absolute. */
export function offerJson(o: Offer, baseUrl: string): z.infer<typeof OfferSchema> {
  const photo = offerPhotoPath(o);
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
    photo_url: photo ? `${baseUrl}${photo}` : null,
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
