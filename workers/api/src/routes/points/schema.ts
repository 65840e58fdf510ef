import { toIso } from '@gratia/core';
import {
  POINT_TXN_TYPES,
  type PointEntry,
  type PointLot,
  type PointRedemption,
  type Visit,
} from '@gratia/db';
import type { LoyaltyRules, PointMoney } from '@gratia/points';
import { z } from '@hono/zod-openapi';
import { MoneySchema, TimestampSchema } from '../../lib/schemas';

export const PointsSchema = z
  .number()
  .int()
  .openapi({ description: 'Bonus points (integers)', example: 1250 });

export const DiscountTierSchema = z
  .object({
    min_lifetime_spend: MoneySchema,
    discount_bps: z.number().int().min(1).max(10_000).openapi({ example: 500 }),
  })
  .strict();

export const LoyaltyProgramInputSchema = z
  .object({
    accrual_rate_bps: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .openapi({ description: 'Points earned per paid amount, in basis points (500 = 5%)', example: 700 }),
    expiry_days: z.number().int().min(1).max(3660).openapi({
      description:
        'Days after the visit that its points can be spent (through the end of that day, clinic time)',
      example: 180,
    }),
    min_redemption_points: z.number().int().min(0).max(1_000_000_000).openapi({ example: 500 }),
    max_bill_share_bps: z.number().int().min(1).max(10_000).nullable().optional().openapi({
      description:
        'The largest share of a bill that points may pay (checked when a redemption states its bill)',
      example: 5000,
    }),
    discount_tiers: z.array(DiscountTierSchema).max(20).optional().openapi({
      description: 'Progressive discounts by lifetime spend at the clinic, in the clinic’s currency',
    }),
  })
  .strict()
  .openapi('LoyaltyProgramInput');

export const LoyaltyProgramSchema = z
  .object({
    version: z
      .number()
      .int()
      .openapi({ description: '0 is the network default, before the clinic sets its own rules' }),
    accrual_rate_bps: z.number().int(),
    expiry_days: z.number().int(),
    min_redemption_points: z.number().int(),
    max_bill_share_bps: z.number().int().nullable(),
    discount_tiers: z.array(z.object({ min_lifetime_spend: MoneySchema, discount_bps: z.number().int() })),
    point_value: MoneySchema.openapi({ description: 'What one point is worth' }),
    effective_from: TimestampSchema.nullable(),
  })
  .openapi('LoyaltyProgram');

export function programJson(r: LoyaltyRules, money: PointMoney) {
  return {
    version: r.version,
    accrual_rate_bps: r.accrualRateBps,
    expiry_days: r.expiryDays,
    min_redemption_points: r.minRedemptionPoints,
    max_bill_share_bps: r.maxBillShareBps,
    discount_tiers: r.discountTiers.map((t) => ({
      min_lifetime_spend: { amount: t.min_lifetime_spend, currency: r.currency },
      discount_bps: t.discount_bps,
    })),
    point_value: { amount: money.pointValue, currency: money.currency },
    effective_from: toIso(r.createdAt),
  };
}

export const LotSchema = z
  .object({
    points: PointsSchema.openapi({ description: 'Points left in the lot' }),
    earned_at: TimestampSchema,
    expires_on: z
      .string()
      .openapi({ description: 'The last day the points can be spent (clinic time)', example: '2027-05-22' }),
    expires_at: TimestampSchema.openapi({ description: 'The first instant they can no longer be spent' }),
  })
  .openapi('PointLot');

export const lotJson = (l: Pick<PointLot, 'remaining' | 'earnedAt' | 'expiresOn' | 'expiresAt'>) => ({
  points: l.remaining,
  earned_at: toIso(l.earnedAt),
  expires_on: l.expiresOn,
  expires_at: toIso(l.expiresAt),
});

