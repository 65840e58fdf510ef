import { monthlyReport, monthlyReportCsv } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { MonthlyReportSchema, monthlyReportJson, ReportQuery } from './schema';

const DESCRIPTION =
  'Month by month in the clinic’s timezone: points issued, spent, given back and expired, the points still outstanding and their value (the liability), visits and their revenue, gifts issued, redeemed, voided and lapsed (breakage) with the redemption rate, and active patients. Read from figures kept with every record, one row per month: the cost does not grow with the clinic’s history. At most 24 months; a month without activity is zeros.';

export const route = createRoute({
  method: 'get',
  path: '/v1/reports/monthly',
  operationId: 'getMonthlyReport',
  tags: ['Reports'],
  summary: 'The clinic’s monthly report',
  description: DESCRIPTION,
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ReportQuery },
  responses: { 200: jsonContent(MonthlyReportSchema, 'The months asked'), ...commonErrors },
});

export const csvRoute = createRoute({
  method: 'get',
  path: '/v1/reports/monthly.csv',
  operationId: 'getMonthlyReportCsv',
  tags: ['Reports'],
  summary: 'The clinic’s monthly report as CSV',
  description:
    'The same figures as `GET /v1/reports/monthly`, one row per month: RFC 4180 (header row, CRLF), UTF-8 without BOM, money in major units beside its currency, the redemption rate to four decimals (empty when nothing was issued).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ReportQuery },
  responses: {
    200: {
      description: 'The months asked, one row each',
      content: { 'text/csv': { schema: z.string().openapi({ example: 'month,points_issued,...' }) } },
    },
    ...commonErrors,
  },
});

export function registerMonthlyReport(app: App) {
  app.openapi(route, async (c) => {
    const out = await monthlyReport(c.var.deps, { clinic: orgOf(c), ...c.req.valid('query') });
    if (!out.ok) return refusal(c, out.error);
    return c.json(monthlyReportJson(out.value), 200);
  });
  app.openapi(csvRoute, async (c) => {
    const out = await monthlyReport(c.var.deps, { clinic: orgOf(c), ...c.req.valid('query') });
    if (!out.ok) return refusal(c, out.error);
    const r = out.value;
    return new Response(monthlyReportCsv(r), {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="report-${r.from}-${r.to}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
