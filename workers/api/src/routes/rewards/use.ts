import { useReward } from '@gratia/loyalty';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { RewardSchema, rewardJson } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/v1/rewards/{id}/use',
  operationId: 'useReward',
  tags: ['Rewards'],
  summary: 'Use an available discount on today’s visit',
  description:
    'Exactly once, however many requests race: the reward must be a discount kept `available` for a later visit; otherwise 409 `reward_not_available` (used already, or not such a discount). Every clinic role may.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Reward id', 'rwd_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(RewardSchema, 'The reward, now used'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerUseReward(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await useReward(c.var.deps, { clinic: orgOf(c), rewardId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(rewardJson(out.value), 200);
  });
}
