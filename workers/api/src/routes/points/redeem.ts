import { POINT_REVERSAL_WINDOW_MS, spendRefusal, spendStatements } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { pointMoneyOf } from '../../lib/points';
import { problem } from '../../lib/problem';
import { commonErrors, jsonBody, jsonContent, MoneySchema, problemResponses } from '../../lib/schemas';
import { authorizeDeferred, keyLookup, resolveDeferred } from '../../middleware/auth';
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
  tags: ['Bonus points'],
  summary: 'Spend points from a card, at a clinic or a partner',
  description:
    'Takes the points from the card’s lots, first to expire first, in one D1 batch decided by the database: never a negative balance, whatever the concurrency. Points honoured by anyone but the issuing clinic become what that clinic owes the honouring party (`payable`). One D1 round trip (three with an Idempotency-Key).',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic', 'partner'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(PointRedemptionSchema, 'The redemption'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerRedeemPoints(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const { db, clock } = c.var;
    const money = pointMoneyOf(c);
    const now = clock.now();
    const input = {
      cardNumber: b.card_number,
      points: b.points,
      keyHash: c.var.keyHash,
      reference: b.reference ?? null,
      billAmount: b.bill?.amount ?? null,
      money,
      now,
    };
    if (b.bill && b.bill.currency !== money.currency) {
      resolveDeferred(c, await keyLookup(db, c.var.keyHash), ['clinic', 'partner']);
      return problem(c, 'currency_mismatch', `Points are valued in the network currency, ${money.currency}`);
    }
    const { redemptionId, statements } = spendStatements(db, input);
    const [keyRows, , , , , , , outcome, card] = await db.batch([
      keyLookup(db, c.var.keyHash),
      ...statements,
    ]);
    resolveDeferred(c, keyRows, ['clinic', 'partner']);
    const state = card[0];
    const done = outcome.find((r) => r.id === redemptionId);
    if (done) return c.json(pointRedemptionJson(done, state?.live ?? 0, POINT_REVERSAL_WINDOW_MS), 201);
    const earlier = outcome[0];
    if (earlier && state && earlier.patientId === state.cardPatientId && earlier.points === b.points) {
      c.header('idempotent-replayed', 'true');
      return c.json(pointRedemptionJson(earlier, state.live, POINT_REVERSAL_WINDOW_MS), 201);
    }
    const code = spendRefusal(input, state, earlier);
    const detail = {
      card_not_found: `No card ${b.card_number} in the network`,
      reference_conflict: `Reference ${b.reference} was already used for another redemption (${earlier?.id})`,
      below_minimum_redemption: `The card's programme takes at least ${state?.minPoints ?? 0} points at a time`,
      exceeds_bill_share: 'The points are worth more than the share of the bill the programme allows',
      insufficient_points: `The card has ${state?.live ?? 0} points to spend`,
    }[code];
    return problem(c, code, detail);
  });
}
