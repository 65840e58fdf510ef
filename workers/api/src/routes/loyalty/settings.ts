import { readLoyaltySettings, saveLoyaltySettings } from '@gratia/loyalty';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { LoyaltySettingsInputSchema, LoyaltySettingsSchema, rewardOfJson, settingsJson } from './schema';

export const getRoute = createRoute({
  method: 'get',
  path: '/v1/loyalty/settings',
  operationId: 'getLoyaltySettings',
  tags: ['Loyalty settings'],
  summary: 'The clinic’s referral, birthday and VIP settings',
  description:
    'The defaults (no referral or birthday reward, 5 rewarded referrals per referrer a year, birthday items 7 days before, no VIP segment, no gift limit, no perks) until the clinic saves its own.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(LoyaltySettingsSchema, 'The settings'), ...commonErrors },
});

export const putRoute = createRoute({
  method: 'put',
  path: '/v1/loyalty/settings',
  operationId: 'setLoyaltySettings',
  tags: ['Loyalty settings'],
  summary: 'Set the clinic’s referral, birthday and VIP settings',
  description:
    'Replaces the settings (owners and managers in the console; any clinic API key). Offers named must be active catalogue offers in the clinic’s currency and the VIP segment one of the clinic’s own, live segments: otherwise 422 `unknown_reference`, naming each field.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(LoyaltySettingsInputSchema) },
  responses: {
    200: jsonContent(LoyaltySettingsSchema, 'The settings now in force'),
    ...commonErrors,
    ...problemResponses(422),
  },
});

export function registerLoyaltySettings(app: App) {
  app.openapi(getRoute, async (c) => {
    return c.json(settingsJson(await readLoyaltySettings(c.var.deps, { clinic: orgOf(c) })), 200);
  });
  app.openapi(putRoute, async (c) => {
    const b = c.req.valid('json');
    const out = await saveLoyaltySettings(c.var.deps, {
      clinic: orgOf(c),
      referralReward: rewardOfJson(b.referral.reward),
      referralCapPerYear: b.referral.cap_per_year,
      birthdayReward: rewardOfJson(b.birthday.reward),
      birthdayDaysBefore: b.birthday.days_before,
      vipSegmentId: b.vip.segment_id,
      vipGiftsPerYear: b.vip.gifts_per_year,
      vipPerkOfferIds: b.vip.perk_offer_ids,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(settingsJson(out.value), 200);
  });
}
