import { toIso } from '@gratia/core';
import type { Redemption } from '@gratia/db';
import { z } from '@hono/zod-openapi';
import { MoneySchema, TimestampSchema } from '../../lib/schemas';

export const RedemptionSchema = z
  .object({
    id: z.string().openapi({ example: 'red_01JD0000000000000000000000' }),
    voucher_id: z.string(),
    partner_id: z.string(),
    amount: MoneySchema,
    payable: MoneySchema.openapi({
      description: 'What the issuing clinic owes the partner for this redemption',
    }),
    redeemed_at: TimestampSchema,
  })
  .openapi('Redemption');

export function redemptionJson(r: Redemption): z.infer<typeof RedemptionSchema> {
  return {
    id: r.id,
    voucher_id: r.voucherId,
    partner_id: r.partnerId,
    amount: { amount: r.amount, currency: r.currency },
    payable: { amount: r.payableAmount, currency: r.currency },
    redeemed_at: toIso(r.redeemedAt),
  };
}
