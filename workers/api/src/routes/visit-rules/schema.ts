import { toIso } from '@gratia/core';
import { REWARD_KINDS } from '@gratia/db';
import type { PunchCard, RewardSpec, VisitRuleView } from '@gratia/points';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

export const WindowDaysSchema = z.number().int().min(1).max(3660).nullable().openapi({
  description:
    'Only paid visits within this many days before the visit being recorded count; `null`: every visit since the rule started',
  example: 365,
});

export const RewardSpecSchema = z
  .object({
    kind: z.enum(REWARD_KINDS).openapi({
      description:
        '`points`: bonus points on the card; `discount_bps` / `discount_amount`: a discount kept `available` for the next visit; `voucher`: a gift voucher for a catalogue offer, issued at once',
    }),
    points: z.number().int().min(1).max(1_000_000).optional(),
    discount_bps: z.number().int().min(1).max(10_000).optional(),
    discount_amount: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .optional()
      .openapi({ description: 'Minor units' }),
    offer_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'An active catalogue offer, in the clinic’s currency' }),
  })
  .strict()
  .openapi('VisitRuleReward');

export const rewardSpecOf = (r: z.infer<typeof RewardSpecSchema>): RewardSpec => ({
  kind: r.kind,
  points: r.points ?? null,
  discountBps: r.discount_bps ?? null,
  discountAmount: r.discount_amount ?? null,
  offerId: r.offer_id ?? null,
});

export const VisitRuleSchema = z
  .object({
    id: z.string().openapi({ example: 'vrl_01JD0000000000000000000000' }),
    name: z.string().openapi({ example: 'The 5th visit is on us' }),
    every_visits: z.number().int(),
    window_days: z.number().int().nullable(),
    reward: z.object({
      kind: z.enum(REWARD_KINDS),
      points: z.number().int().nullable(),
      discount_bps: z.number().int().nullable(),
      discount_amount: z.number().int().nullable(),
      offer_id: z.string().nullable(),
      offer_title: z.string().nullable(),
      currency: z.string(),
      text: z.string().openapi({ example: '500 bonus points' }),
    }),
    active: z.boolean(),
    starts_at: TimestampSchema,
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('VisitRule');

export function visitRuleJson(r: VisitRuleView): z.infer<typeof VisitRuleSchema> {
  return {
    id: r.id,
    name: r.name,
    every_visits: r.everyVisits,
    window_days: r.windowDays,
    reward: {
      kind: r.rewardKind,
      points: r.points,
      discount_bps: r.discountBps,
      discount_amount: r.discountAmount,
      offer_id: r.offerId,
      offer_title: r.offerTitle,
      currency: r.currency,
      text: r.rewardText,
    },
    active: r.active,
    starts_at: toIso(r.startsAt),
    created_at: toIso(r.createdAt),
    updated_at: toIso(r.updatedAt),
  };
}

export const PunchCardSchema = z
  .object({
    rule_id: z.string(),
    name: z.string(),
    every_visits: z.number().int(),
    window_days: z.number().int().nullable(),
    punches: z.number().int().openapi({ description: 'Paid visits counting towards the next reward now' }),
    visits_to_go: z
      .number()
      .int()
      .openapi({ description: 'Paid visits until the reward (it comes with the last)' }),
    rewards_earned: z.number().int(),
    reward_text: z.string(),
  })
  .openapi('PunchCard');

export const punchCardJson = (c: PunchCard): z.infer<typeof PunchCardSchema> => ({
  rule_id: c.ruleId,
  name: c.name,
  every_visits: c.everyVisits,
  window_days: c.windowDays,
  punches: c.punches,
  visits_to_go: c.toGo,
  rewards_earned: c.rewardsEarned,
  reward_text: c.rewardText,
});
