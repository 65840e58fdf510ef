import { pointMoney, readProgram } from '@gratia/points';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { LoyaltyProgramSchema, programJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/loyalty_program',
  operationId: 'getLoyaltyProgram',
  tags: ['Bonus points'],
  summary: "The clinic's current bonus-programme rules",
  description:
    'Version 0 is the network default (5% back, points valid 180 days) until the clinic sets its own.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(LoyaltyProgramSchema, 'The rules'), ...commonErrors },
});

export function registerGetLoyaltyProgram(app: App) {
  app.openapi(route, async (c) => {
    const rules = await readProgram(c.var.deps, { clinic: orgOf(c) });
    return c.json(programJson(rules, pointMoney(c.var.deps.config)), 200);
  });
}
