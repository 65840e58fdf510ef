import { listProgramVersions, pointMoney } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { LoyaltyProgramSchema, programJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/loyalty_program/versions',
  operationId: 'listLoyaltyProgramVersions',
  tags: ['Bonus points'],
  summary: "Every version of the clinic's bonus-programme rules, newest first",
  description:
    'What the `program_version` of a visit or a statement entry refers to. Version 0, the network default, is listed last (it applied until the first version was set).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: {
    200: jsonContent(z.object({ data: z.array(LoyaltyProgramSchema) }), 'The versions'),
    ...commonErrors,
  },
});

export function registerListLoyaltyProgramVersions(app: App) {
  app.openapi(route, async (c) => {
    const versions = await listProgramVersions(c.var.deps, { clinic: orgOf(c) });
    const money = pointMoney(c.var.deps.config);
    return c.json({ data: versions.map((r) => programJson(r, money)) }, 200);
  });
}
