import { removeOfferPhoto } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { OfferSchema, offerJson } from './schema';

export const route = createRoute({
  method: 'delete',
  path: '/v1/offers/{id}/photo',
  operationId: 'removeOfferPhoto',
  tags: ['Catalogue'],
  summary: "Remove an offer's photo",
  description:
    'The photo is deleted and `photo_url` becomes null. Removing a photo that is not there changes nothing. Partner keys and partner owners only.',
  security: [{ bearer: [] }],
  middleware: [authorize('partner')] as const,
  request: { params: IdParam('Offer id', 'off_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(OfferSchema, 'The offer, without a photo'),
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerRemoveOfferPhoto(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await removeOfferPhoto(c.var.deps, {
      partner: orgOf(c),
      offerId: id,
      store: c.env.OFFER_PHOTOS,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(offerJson(out.value, c.var.deps.config.baseUrl), 200);
  });
}
