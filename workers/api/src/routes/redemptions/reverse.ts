import { toIso } from '@gratia/core';
import { reverseStatements } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { reversalRefusal } from '../../lib/reversal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  MoneySchema,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';

const Reversal = z
  .object({
    id: z.string(),
    redemption_id: z.string(),
    voucher_id: z.string(),
    amount: MoneySchema,
    reversed_at: TimestampSchema,
  })
  .openapi('RedemptionReversal');

export const route = createRoute({
  method: 'post',
  path: '/v1/redemptions/{id}/reversal',
  tags: ['Vouchers'],
  summary:
    'Undo a redemption within 24 hours (the redeeming partner only); the voucher or its value is usable again',
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
    const partner = orgOf(c);
    const { db, clock } = c.var;
    const now = clock.now();
    const { reversalId, statements } = reverseStatements(db, {
      redemptionId: id,
      partnerId: partner.organizationId,
      now,
    });
    const [, , redemption, reversal] = await db.batch([...statements]);
    const r = reversal[0];
    const refusal = reversalRefusal(Boolean(redemption[0]), r, reversalId);
    if (refusal || !r)
      return problem(
        c,
        refusal ?? 'redemption_not_found',
        {
          redemption_not_found: `No redemption ${id}`,
          reversal_window_closed: 'Redemptions can be reversed within 24 hours',
          redemption_already_reversed: `Redemption ${id} was reversed at ${r ? toIso(r.reversedAt) : ''}`,
        }[refusal ?? 'redemption_not_found'],
      );
    return c.json(
      {
        id: r.id,
        redemption_id: r.redemptionId,
        voucher_id: r.voucherId,
        amount: { amount: r.amount, currency: r.currency },
        reversed_at: toIso(r.reversedAt),
      },
      200,
    );
  });
}
