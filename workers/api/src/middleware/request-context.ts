import { type Clock, newId } from '@gratia/core';
import { createDb, meteredD1, newMeter, serverTiming } from '@gratia/db';
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
    if (c.env.EXPOSE_D1_METRICS === '1' && c.req.header('x-debug-d1') === '1') {
      // Benchmarks only: a probe request asks for its D1 cost in Server-Timing.
      const meter = newMeter();
      c.set('db', createDb(meteredD1(c.env.DB, meter)));
      await next();
      c.res.headers.append('server-timing', serverTiming(meter));
    } else {
      c.set('db', createDb(c.env.DB));
      await next();
    }
    c.res.headers.set('x-request-id', requestId);
  });
