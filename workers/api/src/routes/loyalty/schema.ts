import { toIso } from '@gratia/core';
import type { LoyaltySettingsView, SettingReward, VipListItem, VipStatus } from '@gratia/loyalty';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// The loyalty settings and VIP on the wire (issue 12: VIP, birthdays and rewards).

const RewardSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('points'), points: z.number().int().min(1).max(1_000_000) }).strict(),
    z
      .object({
        kind: z.literal('voucher'),
        offer_id: z
          .string()
          .max(64)
          .openapi({ description: 'An active catalogue offer in the clinic’s currency' }),
      })
      .strict(),
  ])
  .nullable()
  .openapi('SettingReward', {
    description: 'Bonus points, or a gift voucher for a catalogue offer; null: none',
  });

export const LoyaltySettingsInputSchema = z
  .object({
    referral: z
      .object({
        reward: RewardSchema,
        cap_per_year: z.number().int().min(0).max(1000).openapi({
          description:
            'Rewarded referrals per referrer in any 365 days (0: none; over it, the referrer’s reward is recorded as capped)',
          example: 5,
        }),
      })
      .strict(),
    birthday: z
      .object({
        reward: RewardSchema,
        days_before: z.number().int().min(0).max(60).openapi({
          description: 'How many days before the birthday its plan item is due',
          example: 7,
        }),
      })
      .strict(),
    vip: z
      .object({
        segment_id: z
          .string()
          .max(64)
          .nullable()
          .openapi({ description: 'A saved segment of the clinic whose members are VIPs; null: none' }),
        gifts_per_year: z.number().int().min(0).max(365).nullable().openapi({
          description: 'Gifts a VIP may be given per calendar year (perks not counted); null: no limit',
          example: 4,
        }),
        perk_offer_ids: z.array(z.string().max(64)).max(10).openapi({
          description: 'Catalogue offers given to VIPs as perks (active, in the clinic’s currency)',
        }),
      })
      .strict(),
  })
  .strict()
  .openapi('LoyaltySettingsInput');

export const LoyaltySettingsSchema = LoyaltySettingsInputSchema.extend({
  updated_at: TimestampSchema.nullable().openapi({ description: 'null: the defaults, never saved' }),
}).openapi('LoyaltySettings');

const rewardJson = (r: SettingReward | null) =>
  r === null
    ? null
    : r.kind === 'points'
      ? { kind: r.kind, points: r.points }
      : { kind: r.kind, offer_id: r.offerId };

export const rewardOfJson = (r: z.infer<typeof RewardSchema>): SettingReward | null =>
  r === null
    ? null
    : r.kind === 'points'
      ? { kind: 'points', points: r.points }
      : { kind: 'voucher', offerId: r.offer_id };

export const settingsJson = (s: LoyaltySettingsView) => ({
  referral: { reward: rewardJson(s.referralReward), cap_per_year: s.referralCapPerYear },
  birthday: { reward: rewardJson(s.birthdayReward), days_before: s.birthdayDaysBefore },
  vip: { segment_id: s.vipSegmentId, gifts_per_year: s.vipGiftsPerYear, perk_offer_ids: s.vipPerkOfferIds },
  updated_at: s.updatedAt === null ? null : toIso(s.updatedAt),
});

export const VipStatusSchema = z
  .object({
    patient_id: z.string(),
    vip: z.boolean(),
    by_hand: z.boolean(),
    by_segment: z.boolean(),
    reason: z.string().nullable(),
    marked_at: TimestampSchema.nullable(),
    gifts_this_year: z
      .number()
      .int()
      .openapi({ description: 'Gifts counted toward the VIP limit this year' }),
    gift_limit: z.number().int().nullable().openapi({ description: 'The limit that applies; null: none' }),
  })
  .openapi('VipStatus');

export const vipStatusJson = (v: VipStatus) => ({
  patient_id: v.patientId,
  vip: v.allowance.vip !== null,
  by_hand: v.markedAt !== null,
  by_segment: v.allowance.bySegment,
  reason: v.reason,
  marked_at: v.markedAt === null ? null : toIso(v.markedAt),
  gifts_this_year: v.allowance.given,
  gift_limit: v.allowance.limit,
});

export const VipListItemSchema = z
  .object({
    patient_id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    by_hand: z.boolean(),
    by_segment: z.boolean(),
    reason: z.string().nullable(),
    gifts_this_year: z.number().int(),
    gift_limit: z.number().int().nullable(),
  })
  .openapi('Vip');

export const vipItemJson = (v: VipListItem) => ({
  patient_id: v.patientId,
  first_name: v.firstName,
  last_name: v.lastName,
  by_hand: v.byHand,
  by_segment: v.bySegment,
  reason: v.reason,
  gifts_this_year: v.giftsThisYear,
  gift_limit: v.giftLimit,
});
