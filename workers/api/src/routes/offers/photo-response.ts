import { type OfferPhoto, PHOTO_TYPES } from '@gratia/network';
import { z } from '@hono/zod-openapi';

// How a photo is answered, by the key route and the public address alike: its own type (read from the
// bytes when it was stored), its digest as the ETag, and a 304 for a caller who holds it already.

/** The digests an If-None-Match header names (`"<sha-256 hex>"`, weak or not). */
export const cachedDigests = (header: string | undefined): string[] =>
  [...(header ?? '').slice(0, 2000).matchAll(/"([0-9a-f]{64})"/g)].map((m) => m[1]!);

/** An image never runs as anything else, whatever a browser makes of it. */
const IMAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
};

export function photoResponse(photo: OfferPhoto, headers: Record<string, string>): Response {
  const common = { ...IMAGE_HEADERS, ...headers, etag: `"${photo.digest}"` };
  if (!photo.body) return new Response(null, { status: 304, headers: common });
  return new Response(photo.body, {
    status: 200,
    headers: { ...common, 'content-type': photo.type, 'content-length': String(photo.size) },
  });
}

const Image = z.string().openapi({ format: 'binary' });

/** The 200 and 304 of a photo, for a route's `responses`. */
export const photoResponses = (cacheControl: string) => ({
  200: {
    description: 'The photo',
    headers: {
      etag: { schema: { type: 'string' as const }, description: 'The SHA-256 of the bytes, quoted' },
      'cache-control': { schema: { type: 'string' as const, example: cacheControl } },
    },
    content: Object.fromEntries(PHOTO_TYPES.map((t) => [t, { schema: Image }])),
  },
  304: { description: 'Not modified: If-None-Match named this photo' },
});
