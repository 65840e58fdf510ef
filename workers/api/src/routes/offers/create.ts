import { newId } from '@gratia/core';
import { offers } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { OfferFields, OfferSchema, offerJson } from './schema';

const Body = z
  .object({
    title: OfferFields.title,
    description: OfferFields.description.optional(),
    category: OfferFields.category,
    price: OfferFields.price,
    retail_value: OfferFields.retail_value.optional(),
    terms: OfferFields.terms.optional(),
    active: OfferFields.active.optional(),
  })
  .strict()
  .openapi('CreateOffer');

export const route = createRoute({
  method: 'post',
  path: '/v1/offers',
  tags: ['Catalogue'],
  summary: "Publish an offer in the network's catalogue",
  security: [{ bearer: [] }],
  middleware: [authorize('partner'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(OfferSchema, 'The offer'),
    ...commonErrors,
    ...problemResponses(409, 422),
  },
});

export function registerCreateOffer(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const partner = orgOf(c);
    if (
      b.price.currency !== partner.organization.currency ||
      (b.retail_value && b.retail_value.currency !== b.price.currency)
    ) {
      return problem(
        c,
        'currency_mismatch',
        `Offers are priced in the partner's currency, ${partner.organization.currency}`,
      );
    }
    const now = c.var.clock.now();
    const [row] = await c.var.db
      .insert(offers)
      .values({
        id: newId('off', now),
        partnerId: partner.organizationId,
        title: b.title,
        description: b.description ?? null,
        category: b.category,
        currency: b.price.currency,
        priceAmount: b.price.amount,
        retailAmount: b.retail_value?.amount ?? null,
        terms: b.terms ?? null,
        active: b.active ?? true,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return c.json(offerJson(row!), 201);
  });
}
