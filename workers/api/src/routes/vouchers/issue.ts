import { isId, newId } from '@gratia/core';
import { offers, organizations, PARTNER_CATEGORIES, patients, vouchers } from '@gratia/db';
import { signVoucherToken } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, jsonBody, jsonContent, MoneySchema, problemResponses } from '../../lib/schemas';
import { baseUrl, voucherClaims, voucherKeys, voucherLifetimes, voucherUrl } from '../../lib/vouchers';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { VoucherSchema, voucherJson } from './schema';

const Body = z
  .object({
    patient_id: z.string().max(64),
    offer_id: z.string().max(64).optional().openapi({ description: 'A catalogue reward' }),
    value: MoneySchema.optional().openapi({
      description: 'Or stored value, at one partner or any partner of a category',
    }),
    partner_id: z.string().max(64).optional(),
    category: z.enum(PARTNER_CATEGORIES).optional(),
    message: z.string().trim().max(500).optional().openapi({ description: "The clinic's personal message" }),
    expires_at: z.string().datetime({ offset: true }).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.offer_id === undefined) === (b.value === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['offer_id'], message: 'give either offer_id or value' });
    }
    if (b.offer_id !== undefined && (b.partner_id !== undefined || b.category !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['partner_id'],
        message: 'an offer voucher is for the offer’s partner',
      });
    }
    if (b.value !== undefined && (b.partner_id === undefined) === (b.category === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['partner_id'],
        message: 'stored value needs either partner_id or category',
      });
    }
    if (b.value !== undefined && b.value.amount < 1) {
      ctx.addIssue({ code: 'custom', path: ['value', 'amount'], message: 'must be at least 1' });
    }
  })
  .openapi('IssueVoucher');

export const route = createRoute({
  method: 'post',
  path: '/v1/vouchers',
  tags: ['Vouchers'],
  summary: 'Issue a signed voucher to one patient',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(VoucherSchema, 'The voucher, with its token and the patient link'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

const formatMoney = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`;

export function registerIssueVoucher(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const clinic = orgOf(c);
    const { db, clock } = c.var;
    const now = clock.now();
    const currency = clinic.organization.currency;

    const [patientRows, offerRows, partnerRows] = await db.batch([
      db
        .select({ id: patients.id })
        .from(patients)
        .where(and(eq(patients.id, b.patient_id), eq(patients.clinicId, clinic.organizationId))),
      db
        .select()
        .from(offers)
        .where(eq(offers.id, b.offer_id ?? '')),
      db
        .select({ id: organizations.id })
        .from(organizations)
        .where(and(eq(organizations.id, b.partner_id ?? ''), eq(organizations.kind, 'partner'))),
    ]);
    if (!patientRows[0]) return problem(c, 'patient_not_found', `No patient ${b.patient_id}`);

    let target: {
      kind: 'offer' | 'value';
      offerId: string | null;
      partnerId: string | null;
      category: (typeof PARTNER_CATEGORIES)[number] | null;
      title: string;
      amount: number;
    };
    if (b.offer_id !== undefined) {
      const offer = offerRows[0];
      if (!offer || !isId('off', b.offer_id)) return problem(c, 'offer_not_found', `No offer ${b.offer_id}`);
      if (!offer.active)
        return problem(c, 'offer_inactive', 'This offer is no longer active and cannot be issued');
      if (offer.currency !== currency)
        return problem(
          c,
          'currency_mismatch',
          `The offer is priced in ${offer.currency}; this clinic pays in ${currency}`,
        );
      target = {
        kind: 'offer',
        offerId: offer.id,
        partnerId: offer.partnerId,
        category: null,
        title: offer.title,
        amount: offer.priceAmount,
      };
    } else {
      const value = b.value!;
      if (value.currency !== currency)
        return problem(c, 'currency_mismatch', `This clinic issues value in ${currency}`);
      if (b.partner_id !== undefined && !partnerRows[0])
        return problem(c, 'partner_not_found', `No partner ${b.partner_id}`);
      target = {
        kind: 'value',
        offerId: null,
        partnerId: b.partner_id ?? null,
        category: b.category ?? null,
        title: `Gift credit of ${formatMoney(value.amount, currency)}`,
        amount: value.amount,
      };
    }

    const { defaultMs, maxMs, maxDays } = voucherLifetimes(c);
    const expiresAt = b.expires_at ? Date.parse(b.expires_at) : now + defaultMs;
    if (expiresAt <= now + 60_000 || expiresAt > now + maxMs) {
      return problem(
        c,
        'invalid_expiry',
        `expires_at must be in the future and at most ${maxDays} days away`,
        [{ path: 'expires_at', message: `must be within ${maxDays} days from now` }],
      );
    }

    const keys = await voucherKeys(c);
    const row = {
      id: newId('vch', now),
      clinicId: clinic.organizationId,
      patientId: b.patient_id,
      kind: target.kind,
      offerId: target.offerId,
      partnerId: target.partnerId,
      category: target.category,
      audience: target.partnerId ?? `category:${target.category}`,
      title: target.title,
      message: b.message ?? null,
      currency,
      valueAmount: target.amount,
      remainingAmount: target.amount,
      status: 'issued' as const,
      kid: keys.signer.kid,
      // Whole seconds, so the stored claims and the token's iat/exp agree exactly.
      issuedAt: Math.floor(now / 1000) * 1000,
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
      updatedAt: now,
    };
    const token = await signVoucherToken(keys.signer, voucherClaims(row, baseUrl(c)));
    const [inserted] = await db.insert(vouchers).values(row).returning();
    return c.json(voucherJson(inserted!, now, token, voucherUrl(c, token)), 201);
  });
}
