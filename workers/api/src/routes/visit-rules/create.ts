import { toMillis } from '@gratia/core';
import { createVisitRule } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses, TimestampSchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { RewardSpecSchema, rewardSpecOf, VisitRuleSchema, visitRuleJson, WindowDaysSchema } from './schema';

const Body = z
  .object({
    name: z.string().trim().min(1).max(80).openapi({ example: 'The 5th visit is on us' }),
    every_visits: z.number().int().min(2).max(100).openapi({ example: 5 }),
    window_days: WindowDaysSchema.optional(),
    reward: RewardSpecSchema,
    starts_at: TimestampSchema.pipe(z.iso.datetime({ offset: true }))
      .optional()
      .openapi({ description: 'Paid visits from this instant on count (default: now)' }),
  })
  .strict()
  .openapi('CreateVisitRule');

export const route = createRoute({
  method: 'post',
  path: '/v1/visit-rules',
  operationId: 'createVisitRule',
  tags: ['Visit rewards'],
  summary: 'Start an every-Nth-visit offer ("the 5th visit is on us")',
  description:
    'Every `every_visits` paid visits (within `window_days`) earn the reward once, in the batch of the visit that completes them. Owners and managers; at most 5 active rules per clinic (`visit_rule_limit`).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(VisitRuleSchema, 'The rule'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerCreateVisitRule(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await createVisitRule(c.var.deps, {
      clinic: orgOf(c),
      name: b.name,
      everyVisits: b.every_visits,
      windowDays: b.window_days ?? null,
      reward: rewardSpecOf(b.reward),
      startsAt: b.starts_at === undefined ? undefined : toMillis(b.starts_at),
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(visitRuleJson(out.value), 201);
  });
}