export const VisitSchema = z
  .object({
    id: z.string().openapi({ example: 'vis_01JD0000000000000000000000' }),
    patient_id: z.string(),
    reference: z.string().nullable(),
    amount: MoneySchema,
    occurred_at: TimestampSchema,
    points_earned: PointsSchema,
    program_version: z.number().int().openapi({ description: 'The programme rules this accrual used' }),
    accrual_rate_bps: z.number().int(),
    // Not LotSchema.nullable(): that would carry the PointLot name and make the shared component nullable.
    lot: z
      .union([LotSchema, z.null()])
      .openapi({ description: 'The lot the visit booked, or null when it booked none' }),
    balance: PointsSchema.openapi({ description: 'The card’s spendable balance after the visit' }),
    lifetime_spend: MoneySchema,
    discount_bps: z.number().int(),
    recorded_at: TimestampSchema,
  })
  .openapi('Visit');

export const visitJson = (v: Visit) => ({
  id: v.id,
  patient_id: v.patientId,
  reference: v.reference,
  amount: { amount: v.amount, currency: v.currency },
  occurred_at: toIso(v.occurredAt),
  points_earned: v.pointsEarned,
  program_version: v.programVersion,
  accrual_rate_bps: v.accrualRateBps,
  recorded_at: toIso(v.recordedAt),
});

export const PointRedemptionSchema = z
  .object({
    id: z.string().openapi({ example: 'ptr_01JD0000000000000000000000' }),
    points: PointsSchema,
    value: MoneySchema.openapi({
      description: 'What the points are worth, paid by the issuing clinic to whoever honoured them',
    }),
    balance_after: PointsSchema,
    honoured_by: z.string().openapi({ description: 'The clinic or partner that accepted the points' }),
    issuer_id: z.string().openapi({ description: 'The clinic that issued the points' }),
    payable: MoneySchema.openapi({
      description:
        'What the issuing clinic owes the honouring party for this (zero when it honours its own points)',
    }),
    reference: z.string().nullable(),
    redeemed_at: TimestampSchema,
    reversible_until: TimestampSchema,
  })
  .openapi('PointRedemption');

export const pointRedemptionJson = (r: PointRedemption, balanceAfter: number, windowMs: number) => ({
  id: r.id,
  points: r.points,
  value: { amount: r.valueAmount, currency: r.currency },
  balance_after: balanceAfter,
  honoured_by: r.honouredBy,
  issuer_id: r.clinicId,
  payable: { amount: r.payableAmount, currency: r.currency },
  reference: r.reference,
  redeemed_at: toIso(r.redeemedAt),
  reversible_until: toIso(r.redeemedAt + windowMs),
});

export const EntrySchema = z
  .object({
    id: z.string().openapi({ example: 'pte_42' }),
    transaction_id: z.string(),
    type: z.enum(POINT_TXN_TYPES),
    points: PointsSchema.openapi({
      description: 'Signed: positive adds to the card, negative takes from it',
    }),
    value: MoneySchema.extend({ amount: z.number().int() }).openapi({
      description: 'The points in money (signed)',
    }),
    balance_after: PointsSchema.openapi({ description: 'The running balance after this entry' }),
    effective_at: TimestampSchema,
    booked_at: TimestampSchema,
    source_id: z.string().openapi({ description: 'The visit, redemption, reversal or lot behind the entry' }),
    counterparty: z.object({ id: z.string(), name: z.string() }).nullable().openapi({
      description: 'Where points were spent (redemptions and their reversals)',
    }),
    program_version: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Accruals: the programme rules used' }),
    expires_on: z.string().nullable().openapi({ description: 'Accruals: the last day of the lot' }),
  })
  .openapi('PointEntry');

export function entryJson(
  e: PointEntry,
  extra: {
    counterparty: { id: string; name: string } | null;
    programVersion: number | null;
    expiresOn: string | null;
  },
) {
  return {
    id: `pte_${e.seq}`,
    transaction_id: e.txnId,
    type: e.txnType,
    points: e.points,
    value: { amount: e.valueAmount, currency: e.currency },
    balance_after: e.balanceAfter ?? 0,
    effective_at: toIso(e.effectiveAt),
    booked_at: toIso(e.bookedAt),
    source_id: e.sourceId,
    counterparty: extra.counterparty,
    program_version: extra.programVersion,
    expires_on: extra.expiresOn,
  };
}
