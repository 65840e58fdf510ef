import { loyaltyPrograms } from '@gratia/db';
import { rulesFromRow } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import type { App } from '../../app';
import { pointMoneyOf } from '../../lib/points';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { LoyaltyProgramSchema, programJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/loyalty_program/versions',
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
    const clinic = orgOf(c);
    const currency = clinic.organization.currency;
    const rows = await c.var.db
      .select()
      .from(loyaltyPrograms)
      .where(eq(loyaltyPrograms.clinicId, clinic.organizationId))
      .orderBy(desc(loyaltyPrograms.version));
    const money = pointMoneyOf(c);
    return c.json(
      {
        data: [...rows.map((r) => rulesFromRow(r, currency)), rulesFromRow(undefined, currency)].map((r) =>
          programJson(r, money),
        ),
      },
      200,
    );
  });
}
