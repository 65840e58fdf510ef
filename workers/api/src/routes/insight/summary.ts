import { readInsightSummary } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorizeDeferred } from '../../middleware/auth';
import { InsightSummarySchema, insightSummaryJson } from './overview-schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/insight/summary',
  operationId: 'getInsightSummary',
  tags: ['Insight'],
  summary: 'How the clinic’s patients are distributed now',
  description:
    'Patients per A/B/C class, loyalty quadrant and spend growth, and how many are on the win-back list, as of now. Counted as each patient’s insight changes, so the answer is a few rows whatever the number of patients, read in one D1 round trip.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic')] as const,
  responses: { 200: jsonContent(InsightSummarySchema, 'The distributions'), ...commonErrors },
});

export function registerInsightSummary(app: App) {
  app.openapi(route, async (c) => {
    const out = await readInsightSummary(c.var.deps, { caller: c.var.caller });
    if (!out.ok) return refusal(c, out.error);
    return c.json(insightSummaryJson(out.value), 200);
  });
}
