import { MONTH_PATTERN } from '@gratia/core';
import { monthlyReport, monthlyReportCsv } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import {
  CHART_LIBRARY_PATH,
  CHART_LIBRARY_SOURCE,
  CHART_SCRIPT,
  CHART_SCRIPT_PATH,
  REPORTS_STYLE,
  ReportsView,
} from './reports-view';
import { ConsolePage, html, page } from './shell';

// Reports (owners and managers): month by month, from the pre-aggregated figures (one batch reading
// only the months shown), drawn by Chart.js with each chart's table beside it, and as CSV.

const months = (q: Record<string, string>) => ({
  from: q.from && MONTH_PATTERN.test(q.from) ? q.from : undefined,
  to: q.to && MONTH_PATTERN.test(q.to) ? q.to : undefined,
});

export function registerConsoleReports(app: Hono<AppEnv>) {
  app.get(
    '/console/reports',
    page('reports', async (c, s) => {
      const asked = months(c.req.query());
      const out = await monthlyReport(c.var.deps, { clinic: s.principal, ...asked });
      const report = out.ok ? out.value : null;
      const range = report ? `from=${report.from}&to=${report.to}` : '';
      return html(
        c,
        <ConsolePage
          title="Reports"
          principal={s.principal}
          csrf={s.session.csrf}
          area="reports"
          style={REPORTS_STYLE}
        >
          <h1>Reports</h1>
          <form method="get" action="/console/reports" class="row card">
            <div>
              <label for="from">From month</label>
              <input id="from" name="from" type="month" value={report?.from ?? ''} />
            </div>
            <div>
              <label for="to">To month</label>
              <input id="to" name="to" type="month" value={report?.to ?? ''} />
            </div>
            <button type="submit">Show</button>
          </form>
          {report ? (
            <ReportsView report={report} csvHref={`/console/reports.csv?${range}`} />
          ) : (
            <p class="status bad" role="alert">
              {!out.ok ? out.error.detail : ''} Choose at most 24 months, the first before the last.
            </p>
          )}
        </ConsolePage>,
        report ? 200 : 400,
      );
    }),
  );

  app.get(
    '/console/reports.csv',
    page('reports', async (c, s) => {
      const out = await monthlyReport(c.var.deps, { clinic: s.principal, ...months(c.req.query()) });
      if (!out.ok) return c.text(out.error.detail ?? 'Not a valid range of months', 400);
      const r = out.value;
      return new Response(monthlyReportCsv(r), {
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="report-${r.from}-to-${r.to}.csv"`,
          'cache-control': 'no-store',
        },
      });
    }),
  );

  app.get(CHART_LIBRARY_PATH, (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(CHART_LIBRARY_SOURCE);
  });
  app.get(CHART_SCRIPT_PATH, (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=300');
    return c.body(CHART_SCRIPT);
  });
}
