import { toIso } from '@gratia/core';
import { REWARD_KINDS, REWARD_SOURCES, REWARD_STATUSES } from '@gratia/db';
import type { RewardLine } from '@gratia/loyalty';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

export const RewardSchema = z
  .object({
    id: z.string(),
    patient_id: z.string(),
    source: z.enum(REWARD_SOURCES).openapi({ description: 'The rule that gave it' }),
    source_id: z.string().openapi({ description: 'The code word, referral, rule or clinic setting' }),
    kind: z.enum(REWARD_KINDS),
    title: z.string(),
    gives: z.string().openapi({ description: 'What it gives, in words', example: '150 bonus points' }),
    points: z.number().int().nullable(),
    discount_bps: z.number().int().nullable(),
    discount_amount: z.number().int().nullable(),
    currency: z.string(),
    offer_id: z.string().nullable(),
    voucher_id: z.string().nullable(),
    voucher_url: z
      .string()
      .nullable()
      .openapi({ description: 'The patient’s link to the voucher it gave, while usable' }),
    visit_id: z.string().nullable(),
    status: z.enum(REWARD_STATUSES).openapi({
      description:
        'granted: given; available: a discount waiting for a later visit; used: that discount, used; capped: earned over a limit, nothing given',
    }),
    granted_at: TimestampSchema,
    used_at: TimestampSchema.nullable(),
  })
  .openapi('Reward');

export const rewardJson = ({ reward: r, gives, voucherUrl }: RewardLine) => ({
  id: r.id,
  patient_id: r.patientId,
  source: r.source,
  source_id: r.sourceId,
  kind: r.kind,
  title: r.title,
  gives,
  points: r.points,
  discount_bps: r.discountBps,
  discount_amount: r.discountAmount,
  currency: r.currency,
  offer_id: r.offerId,
  voucher_id: r.voucherId,
  voucher_url: voucherUrl,
  visit_id: r.visitId,
  status: r.status,
  granted_at: toIso(r.grantedAt),
  used_at: r.usedAt === null ? null : toIso(r.usedAt),
});
