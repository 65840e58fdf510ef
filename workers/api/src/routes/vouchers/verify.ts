import { toIso } from '@gratia/core';
import { organizations, patients, vouchers } from '@gratia/db';
import { checkAudience, honourRefusal, tokenFailureCode, verifyVoucherToken } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { App } from '../../app';
import { commonErrors, jsonBody, jsonContent, MoneySchema, TimestampSchema } from '../../lib/schemas';
import { baseUrl, voucherKeys } from '../../lib/vouchers';
import { authorizeDeferred, keyLookup, resolveDeferred } from '../../middleware/auth';
import { TokenSchema } from './schema';

const Body = z.object({ token: TokenSchema }).strict().openapi('VerifyVoucher');

const Verified = z
  .union([
    z.object({
      valid: z.literal(true),
      voucher: z.object({
        id: z.string(),
        title: z.string(),
        kind: z.enum(['offer', 'value']),
        holder: z.object({ first_name: z.string(), last_initial: z.string() }),
        value: MoneySchema.nullable(),
        remaining: MoneySchema.nullable(),
        expires_at: TimestampSchema,
        issuer: z.object({ id: z.string(), name: z.string() }),
      }),
    }),
    z.object({
      valid: z.literal(false),
      code: z.enum([
        'invalid_voucher',
        'voucher_expired',
        'voucher_voided',
        'voucher_already_redeemed',
        'voucher_not_for_this_partner',
      ]),
    }),
  ])
  .openapi('VoucherVerification');

export const route = createRoute({
  method: 'post',
  path: '/v1/vouchers/verify',
  tags: ['Vouchers'],
  summary: 'Check a voucher at the counter (no side effects)',
  description:
    'Answers 200 either way: `{ valid: true, voucher }` or `{ valid: false, code }`. One D1 round trip.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('partner')] as const,
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(Verified, 'The verification'), ...commonErrors },
});

export function registerVerifyVoucher(app: App) {
  app.openapi(route, async (c) => {
    const { token } = c.req.valid('json');
    const { db, clock } = c.var;
    const now = clock.now();
    const check = await verifyVoucherToken(token, await voucherKeys(c), { issuer: baseUrl(c), now });
    // One round trip: the caller's key and, if the token is genuine, the voucher with the holder's
    // name and the issuer (explicitly named columns: batched joins must not share names).
    const [keyRows, found] = await db.batch([
      keyLookup(db, c.var.keyHash),
      db
        .select({
          voucher: vouchers,
          holderFirstName: patients.firstName,
          holderLastName: patients.lastName,
          issuerName: organizations.name,
        })
        .from(vouchers)
        .innerJoin(patients, eq(patients.id, vouchers.patientId))
        .innerJoin(organizations, eq(organizations.id, vouchers.clinicId))
        .where(eq(vouchers.id, check.ok ? check.claims.jti : '')),
    ]);
    const partner = resolveDeferred(c, keyRows, ['partner']);
    if (partner.role !== 'partner') throw new Error('unreachable');
    const refuse = (code: z.infer<typeof Verified> & { valid: false }) => c.json(code, 200);

    if (!check.ok) {
      console.log(
        JSON.stringify({
          level: 'info',
          event: 'voucher_refused',
          request_id: c.var.requestId,
          reason: check.reason,
          detail: check.detail,
        }),
      );
      return refuse({ valid: false, code: tokenFailureCode(check.reason) });
    }
    if (!checkAudience(check.claims.aud, partner.organization))
      return refuse({ valid: false, code: 'voucher_not_for_this_partner' });
    const row = found[0];
    const refusal = honourRefusal(row?.voucher, partner.organization, now);
    if (refusal || !row)
      return refuse({ valid: false, code: (refusal ?? 'invalid_voucher') as 'invalid_voucher' });
    const v = row.voucher;
    const money = (amount: number) => ({ amount, currency: v.currency });
    return c.json(
      {
        valid: true as const,
        voucher: {
          id: v.id,
          title: v.title,
          kind: v.kind,
          holder: {
            first_name: row.holderFirstName,
            last_initial: row.holderLastName.slice(0, 1).toUpperCase(),
          },
          value: money(v.valueAmount),
          remaining: v.kind === 'value' ? money(v.remainingAmount) : null,
          expires_at: toIso(v.expiresAt),
          issuer: { id: v.clinicId, name: row.issuerName },
        },
      },
      200,
    );
  });
}
