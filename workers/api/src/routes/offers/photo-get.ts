import { readOfferPhoto } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { IdParam, problemResponses } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { cachedDigests, photoResponse, photoResponses } from './photo-response';

/** The address stays while the photo changes: revalidated (a 304 by its ETag) at every use. */
const CACHE_CONTROL = 'private, no-cache';

export const route = createRoute({
  method: 'get',
  path: '/v1/offers/{id}/photo',
  operationId: 'getOfferPhoto',
  tags: ['Catalogue'],
  summary: "An offer's photo",
  description:
    "The image, for a key that may see the offer (clinics: active offers only), with the photo's SHA-256 as its ETag: send it back in If-None-Match for a 304. `photo_not_found` when the offer has none. The offer's `photo_url` serves the same photo without a key.",
  security: [{ bearer: [] }],
  middleware: [authorize('clinic', 'partner', 'operator')] as const,
  request: { params: IdParam('Offer id', 'off_01JD0000000000000000000000') },
  responses: {
    ...photoResponses(CACHE_CONTROL),
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetOfferPhoto(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readOfferPhoto(c.var.deps, {
      principal: principalOf(c),
      offerId: id,
      store: c.env.OFFER_PHOTOS,
      cachedDigests: cachedDigests(c.req.header('if-none-match')),
    });
    if (!out.ok) return refusal(c, out.error);
    return photoResponse(out.value, { 'cache-control': CACHE_CONTROL });
  });
}
