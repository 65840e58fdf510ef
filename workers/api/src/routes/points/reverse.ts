import { isId, toIso } from '@gratia/core';
import { liveBalance, POINT_REVERSAL_WINDOW_MS, pointReversalStatements } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { App } from '../../app';
import { pointMoneyOf } from '../../lib/points';
import { problem } from '../../lib/problem';
import { reversalRefusal } from '../../lib/reversal';
import { commonErrors, IdParam, jsonContent, problemResponses, TimestampSchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { PointRedemptionSchema, pointRedemptionJson } from './schema';

const Reversed = PointRedemptionSchema.extend({
  reversed_at: TimestampSchema,
  balance_after: z.number().int().openapi({ description: 'The card’s spendable balance after the reversal' }),
}).openapi('PointRedemptionReversal');

export const route = createRoute({
  method: 'post',
  path: '/v1/points/redemptions/{id}/reversal',
  tags: ['Bonus points'],
  summary: 'Undo a points redemption within 24 hours',
  description:
    'Only the clinic or partner that honoured the points may reverse them, once. The points go back to the lots they came from, with their original expiry.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic', 'partner'), idempotency] as const,
  request: { params: IdParam('Points redemption id', 'ptr_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(Reversed, 'The reversed redemption'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerReversePointRedemption(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const org = orgOf(c);
    if (!isId('ptr', id)) return problem(c, 'redemption_not_found', `No points redemption ${id}`);
    const { db, clock } = c.var;
    const now = clock.now();
    const { reversalId, statements } = pointReversalStatements(db, {
      redemptionId: id,
      organizationId: org.organizationId,
      apiKeyId: org.keyId,
      money: pointMoneyOf(c),
      now,
    });
    const [, , , , , redemption, reversal, live] = await db.batch([
      ...statements,
      db
        .select({
          live: sql<number>`${liveBalance(sql`(select r.patient_id from point_redemptions r where r.id = ${id})`, now)}`.as(
            'live',
          ),
        })
        .from(sql`(select 1)`),
    ]);
    const r = redemption[0];
    const v = reversal[0];
    const refusal = reversalRefusal(Boolean(r), v, reversalId);
    if (refusal || !r || !v)
      return problem(
        c,
        refusal ?? 'redemption_not_found',
        {
          redemption_not_found: `No points redemption ${id}`,
          reversal_window_closed: 'Points redemptions can be reversed for 24 hours',
          redemption_already_reversed: `Reversed at ${v ? toIso(v.reversedAt) : ''}`,
        }[refusal ?? 'redemption_not_found'],
      );
    return c.json(
      {
        ...pointRedemptionJson(r, live[0]?.live ?? 0, POINT_REVERSAL_WINDOW_MS),
        reversed_at: toIso(v.reversedAt),
      },
      200,
    );
  });
}
