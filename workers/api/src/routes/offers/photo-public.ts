import { readPublishedPhoto } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { problemResponses } from '../../lib/schemas';
import { cachedDigests, photoResponse, photoResponses } from './photo-response';

/** The address names the bytes (their digest): a new photo has a new address, so this one never changes. */
const PHOTO_IMMUTABLE = 'public, max-age=31536000, immutable';

export const route = createRoute({
  method: 'get',
  path: '/offer-photos/{id}/{digest}',
  operationId: 'getPublishedOfferPhoto',
  tags: ['Catalogue'],
  summary: "An offer's photo at its public address (an offer's photo_url)",
  description:
    'No key: the address itself (the offer and the SHA-256 of the photo) is what lets one see it, so pages and apps can show it with a plain <img src>. It serves the photo the offer shows now, never an earlier one (a replaced or removed photo is 404 `photo_not_found`), and may be cached for good: a new photo has a new address.',
  security: [],
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' }, example: 'off_01JD0000000000000000000000' }),
      digest: z
        .string()
        .max(64)
        .openapi({ param: { name: 'digest', in: 'path' }, description: 'The SHA-256 of the photo, hex' }),
    }),
  },
  responses: {
    ...photoResponses(PHOTO_IMMUTABLE),
    ...problemResponses(400, 404),
  },
});

export function registerPublishedOfferPhoto(app: App) {
  app.openapi(route, async (c) => {
    const { id, digest } = c.req.valid('param');
    const out = await readPublishedPhoto(c.var.deps, {
      offerId: id,
      digest,
      store: c.env.OFFER_PHOTOS,
      cachedDigests: cachedDigests(c.req.header('if-none-match')),
    });
    if (!out.ok) return refusal(c, out.error);
    // Other sites may show it too (a partner's web shop, a clinic's app): the address is the permission.
    return photoResponse(out.value, {
      'cache-control': PHOTO_IMMUTABLE,
      'cross-origin-resource-policy': 'cross-origin',
      'referrer-policy': 'no-referrer',
    });
  });
}
