import { redeemVoucher } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  jsonBody,
  jsonContent,
  MoneySchema,
  problemResponses,
  ReceiptSchema,
} from '../../lib/schemas';
import { authorizeDeferred } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { TokenSchema } from '../vouchers/schema';
import { RedemptionSchema, redemptionJson } from './schema';

const Body = z
  .object({
    token: TokenSchema,
    amount: MoneySchema.optional().openapi({
      description: 'For stored value: the amount to take (partial allowed); default all that remains',
    }),
  })
  .strict()
  .openapi('Redeem');

export const route = createRoute({
  method: 'post',
  path: '/v1/redemptions',
  operationId: 'redeemVoucher',
  tags: ['Vouchers'],
  summary: 'Redeem a voucher, exactly once',
  description:
    'The status change and the redemption record are one D1 batch guarded by the database, so concurrent or retried requests can never redeem twice or overdraw stored value. One D1 round trip (three with an Idempotency-Key).',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('partner'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(
      RedemptionSchema.extend({ remaining: MoneySchema.nullable(), receipt: ReceiptSchema }),
      'The redemption, with its signed receipt',
    ),
    ...commonErrors,
    ...problemResponses(404, 409, 410, 422),
  },
});

export function registerRedeem(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await redeemVoucher(c.var.deps, { caller: c.var.caller, token: b.token, amount: b.amount });
    if (!out.ok) return refusal(c, out.error);
    const v = out.value.voucher;
    const remaining = v.kind === 'value' ? { amount: v.remainingAmount, currency: v.currency } : null;
    return c.json({ ...redemptionJson(out.value.redemption), remaining, receipt: out.value.receipt }, 201);
  });
}
