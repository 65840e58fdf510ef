import {
  checkAudience,
  redeemStatements,
  redemptionRefusal,
  tokenFailureCode,
  verifyVoucherToken,
} from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, jsonBody, jsonContent, MoneySchema, problemResponses } from '../../lib/schemas';
import { baseUrl, voucherKeys } from '../../lib/vouchers';
import { authorizeDeferred, keyLookup, resolveDeferred } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { TokenSchema } from '../vouchers/schema';
import { RedemptionSchema, redemptionJson } from './schema';

const Body = z
  .object({
    token: TokenSchema,
    amount: MoneySchema.optional().openapi({
      description: 'For stored value: the amount to take (partial allowed); default all that remains',
    }),
  })
  .strict()
  .openapi('Redeem');

export const route = createRoute({
  method: 'post',
  path: '/v1/redemptions',
  tags: ['Vouchers'],
  summary: 'Redeem a voucher, exactly once',
  description:
    'The status change and the redemption record are one D1 batch guarded by the database, so concurrent or retried requests can never redeem twice or overdraw stored value. One D1 round trip (three with an Idempotency-Key).',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('partner'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(RedemptionSchema.extend({ remaining: MoneySchema.nullable() }), 'The redemption'),
    ...commonErrors,
    ...problemResponses(404, 409, 410, 422),
  },
});

export function registerRedeem(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const { db, clock } = c.var;
    const now = clock.now();
    const check = await verifyVoucherToken(b.token, await voucherKeys(c), { issuer: baseUrl(c), now });
    if (!check.ok) {
      // The key is still checked (a bad key is 401 whatever the token), then the token's refusal.
      resolveDeferred(c, await keyLookup(db, c.var.keyHash), ['partner']);
      console.log(
        JSON.stringify({
          level: 'info',
          event: 'voucher_refused',
          request_id: c.var.requestId,
          reason: check.reason,
          detail: check.detail,
        }),
      );
      return problem(c, tokenFailureCode(check.reason));
    }
    const { statements } = redeemStatements(db, {
      voucherId: check.claims.jti,
      keyHash: c.var.keyHash,
      amount: b.amount,
      now,
    });
    const [keyRows, , , voucherAfter, redemption] = await db.batch([
      keyLookup(db, c.var.keyHash),
      ...statements,
    ]);
    const partner = resolveDeferred(c, keyRows, ['partner']);
    if (partner.role !== 'partner') throw new Error('unreachable');

    const done = redemption[0];
    if (done) {
      const v = voucherAfter[0]!;
      return c.json(
        {
          ...redemptionJson(done),
          remaining: v.kind === 'value' ? { amount: v.remainingAmount, currency: v.currency } : null,
        },
        201,
      );
    }
    if (!checkAudience(check.claims.aud, partner.organization))
      return problem(c, 'voucher_not_for_this_partner');
    return problem(c, redemptionRefusal(voucherAfter[0], partner.organization, b.amount, now));
  });
}
