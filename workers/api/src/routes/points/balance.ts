import { toIso } from '@gratia/core';
import { pointMoney, readBalance } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  MoneySchema,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorizeDeferred } from '../../middleware/auth';
import { LotSchema, lotJson, PointsSchema } from './schema';

const Balance = z
  .object({
    patient_id: z.string(),
    card_number: z.string(),
    balance: PointsSchema.openapi({ description: 'Spendable now: the sum of unexpired, unspent lots' }),
    value: MoneySchema.openapi({ description: 'The balance in money' }),
    lots: z.array(LotSchema).openapi({
      description: 'Unexpired lots with points left, first to expire first: the first 50 (see more_lots)',
    }),
    more_lots: z.boolean().openapi({
      description: 'The card has more live lots than `lots` shows; the statement lists every one',
    }),
    next_expiry: z
      .object({ points: PointsSchema, expires_on: z.string(), expires_at: TimestampSchema })
      .nullable(),
    pending_expiry: PointsSchema.openapi({
      description:
        'Points that have lapsed but whose expiry the scheduled job has not booked in the statement yet',
    }),
    lifetime_spend: MoneySchema,
    discount_bps: z.number().int().openapi({ description: 'The discount tier reached by lifetime spend' }),
    earned: PointsSchema,
    spent: PointsSchema,
    expired: PointsSchema.openapi({ description: 'Expiry booked in the statement so far' }),
  })
  .openapi('PointsBalance');

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/points',
  operationId: 'getPointsBalance',
  tags: ['Bonus points'],
  summary: 'A patient’s bonus balance, lots and discount tier',
  description:
    'Expiry is applied as of now whether or not the scheduled job has booked it. One D1 round trip; the rows read are bounded (at most 50 lots are listed), never growing with the history.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: { 200: jsonContent(Balance, 'The balance'), ...commonErrors, ...problemResponses(404) },
});

export function registerGetPointsBalance(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readBalance(c.var.deps, { caller: c.var.caller, patientId: id });
    if (!out.ok) return refusal(c, out.error);
    const b = out.value;
    const money = pointMoney(c.var.deps.config);
    return c.json(
      {
        patient_id: id,
        card_number: b.cardNumber,
        balance: b.balance,
        value: { amount: b.balance * money.pointValue, currency: money.currency },
        lots: b.lots.map(lotJson),
        more_lots: b.moreLots,
        next_expiry: b.nextExpiry && {
          points: b.nextExpiry.points,
          expires_on: b.nextExpiry.expiresOn,
          expires_at: toIso(b.nextExpiry.expiresAt),
        },
        pending_expiry: b.pendingExpiry,
        lifetime_spend: { amount: b.lifetimeSpend, currency: b.currency },
        discount_bps: b.discountBps,
        earned: b.earned,
        spent: b.spent,
        expired: b.expired,
      },
      200,
    );
  });
}
