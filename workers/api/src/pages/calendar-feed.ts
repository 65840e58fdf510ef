import { readCalendarFeed } from '@gratia/plan';
import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { problem } from '../lib/problem';
import { STATIC_PAGE_HEADERS } from './static-headers';

// A staff member's iCalendar feed, at its secret address: no session (calendar apps have none), the
// token is the credential. An unknown, replaced or revoked token is a 404 problem; the token is 192
// random bits, so there is nothing to guess.

export function registerCalendarFeedPage(app: Hono<AppEnv>) {
  app.get('/calendar/:file{[A-Za-z0-9_-]{1,64}\\.ics}', async (c) => {
    const token = c.req.param('file').slice(0, -'.ics'.length);
    const out = await readCalendarFeed(c.var.deps, { token });
    const res = out.ok
      ? c.body(out.value, 200, {
          'content-type': 'text/calendar; charset=utf-8',
          'content-disposition': 'inline; filename="plan.ics"',
        })
      : problem(c, out.error.code, out.error.detail);
    // The pages' headers on the feed and its 404 alike: nothing cached, indexed, framed or referred.
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) res.headers.set(k, v);
    if (out.ok) res.headers.set('cache-control', 'private, no-store');
    return res;
  });
}
