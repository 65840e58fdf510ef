import { REVERSAL_WINDOW_MS } from '@gratia/core';
import { spendPoints } from '@gratia/points';
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
import { PointRedemptionSchema, pointRedemptionJson } from './schema';

const Body = z
  .object({
    card_number: z.string().regex(/^\d{16}$/, 'must be the 16 digits of the card'),
    points: z.number().int().min(1).max(1_000_000_000),
    reference: z.string().trim().min(1).max(200).optional().openapi({
      description:
        'Your own id for the sale: sending it again returns the first redemption instead of spending twice',
    }),
    bill: MoneySchema.optional().openapi({
      description:
        'The bill the points pay towards, in the network currency; checked against the issuing clinic’s maximum share',
    }),
  })
  .strict()
  .openapi('RedeemPoints');

export const route = createRoute({
  method: 'post',
  path: '/v1/points/redemptions',
  operationId: 'spendPoints',
  tags: ['Bonus points'],
  summary: 'Spend points from a card, at a clinic or a partner',
  description:
    'Takes the points from the card’s lots, first to expire first, in one D1 batch decided by the database: never a negative balance, whatever the concurrency. Points honoured by anyone but the issuing clinic become what that clinic owes the honouring party (`payable`). One D1 round trip (three with an Idempotency-Key).',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic', 'partner'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(
      PointRedemptionSchema.extend({ receipt: ReceiptSchema }),
      'The redemption, with its signed receipt',
    ),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerRedeemPoints(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await spendPoints(c.var.deps, {
      caller: c.var.caller,
      cardNumber: b.card_number,
      points: b.points,
      reference: b.reference ?? null,
      bill: b.bill ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    if (out.value.replayed) c.header('idempotent-replayed', 'true');
    return c.json(
      {
        ...pointRedemptionJson(out.value.redemption, out.value.balanceAfter, REVERSAL_WINDOW_MS),
        receipt: out.value.receipt,
      },
      201,
    );
  });
}
