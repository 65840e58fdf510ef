import { ApiError } from '@gratia/core';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { readCappedText } from '../lib/body';

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * The one exception: routes whose body is not JSON, read by the route itself under its own cap (after
 * the key check, which its authorize middleware makes first): an offer's photo, raw image bytes of up to
 * 2 MB (`routes/offers/photo-put.ts`).
 */
const RAW_BODY_ROUTES: readonly { method: string; path: RegExp }[] = [
  { method: 'PUT', path: /^\/v1\/offers\/[^/]+\/photo$/ },
];

/**
 * Guards every body-carrying request before any route sees it: a body must be JSON, at most
 * MAX_BODY_BYTES, and parse. Each failure is a distinct 4xx code, so a client can tell a typo in the
 * header from a truncated payload. The parsed text stays cached on the request for the validators.
 * A refused body is answered by the route's authorize middleware once the key is known to be good,
 * so an unknown key learns nothing about the route from its body (401 first).
 */
export const jsonBodyGuard = createMiddleware<AppEnv>(async (c, next) => {
  try {
    await checkBody(c);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    c.set('bodyProblem', e);
  }
  return next();
});

async function checkBody(c: Context<AppEnv>): Promise<void> {
  const method = c.req.method;
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return;
  if (RAW_BODY_ROUTES.some((r) => r.method === method && r.path.test(c.req.path))) return;

  // Read at most the limit, declared length or not (a chunked body declares none).
  const text = await readCappedText(c, MAX_BODY_BYTES);
  if (text === null) throw new ApiError('payload_too_large', `Bodies are limited to ${MAX_BODY_BYTES} bytes`);
  if (text.trim() === '') return;

  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(
      'unsupported_media_type',
      `Send the body as application/json (got ${mediaType || 'no content type'})`,
    );
  }
  try {
    JSON.parse(text);
  } catch (e) {
    throw new ApiError('malformed_json', `The body is not valid JSON: ${(e as Error).message}`);
  }
}
