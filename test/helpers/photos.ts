import { env } from 'cloudflare:workers';
import type { Client } from './api';

// Offer photos for tests: small real images of each accepted type, and the upload as an API client
// sends it (the image's own bytes as the body, not JSON).

const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));

/** A 1×1 PNG. */
export const PNG = fromBase64(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
);
/** A 1×1 WebP (lossy). */
export const WEBP = fromBase64('UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=');
/** The head of a JPEG file (start of image, then the JFIF segment): the type is told by these bytes. */
export const JPEG = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48,
  0x00, 0x00, 0xff, 0xd9,
]);
/** A 1×1 GIF: an image, but not one of the accepted types. */
export const GIF = fromBase64('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==');

/** `bytes` bytes that start like a PNG (only the start is read to tell the type). */
export function pngOfSize(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out.set(PNG.slice(0, Math.min(PNG.length, bytes)));
  return out;
}

export async function putPhoto(
  api: Client,
  token: string,
  offerId: string,
  body: Uint8Array | ReadableStream<Uint8Array>,
  contentType: string | null = 'image/png',
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (contentType) headers['content-type'] = contentType;
  const res = await api.app.request(
    `https://gratia.test/v1/offers/${offerId}/photo`,
    // @ts-expect-error: a streamed request body needs duplex in the Fetch spec
    { method: 'PUT', headers, body, duplex: 'half' },
    env,
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
}

/** The keys of the photo objects stored under a partner (all of its offers). */
export async function storedPhotos(partnerId: string): Promise<string[]> {
  const listed = await env.OFFER_PHOTOS.list({ prefix: `offers/${partnerId}/` });
  return listed.objects.map((o) => o.key);
}

/** A GET of a photo, as bytes. */
export async function getPhoto(api: Client, path: string, headers: Record<string, string> = {}) {
  const res = await api.app.request(`https://gratia.test${path}`, { headers }, env);
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}
