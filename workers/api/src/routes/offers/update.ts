import { updateOffer } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
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
  operationId: 'updateOffer',
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
    const { retail_value, ...b } = c.req.valid('json');
    const out = await updateOffer(c.var.deps, {
      partner: orgOf(c),
      offerId: id,
      changes: { ...b, ...(retail_value !== undefined && { retailValue: retail_value }) },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(offerJson(out.value, c.var.deps.config.baseUrl), 200);
  });
}
