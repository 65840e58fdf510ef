import type { GiftSuggestion, PointsGoal, TierGoal } from '@gratia/insight';
import { z } from '@hono/zod-openapi';

export const GiftSuggestionSchema = z
  .object({
    offer_id: z.string().openapi({ example: 'off_01JD0000000000000000000000' }),
    title: z.string(),
    category: z.string(),
    partner_id: z.string(),
    partner_name: z.string(),
    price: z.object({ amount: z.number().int(), currency: z.string() }),
    score: z.number().int().openapi({ description: 'Higher fits better; only the order is meaningful' }),
    reasons: z
      .array(z.string())
      .openapi({ example: ['likes massage', '2 km from the Downtown branch'], description: 'Why, in words' }),
    distance_km: z
      .number()
      .nullable()
      .openapi({ description: 'From the reference branch to the partner; null when either is not placed' }),
    over_budget: z
      .boolean()
      .openapi({ description: 'Priced over the gift budget of the patient’s A/B/C class' }),
  })
  .openapi('GiftSuggestion');

export function giftSuggestionJson(s: GiftSuggestion): z.infer<typeof GiftSuggestionSchema> {
  const o = s.offer;
  return {
    offer_id: o.id,
    title: o.title,
    category: o.category,
    partner_id: o.partnerId,
    partner_name: o.partnerName,
    price: { amount: o.priceAmount, currency: o.currency },
    score: s.score,
    reasons: s.reasons,
    distance_km: s.distanceKm === null ? null : Math.round(s.distanceKm * 10) / 10,
    over_budget: s.overBudget,
  };
}

export const TierGoalSchema = z
  .object({
    discount_bps: z.number().int(),
    min_lifetime_spend: z.number().int(),
    lifetime_spend: z.number().int(),
    remaining: z.number().int().openapi({ description: 'Still to spend, in the clinic’s minor units' }),
    progress_pct: z.number().int(),
  })
  .openapi('TierGoal');

export const PointsGoalSchema = z
  .object({
    offer_id: z.string(),
    title: z.string(),
    partner_name: z.string(),
    points_needed: z.number().int(),
    balance: z.number().int(),
    remaining: z.number().int(),
    progress_pct: z.number().int(),
  })
  .openapi('PointsGoal');

export const tierGoalJson = (t: TierGoal): z.infer<typeof TierGoalSchema> => ({
  discount_bps: t.discountBps,
  min_lifetime_spend: t.minLifetimeSpend,
  lifetime_spend: t.lifetimeSpend,
  remaining: t.remaining,
  progress_pct: t.progressPct,
});

export const pointsGoalJson = (p: PointsGoal): z.infer<typeof PointsGoalSchema> => ({
  offer_id: p.offerId,
  title: p.title,
  partner_name: p.partnerName,
  points_needed: p.pointsNeeded,
  balance: p.balance,
  remaining: p.remaining,
  progress_pct: p.progressPct,
});
