import { newId } from '@gratia/core';
import { loyaltyPrograms } from '@gratia/db';
import { normaliseTiers, rulesFromRow, sameRules } from '@gratia/points';
import { createRoute } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { App } from '../../app';
import { currentProgram, pointMoneyOf } from '../../lib/points';
import { problem } from '../../lib/problem';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { LoyaltyProgramInputSchema, LoyaltyProgramSchema, programJson } from './schema';

export const route = createRoute({
  method: 'put',
  path: '/v1/loyalty_program',
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
    const clinic = orgOf(c);
    const currency = clinic.organization.currency;
    const tiers = b.discount_tiers ?? [];
    const wrong = tiers.findIndex((t) => t.min_lifetime_spend.currency !== currency);
    if (wrong >= 0)
      return problem(c, 'currency_mismatch', `Tier thresholds are in the clinic's currency, ${currency}`, [
        { path: `discount_tiers.${wrong}.min_lifetime_spend.currency`, message: `must be ${currency}` },
      ]);
    const sorted = normaliseTiers(
      tiers.map((t) => ({ min_lifetime_spend: t.min_lifetime_spend.amount, discount_bps: t.discount_bps })),
    );
    if (!sorted.ok)
      return problem(c, 'validation_failed', `discount_tiers: ${sorted.message}`, [
        { path: 'discount_tiers', message: sorted.message },
      ]);
    const rules = {
      accrualRateBps: b.accrual_rate_bps,
      expiryDays: b.expiry_days,
      minRedemptionPoints: b.min_redemption_points,
      maxBillShareBps: b.max_bill_share_bps ?? null,
      discountTiers: sorted.tiers,
    };
    const { db, clock } = c.var;
    const now = clock.now();
    const [current] = await currentProgram(db, clinic.organizationId);
    if (current && sameRules(rulesFromRow(current, currency), rules))
      return c.json(programJson(rulesFromRow(current, currency), pointMoneyOf(c)), 200);
    // The version is taken inside the INSERT, and UNIQUE(clinic_id, version) settles concurrent PUTs.
    const [, [row]] = await db.batch([
      db.insert(loyaltyPrograms).select(
        sql`select ${newId('lpv', now)}, ${clinic.organizationId},
          coalesce((select max(version) from loyalty_programs where clinic_id = ${clinic.organizationId}), 0) + 1,
          ${rules.accrualRateBps}, ${rules.expiryDays}, ${rules.minRedemptionPoints}, ${rules.maxBillShareBps},
          ${JSON.stringify(rules.discountTiers)}, ${currency}, ${clinic.keyId}, ${now}`,
      ),
      currentProgram(db, clinic.organizationId),
    ]);
    return c.json(programJson(rulesFromRow(row, currency), pointMoneyOf(c)), 200);
  });
}
