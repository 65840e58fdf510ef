import { REVERSAL_WINDOW_TEXT, toIso } from '@gratia/core';
import { reverseRedemption } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  MoneySchema,
  problemResponses,
  ReceiptSchema,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';

const Reversal = z
  .object({
    id: z.string(),
    redemption_id: z.string(),
    voucher_id: z.string(),
    amount: MoneySchema,
    reversed_at: TimestampSchema,
    receipt: ReceiptSchema,
  })
  .openapi('RedemptionReversal');

export const route = createRoute({
  method: 'post',
  path: '/v1/redemptions/{id}/reversal',
  operationId: 'reverseRedemption',
  tags: ['Vouchers'],
  summary: `Undo a redemption within ${REVERSAL_WINDOW_TEXT} (the redeeming partner only); the voucher or its value is usable again`,
  security: [{ bearer: [] }],
  middleware: [authorize('partner'), idempotency] as const,
  request: { params: IdParam('Redemption id', 'red_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(Reversal, 'The reversal'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerReverseRedemption(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await reverseRedemption(c.var.deps, { caller: c.var.caller, redemptionId: id });
    if (!out.ok) return refusal(c, out.error);
    const r = out.value.reversal;
    return c.json(
      {
        id: r.id,
        redemption_id: r.redemptionId,
        voucher_id: r.voucherId,
        amount: { amount: r.amount, currency: r.currency },
        reversed_at: toIso(r.reversedAt),
        receipt: out.value.receipt,
      },
      200,
    );
  });
}
