import { publishOffer } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
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
  operationId: 'createOffer',
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
    const { retail_value, ...b } = c.req.valid('json');
    const out = await publishOffer(c.var.deps, {
      partner: orgOf(c),
      offer: { ...b, retailValue: retail_value },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(offerJson(out.value, c.var.deps.config.baseUrl), 201);
  });
}
