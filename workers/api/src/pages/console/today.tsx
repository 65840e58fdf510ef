import { formatMoney } from '@gratia/core';
import { buildCallList } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { ConsolePage, html, page } from './shell';

// Today: who to call before their points lapse this month.

/** Whole days from now to the end of this month in the clinic's timezone (at least 1). */
export function daysLeftInMonth(now: number, timeZone: string): number {
  const local = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(new Date(now))
    .split('-')
    .map(Number) as [number, number, number];
  const [y, m, d] = local;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Math.max(1, lastDay - d + 1);
}

export function registerConsoleToday(app: Hono<AppEnv>) {
  app.get(
    '/console',
    page('today', async (c, s) => {
      const p = s.principal;
      const list = await buildCallList(c.var.deps, {
        clinic: p,
        withinDays: daysLeftInMonth(c.var.clock.now(), p.organization.timezone),
        after: null,
        limit: 50,
      });
      return html(
        c,
        <ConsolePage title="Today" principal={p} csrf={s.session.csrf} area="today">
          <h1>Today</h1>
          <section class="card">
            <h2>Call list: points expiring this month</h2>
            {list.entries.length === 0 ? (
              <p class="muted">No one's points expire this month.</p>
            ) : (
              <ul class="plain">
                {list.entries.map((e) => (
                  <li>
                    <span>
                      <a href={`/console/patients/${e.patientId}`}>
                        {e.firstName} {e.lastName}
                      </a>{' '}
                      {e.phone ?? e.email ?? ''}
                    </span>
                    <span class="num">
                      {e.pointsExpiring.toLocaleString('en-GB')} points ·{' '}
                      {formatMoney(
                        e.pointsExpiring * c.var.deps.config.pointValue,
                        c.var.deps.config.currency,
                      )}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </ConsolePage>,
      );
    }),
  );
}
