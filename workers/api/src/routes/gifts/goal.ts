import { rewardGoal } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PointsGoalSchema, pointsGoalJson, TierGoalSchema, tierGoalJson } from './schema';

const Answer = z
  .object({
    patient_id: z.string(),
    currency: z.string(),
    discount_bps: z.number().int().openapi({ description: 'The discount tier reached' }),
    // Unions with null, not .nullable(): that would carry the component's name and make it nullable.
    tier: z.union([TierGoalSchema, z.null()]).openapi({
      description: 'The next discount tier; null at the top or without tiers',
    }),
    points: z.union([PointsGoalSchema, z.null()]).openapi({
      description: 'Points for the cheapest of the best gift suggestions; null without one',
    }),
  })
  .openapi('RewardGoal');

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/reward_goal',
  operationId: 'getRewardGoal',
  tags: ['Patients'],
  summary: 'The patient’s next reward goals, with progress',
  description:
    'The next discount tier of the clinic’s programme (spend still needed), and the points still needed for the cheapest of the patient’s best gift suggestions.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(Answer, 'The goals'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerRewardGoal(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await rewardGoal(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    const g = out.value;
    return c.json(
      {
        patient_id: id,
        currency: g.currency,
        discount_bps: g.discountBps,
        tier: g.tier ? tierGoalJson(g.tier) : null,
        points: g.points ? pointsGoalJson(g.points) : null,
      },
      200,
    );
  });
}
