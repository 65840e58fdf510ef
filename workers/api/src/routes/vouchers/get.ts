import { vouchers } from '@gratia/db';
import { createRoute } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { voucherToken, voucherUrl } from '../../lib/vouchers';
import { authorize, orgOf } from '../../middleware/auth';
import { VoucherSchema, voucherJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/vouchers/{id}',
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
    const clinic = orgOf(c);
    const [row] = await c.var.db
      .select()
      .from(vouchers)
      .where(and(eq(vouchers.id, id), eq(vouchers.clinicId, clinic.organizationId)));
    if (!row) return problem(c, 'voucher_not_found', `No voucher ${id}`);
    const token = await voucherToken(c, row);
    return c.json(voucherJson(row, c.var.clock.now(), token, token && voucherUrl(c, token)), 200);
  });
}
