import { updateVisitRule } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { VisitRuleSchema, visitRuleJson, WindowDaysSchema } from './schema';

const Body = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    active: z.boolean().optional().openapi({ description: 'false ends the offer; punches and rewards stay' }),
    window_days: WindowDaysSchema.optional(),
  })
  .strict()
  .openapi('UpdateVisitRule');

export const route = createRoute({
  method: 'patch',
  path: '/v1/visit-rules/{id}',
  operationId: 'updateVisitRule',
  tags: ['Visit rewards'],
  summary: 'Rename, deactivate or re-activate a visit rule, or change its window',
  description:
    'Only the fields given change. Re-activating counts against the limit of 5 active rules (`visit_rule_limit`). Owners and managers.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Visit rule id', 'vrl_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(VisitRuleSchema, 'The rule'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerUpdateVisitRule(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await updateVisitRule(c.var.deps, {
      clinic: orgOf(c),
      id,
      name: b.name,
      active: b.active,
      windowDays: b.window_days,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(visitRuleJson(out.value), 200);
  });
}
