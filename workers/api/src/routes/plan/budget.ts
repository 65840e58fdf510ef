import { readPlanBudget } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PlanBudgetSchema, planBudgetJson } from './agenda-schema';

const Month = z.string().regex(/^\d{4}-\d{2}$/, 'must be a month as YYYY-MM');

export const route = createRoute({
  method: 'get',
  path: '/v1/plan/budget',
  operationId: 'getPlanBudget',
  tags: ['Plan'],
  summary: 'The plan’s budget month by month: gifts planned and given, and interactions by channel',
  description:
    'For each month (the month items are due, in the clinic’s timezone): the gifts still planned and those given, with their cost in minor units, the cost of every item, and the items planned, done and skipped per channel. By default this month and the 11 after it; at most 24 months. Read from figures kept with every item. Owners and managers (and API keys).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: z.object({
      from: Month.optional().openapi({ example: '2026-11' }),
      to: Month.optional().openapi({ example: '2027-10' }),
    }),
  },
  responses: { 200: jsonContent(PlanBudgetSchema, 'The months asked'), ...commonErrors },
});

export function registerPlanBudget(app: App) {
  app.openapi(route, async (c) => {
    const out = await readPlanBudget(c.var.deps, { clinic: orgOf(c), ...c.req.valid('query') });
    if (!out.ok) return refusal(c, out.error);
    return c.json(planBudgetJson(out.value), 200);
  });
}
