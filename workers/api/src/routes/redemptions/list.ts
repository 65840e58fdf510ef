import { toIso } from '@gratia/core';
import { recentRedemptions } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import {
  commonErrors,
  jsonContent,
  ListQuerySchema,
  listOf,
  MoneySchema,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

const IssuedRedemption = z
  .object({
    id: z.string().openapi({ example: 'red_01JD0000000000000000000000' }),
    voucher: z.object({
      id: z.string(),
      title: z.string(),
      kind: z.enum(['offer', 'value']),
      value: MoneySchema.openapi({ description: 'What the voucher was issued for' }),
    }),
    partner: z.object({ id: z.string(), name: z.string() }),
    patient: z.object({ id: z.string(), first_name: z.string(), last_name: z.string() }),
    amount: MoneySchema.openapi({ description: 'What this redemption took from the voucher' }),
    payable: MoneySchema.openapi({ description: 'What the clinic owes the partner for it' }),
    redeemed_at: TimestampSchema,
    reversed_at: TimestampSchema.nullable().openapi({
      description: 'When the partner undid the redemption (null: it stands)',
    }),
  })
  .openapi('IssuedRedemption');

export const route = createRoute({
  method: 'get',
  path: '/v1/redemptions',
  operationId: 'listRedemptions',
  tags: ['Vouchers'],
  summary: 'The clinic’s gifts redeemed at partners, newest first',
  description:
    'Every redemption of a voucher the clinic issued, newest first: the voucher, the partner, the patient, the amount taken and whether the partner reversed it. Paged; a page reads only its own rows.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(IssuedRedemption, 'IssuedRedemptionList'), 'A page of redemptions'),
    ...commonErrors,
  },
});

export function registerListRedemptions(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const out = await recentRedemptions(c.var.deps, {
      clinic: orgOf(c),
      before: decodePositionCursor(cursor, 'red'),
      limit,
    });
    return c.json(
      {
        data: out.redemptions.map((r) => ({
          id: r.id,
          voucher: {
            id: r.voucher.id,
            title: r.voucher.title,
            kind: r.voucher.kind,
            value: { amount: r.voucher.valueAmount, currency: r.currency },
          },
          partner: r.partner,
          patient: { id: r.patient.id, first_name: r.patient.firstName, last_name: r.patient.lastName },
          amount: { amount: r.amount, currency: r.currency },
          payable: { amount: r.payableAmount, currency: r.currency },
          redeemed_at: toIso(r.redeemedAt),
          reversed_at: r.reversedAt === null ? null : toIso(r.reversedAt),
        })),
        next_cursor: out.next ? encodePositionCursor(out.next.at, out.next.id) : null,
      },
      200,
    );
  });
}
