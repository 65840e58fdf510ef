import { vouchers } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { voucherToken, voucherUrl } from '../../lib/vouchers';
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
    const clinic = orgOf(c);
    const { db, clock } = c.var;
    const now = clock.now();
    const mine = and(eq(vouchers.id, id), eq(vouchers.clinicId, clinic.organizationId));
    // One round trip: the guarded transition, then the row as it now is.
    const [, after] = await db.batch([
      db
        .update(vouchers)
        .set({ status: 'voided', voidedAt: now, voidReason: reason, updatedAt: now })
        .where(and(mine, eq(vouchers.status, 'issued'))),
      db.select().from(vouchers).where(mine),
    ]);
    const row = after[0];
    if (!row) return problem(c, 'voucher_not_found', `No voucher ${id}`);
    if (row.status === 'redeemed')
      return problem(c, 'voucher_already_redeemed', 'A redeemed voucher cannot be voided');
    const token = await voucherToken(c, row);
    return c.json(voucherJson(row, now, token, token && voucherUrl(c, token)), 200);
  });
}
