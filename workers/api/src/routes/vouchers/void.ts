import { voidVoucher } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { VoucherSchema, voucherJson } from './schema';

const Body = z
  .object({ reason: z.string().trim().min(1).max(500) })
  .strict()
  .openapi('VoidVoucher');

export const route = createRoute({
  method: 'post',
  path: '/v1/vouchers/{id}/void',
  operationId: 'voidVoucher',
  tags: ['Vouchers'],
  summary: 'Void a voucher before it is redeemed',
  description:
    'Voiding an already voided voucher answers it unchanged. A stored-value voucher can be voided while value remains.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Voucher id', 'vch_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(VoucherSchema, 'The voided voucher'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerVoidVoucher(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const out = await voidVoucher(c.var.deps, { clinic: orgOf(c), voucherId: id, reason });
    if (!out.ok) return refusal(c, out.error);
    const w = out.value;
    return c.json(voucherJson(w.voucher, c.var.clock.now(), w.token, w.url), 200);
  });
}
