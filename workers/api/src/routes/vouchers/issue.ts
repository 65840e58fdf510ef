import { PARTNER_CATEGORIES } from '@gratia/db';
import { issueVoucher } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, MoneySchema, problemResponses } from '../../lib/schemas';
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
    notify: z.boolean().optional().openapi({
      description:
        'Message the patient the voucher link (default true): by e-mail when they have an address and consent for it, else by SMS; no message when neither reaches them (Send it by hand: POST /v1/vouchers/{id}/send)',
    }),
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
  operationId: 'issueVoucher',
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

export function registerIssueVoucher(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await issueVoucher(c.var.deps, {
      clinic: orgOf(c),
      patientId: b.patient_id,
      offerId: b.offer_id,
      value: b.value,
      partnerId: b.partner_id,
      category: b.category,
      message: b.message,
      expiresAt: b.expires_at === undefined ? undefined : Date.parse(b.expires_at),
      notify: b.notify,
    });
    if (!out.ok) return refusal(c, out.error);
    const w = out.value;
    return c.json(voucherJson(w.voucher, c.var.clock.now(), w.token, w.url), 201);
  });
}
