import { readVoucher } from '@gratia/vouchers';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { VoucherSchema, voucherJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/vouchers/{id}',
  operationId: 'getVoucher',
  tags: ['Vouchers'],
  summary: 'Read a voucher (the issuing clinic only), with its token and link to send again',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Voucher id', 'vch_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(VoucherSchema, 'The voucher'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetVoucher(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readVoucher(c.var.deps, { clinic: orgOf(c), voucherId: id });
    if (!out.ok) return refusal(c, out.error);
    const w = out.value;
    return c.json(voucherJson(w.voucher, c.var.clock.now(), w.token, w.url), 200);
  });
}
