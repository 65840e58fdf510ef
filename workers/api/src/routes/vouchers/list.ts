import { listVouchers } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { VoucherSchema, voucherJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/vouchers',
  operationId: 'listVouchers',
  tags: ['Vouchers'],
  summary: "List the clinic's vouchers, by patient and status",
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: ListQuerySchema.extend({
      patient_id: z.string().max(64).optional(),
      status: z.enum(['issued', 'redeemed', 'voided', 'expired']).optional(),
    }),
  },
  responses: {
    200: jsonContent(listOf(VoucherSchema, 'VoucherList'), 'A page of vouchers'),
    ...commonErrors,
  },
});

export function registerListVouchers(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const rows = await listVouchers(c.var.deps, {
      clinic: orgOf(c),
      patientId: q.patient_id,
      status: q.status,
      after: decodeCursor(q.cursor, 'vch'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(
      rows.map((w) => ({ ...w, id: w.voucher.id })),
      q.limit,
    );
    const now = c.var.clock.now();
    return c.json(
      { data: kept.map((w) => voucherJson(w.voucher, now, w.token, w.url)), next_cursor: nextCursor },
      200,
    );
  });
}
