import { isId, REVERSAL_WINDOW_MS, REVERSAL_WINDOW_TEXT, toIso } from '@gratia/core';
import { reversePointSpend } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  problemResponses,
  ReceiptSchema,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { PointRedemptionSchema, pointRedemptionJson } from './schema';

const Reversed = PointRedemptionSchema.extend({
  reversed_at: TimestampSchema,
  receipt: ReceiptSchema,
  balance_after: z.number().int().openapi({ description: 'The card’s spendable balance after the reversal' }),
}).openapi('PointRedemptionReversal');

export const route = createRoute({
  method: 'post',
  path: '/v1/points/redemptions/{id}/reversal',
  operationId: 'reversePointRedemption',
  tags: ['Bonus points'],
  summary: `Undo a points redemption within ${REVERSAL_WINDOW_TEXT}`,
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
    if (!isId('ptr', id)) return problem(c, 'redemption_not_found', `No points redemption ${id}`);
    const out = await reversePointSpend(c.var.deps, { caller: c.var.caller, redemptionId: id });
    if (!out.ok) return refusal(c, out.error);
    const { redemption, reversal, balanceAfter } = out.value;
    return c.json(
      {
        ...pointRedemptionJson(redemption, balanceAfter, REVERSAL_WINDOW_MS),
        reversed_at: toIso(reversal.reversedAt),
        receipt: out.value.receipt,
      },
      200,
    );
  });
}
