import { type Clock, newId } from '@gratia/core';
import { createDb, type Deps, meteredD1, newMeter, serverTiming } from '@gratia/db';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { networkConfig } from '../lib/config';
import { queueDispatcher } from '../lib/messaging';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Local end-to-end runs only: with ALLOW_TEST_CLOCK=1 (never set by wrangler.toml, so never in a
 * deployment), a request may say what time it is (`x-test-now`, ISO 8601), so a test can live through
 * a month and its close against `wrangler dev`.
 */
function testClock(env: AppEnv['Bindings'], header: string | undefined, url: string): Clock | null {
  if (env?.ALLOW_TEST_CLOCK !== '1' || !header) return null;
  // Belt and braces, should the variable ever be set on a deployment: only a local server, reached on
  // loopback over plain HTTP, honours it.
  const { hostname } = new URL(url);
  const local = hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
  if (!local || env.PUBLIC_BASE_URL?.startsWith('https:')) return null;
  const at = Date.parse(header);
  if (!Number.isFinite(at)) return null;
  console.warn(JSON.stringify({ level: 'warn', event: 'test_clock', now: header }));
  return { now: () => at };
}

/**
 * Runs first on every request: assigns the request id (a caller's own, when it is sane, so traces join
 * up), builds the per-request services (`deps`, what every use case is given), and stamps
 * `x-request-id` on whatever the response is.
 */
export const requestContext = (systemClock: Clock) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    let clock = systemClock;
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : newId('req', clock.now());
    c.set('requestId', requestId);
    clock = testClock(c.env, c.req.header('x-test-now'), c.req.url) ?? clock;
    c.set('clock', clock);
    // Benchmarks only: a probe request asks for its D1 cost in Server-Timing.
    const meter = c.env.EXPOSE_D1_METRICS === '1' && c.req.header('x-debug-d1') === '1' ? newMeter() : null;
    const db = createDb(meter ? meteredD1(c.env.DB, meter) : c.env.DB);
    c.set('db', db);
    const deps: Deps = {
      db,
      clock,
      config: networkConfig(c.env, new URL(c.req.url).origin),
      log: (event) => console.log(JSON.stringify({ ...event, request_id: requestId })),
      defer: (work) => {
        try {
          c.executionCtx.waitUntil(work);
        } catch {
          // app.request() in tests has no execution context; the work still runs.
        }
      },
    };
    // Message ids a batch wrote go to the delivery queue after the response (issue 13).
    deps.dispatch = queueDispatcher(c.env, deps);
    c.set('deps', deps);
    await next();
    if (meter) c.res.headers.append('server-timing', serverTiming(meter));
    c.res.headers.set('x-request-id', requestId);
  });
