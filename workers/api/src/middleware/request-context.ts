import { type Clock, newId } from '@gratia/core';
import { createDb } from '@gratia/db';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Runs first on every request: assigns the request id (a caller's own, when it is sane, so traces join
 * up), builds the per-request services, and stamps `x-request-id` on whatever the response is.
 */
export const requestContext = (clock: Clock) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : newId('req', clock.now());
    c.set('requestId', requestId);
    c.set('clock', clock);
    c.set('db', createDb(c.env.DB));
    await next();
    c.res.headers.set('x-request-id', requestId);
  });
