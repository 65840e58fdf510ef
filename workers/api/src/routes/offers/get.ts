import { readOffer } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { OfferSchema, offerJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/offers/{id}',
  operationId: 'getOffer',
  tags: ['Catalogue'],
  summary: 'Read one offer of the catalogue',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic', 'partner', 'operator')] as const,
  request: { params: IdParam('Offer id', 'off_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(OfferSchema, 'The offer'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetOffer(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readOffer(c.var.deps, { principal: principalOf(c), offerId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(offerJson(out.value, c.var.deps.config.baseUrl), 200);
  });
}
