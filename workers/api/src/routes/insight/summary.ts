import { readInsightSummary } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { InsightSummarySchema, insightSummaryJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/insight/summary',
  operationId: 'getInsightSummary',
  tags: ['Insight'],
  summary: 'How the clinic’s patients are distributed now',
  description:
    'Patients per A/B/C class, loyalty quadrant and spend growth, and how many are on the win-back list, as of now. Counted as each patient’s insight changes, so the answer is a few rows whatever the number of patients.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(InsightSummarySchema, 'The distributions'), ...commonErrors },
});

export function registerInsightSummary(app: App) {
  app.openapi(route, async (c) => {
    const clinic = orgOf(c);
    const summary = await readInsightSummary(c.var.deps, { clinic });
    return c.json(insightSummaryJson(clinic.organizationId, summary), 200);
  });
}
