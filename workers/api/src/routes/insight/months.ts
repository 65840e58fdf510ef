import { readInsightMonths } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { ReportQuery } from '../reports/schema';
import { InsightMonthsSchema, insightMonthsJson } from './overview-schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/insight/months',
  operationId: 'getInsightMonths',
  tags: ['Insight'],
  summary: 'The clinic’s patients month by month: quadrants, moves, A/B/C, cohorts’ engagement',
  description:
    'From the monthly snapshots, in the clinic’s timezone: patients per loyalty quadrant and A/B/C class, how patients moved between quadrants from the month before (`from` → `to`), and each cohort’s (month of first visit) average engagement. The current month is so far. A month without a snapshot is zeros (`snapshot: false`). At most 24 months; one row per figure, whatever the clinic’s history.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ReportQuery },
  responses: { 200: jsonContent(InsightMonthsSchema, 'The months asked'), ...commonErrors },
});

export function registerInsightMonths(app: App) {
  app.openapi(route, async (c) => {
    const clinic = orgOf(c);
    const out = await readInsightMonths(c.var.deps, { clinic, ...c.req.valid('query') });
    if (!out.ok) return refusal(c, out.error);
    return c.json(insightMonthsJson(clinic.organizationId, out.value), 200);
  });
}
