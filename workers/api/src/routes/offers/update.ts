import { offers } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { OfferFields, OfferSchema, offerJson } from './schema';

const Body = z
  .object({
    title: OfferFields.title.optional(),
    description: OfferFields.description.nullable().optional(),
    category: OfferFields.category.optional(),
    price: OfferFields.price.optional(),
    retail_value: OfferFields.retail_value.nullable().optional(),
    terms: OfferFields.terms.nullable().optional(),
    active: OfferFields.active.optional(),
  })
  .strict()
  .openapi('UpdateOffer');

export const route = createRoute({
  method: 'patch',
  path: '/v1/offers/{id}',
  tags: ['Catalogue'],
  summary: 'Update an offer (including active: false); vouchers already issued keep their price',
  security: [{ bearer: [] }],
  middleware: [authorize('partner')] as const,
  request: { params: IdParam('Offer id', 'off_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(OfferSchema, 'The updated offer'),
    ...commonErrors,
    ...problemResponses(404, 422),
  },
});

export function registerUpdateOffer(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const partner = orgOf(c);
    const currency = partner.organization.currency;
    if (
      (b.price && b.price.currency !== currency) ||
      (b.retail_value && b.retail_value.currency !== currency)
    ) {
      return problem(c, 'currency_mismatch', `Offers are priced in the partner's currency, ${currency}`);
    }
    const [row] = await c.var.db
      .update(offers)
      .set({
        ...(b.title !== undefined && { title: b.title }),
        ...(b.description !== undefined && { description: b.description }),
        ...(b.category !== undefined && { category: b.category }),
        ...(b.price !== undefined && { priceAmount: b.price.amount }),
        ...(b.retail_value !== undefined && { retailAmount: b.retail_value?.amount ?? null }),
        ...(b.terms !== undefined && { terms: b.terms }),
        ...(b.active !== undefined && { active: b.active }),
        updatedAt: c.var.clock.now(),
      })
      .where(and(eq(offers.id, id), eq(offers.partnerId, partner.organizationId)))
      .returning();
    if (!row) return problem(c, 'offer_not_found', `No offer ${id}`);
    return c.json(offerJson(row), 200);
  });
}
