import { pointMoney, setProgram } from '@gratia/points';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { LoyaltyProgramInputSchema, LoyaltyProgramSchema, programJson } from './schema';

export const route = createRoute({
  method: 'put',
  path: '/v1/loyalty_program',
  operationId: 'setLoyaltyProgram',
  tags: ['Bonus points'],
  summary: "Set the clinic's bonus-programme rules",
  description:
    'Creates a new version of the rules. It applies to visits recorded from now on; earlier accruals keep the rules they used (their version is in the statement). Sending the current rules again changes nothing.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(LoyaltyProgramInputSchema) },
  responses: {
    200: jsonContent(LoyaltyProgramSchema, 'The rules now in force'),
    ...commonErrors,
    ...problemResponses(422),
  },
});

export function registerPutLoyaltyProgram(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await setProgram(c.var.deps, {
      clinic: orgOf(c),
      rules: {
        accrualRateBps: b.accrual_rate_bps,
        expiryDays: b.expiry_days,
        minRedemptionPoints: b.min_redemption_points,
        maxBillShareBps: b.max_bill_share_bps ?? null,
        discountTiers: (b.discount_tiers ?? []).map((t) => ({
          minLifetimeSpend: t.min_lifetime_spend,
          discountBps: t.discount_bps,
        })),
      },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(programJson(out.value, pointMoney(c.var.deps.config)), 200);
  });
}
