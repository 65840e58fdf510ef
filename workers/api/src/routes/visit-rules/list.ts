import { listVisitRules } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { VisitRuleSchema, visitRuleJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/visit-rules',
  operationId: 'listVisitRules',
  tags: ['Visit rewards'],
  summary: 'The clinic’s every-Nth-visit rules, active first',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: {
    200: jsonContent(z.object({ data: z.array(VisitRuleSchema) }).openapi('VisitRuleList'), 'The rules'),
    ...commonErrors,
  },
});

export function registerListVisitRules(app: App) {
  app.openapi(route, async (c) => {
    const rules = await listVisitRules(c.var.deps, { clinic: orgOf(c) });
    return c.json({ data: rules.map(visitRuleJson) }, 200);
  });
}
