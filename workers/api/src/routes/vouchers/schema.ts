import { toIso } from '@gratia/core';
import { PARTNER_CATEGORIES, type Voucher } from '@gratia/db';
import { displayStatus } from '@gratia/vouchers';
import { z } from '@hono/zod-openapi';
import { MoneySchema, TimestampSchema } from '../../lib/schemas';

export const VoucherSchema = z
  .object({
    id: z.string().openapi({ example: 'vch_01JD0000000000000000000000' }),
    status: z.enum(['issued', 'redeemed', 'voided', 'expired']),
    token: z
      .string()
      .nullable()
      .openapi({ description: 'The signed voucher (compact JWS); null if its signing key is gone' }),
    url: z.string().nullable().openapi({ description: "The patient's link" }),
    patient_id: z.string(),
    kind: z.enum(['offer', 'value']),
    offer: z
      .object({ id: z.string(), title: z.string(), partner_id: z.string(), price: MoneySchema })
      .nullable(),
    value: MoneySchema.nullable(),
    remaining: MoneySchema.nullable(),
    partner_id: z.string().nullable(),
    category: z.enum(PARTNER_CATEGORIES).nullable(),
    title: z.string(),
    message: z.string().nullable(),
    issued_at: TimestampSchema,
    expires_at: TimestampSchema,
    voided_at: TimestampSchema.nullable(),
    void_reason: z.string().nullable(),
  })
  .openapi('Voucher');

export function voucherJson(
  v: Voucher,
  now: number,
  token: string | null,
  url: string | null,
): z.infer<typeof VoucherSchema> {
  const money = (amount: number) => ({ amount, currency: v.currency });
  return {
    id: v.id,
    status: displayStatus(v, now),
    token,
    url,
    patient_id: v.patientId,
    kind: v.kind,
    offer:
      v.kind === 'offer' && v.offerId
        ? { id: v.offerId, title: v.title, partner_id: v.partnerId!, price: money(v.valueAmount) }
        : null,
    value: v.kind === 'value' ? money(v.valueAmount) : null,
    remaining: v.kind === 'value' ? money(v.remainingAmount) : null,
    partner_id: v.partnerId,
    category: v.category,
    title: v.title,
    message: v.message,
    issued_at: toIso(v.issuedAt),
    expires_at: toIso(v.expiresAt),
    voided_at: toIso(v.voidedAt),
    void_reason: v.voidReason,
  };
}

export const TokenSchema = z
  .string()
  .min(1)
  .max(4096)
  .openapi({ description: 'The voucher token (compact JWS)' });
