import { MONTH_PATTERN } from '@gratia/core';
import { readInsightOverview } from '@gratia/insight';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { INSIGHT_STYLE, InsightView } from './insight-view';
import { REPORTS_STYLE } from './reports-view';
import { ConsolePage, html, page } from './shell';

// Insight (owners and managers): how the clinic's patients are distributed now (A/B/C, loyalty
// quadrants, growth, the win-back list) and month by month (quadrants, their moves, cohorts'
// engagement). One batch after the session check: the clinic's count rows and the months' snapshot
// rows, never a patient's.

const months = (q: Record<string, string>) => ({
  from: q.from && MONTH_PATTERN.test(q.from) ? q.from : undefined,
  to: q.to && MONTH_PATTERN.test(q.to) ? q.to : undefined,
});

export function registerConsoleInsight(app: Hono<AppEnv>) {
  app.get(
    '/console/insight',
    page('insight', async (c, s) => {
      const out = await readInsightOverview(c.var.deps, { clinic: s.principal, ...months(c.req.query()) });
      const overview = out.ok ? out.value : null;
      return html(
        c,
        <ConsolePage
          title="Insight"
          principal={s.principal}
          csrf={s.session.csrf}
          area="insight"
          style={`${REPORTS_STYLE}${INSIGHT_STYLE}`}
        >
          <h1>Know your patients</h1>
          <form method="get" action="/console/insight" class="row card">
            <div>
              <label for="from">From month</label>
              <input id="from" name="from" type="month" value={overview?.from ?? ''} />
            </div>
            <div>
              <label for="to">To month</label>
              <input id="to" name="to" type="month" value={overview?.to ?? ''} />
            </div>
            <button type="submit">Show</button>
          </form>
          {overview ? (
            <InsightView
              overview={overview}
              links={
                <p>
                  <a href="/console/segments">Segments and personas</a>
                  {' · '}
                  <a href="/console/insight/settings">A/B/C thresholds and gift budgets</a>
                  {' · '}
                  Months in {overview.timezone} time; this month's figures are so far.
                </p>
              }
            />
          ) : (
            <p class="status bad" role="alert">
              {!out.ok ? out.error.detail : ''}. Choose at most 24 months, the first before the last.
            </p>
          )}
        </ConsolePage>,
        overview ? 200 : 400,
      );
    }),
  );
}
