import { PHOTO_MAX_BYTES, PHOTO_TYPES, setOfferPhoto } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { readCappedBytes } from '../../lib/body';
import { problem } from '../../lib/problem';
import { refusal } from '../../lib/refusal';
import { IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { OfferSchema, offerJson } from './schema';

/** What an upload may declare itself as; the bytes decide what it is. */
const DECLARED_TYPES = [...PHOTO_TYPES, 'application/octet-stream'];
const Photo = z.string().openapi({ format: 'binary' });

export const route = createRoute({
  method: 'put',
  path: '/v1/offers/{id}/photo',
  operationId: 'setOfferPhoto',
  tags: ['Catalogue'],
  summary: "Set or replace an offer's photo",
  description:
    'The body is the image itself (not JSON): a JPEG, PNG or WebP of at most 2 MB (2,097,152 bytes), recognised by its bytes. The photo replaces any earlier one, which is deleted. Sending the same bytes again changes nothing and answers the same offer. Partner keys and partner owners only (a partner staff member of the `staff` role is refused).',
  security: [{ bearer: [] }],
  middleware: [authorize('partner')] as const,
  request: {
    params: IdParam('Offer id', 'off_01JD0000000000000000000000'),
    body: {
      required: true,
      content: Object.fromEntries(DECLARED_TYPES.map((t) => [t, { schema: Photo }])),
    },
  },
  responses: {
    200: jsonContent(OfferSchema, 'The offer, with its new photo_url'),
    ...problemResponses(400, 401, 403, 404),
    413: { ...problemResponses(413)[413], description: 'The photo is larger than 2 MB (photo_too_large)' },
    415: {
      ...problemResponses(415)[415],
      description: 'Not a JPEG, PNG or WebP image, or declared as another type (unsupported_image)',
    },
  },
});

export function registerSetOfferPhoto(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const declared = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (declared && !DECLARED_TYPES.includes(declared))
      return problem(
        c,
        'unsupported_image',
        `Send the photo's bytes as image/jpeg, image/png or image/webp (got ${declared.slice(0, 100)})`,
      );
    const photo = await readCappedBytes(c, PHOTO_MAX_BYTES);
    if (photo === null)
      return problem(c, 'photo_too_large', `A photo may be ${PHOTO_MAX_BYTES} bytes (2 MB) at most`);
    const out = await setOfferPhoto(c.var.deps, {
      partner: orgOf(c),
      offerId: id,
      photo,
      store: c.env.OFFER_PHOTOS,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(offerJson(out.value, c.var.deps.config.baseUrl), 200);
  });
}
