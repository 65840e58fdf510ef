import { vouchers } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt, lte, type SQL } from 'drizzle-orm';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { voucherToken, voucherUrl } from '../../lib/vouchers';
import { authorize, orgOf } from '../../middleware/auth';
import { VoucherSchema, voucherJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/vouchers',
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
    const clinic = orgOf(c);
    const now = c.var.clock.now();
    const after = decodeCursor(q.cursor, 'vch');
    // "expired" is derived: issued and past its expiry. "issued" means still usable.
    const status: Record<string, SQL | undefined> = {
      issued: and(eq(vouchers.status, 'issued'), gt(vouchers.expiresAt, now)),
      expired: and(eq(vouchers.status, 'issued'), lte(vouchers.expiresAt, now)),
      redeemed: eq(vouchers.status, 'redeemed'),
      voided: eq(vouchers.status, 'voided'),
    };
    const rows = await c.var.db
      .select()
      .from(vouchers)
      .where(
        and(
          eq(vouchers.clinicId, clinic.organizationId),
          q.patient_id ? eq(vouchers.patientId, q.patient_id) : undefined,
          q.status ? status[q.status] : undefined,
          after ? gt(vouchers.id, after) : undefined,
        ),
      )
      .orderBy(asc(vouchers.id))
      .limit(q.limit + 1);
    const { rows: kept, nextCursor } = page(rows, q.limit);
    const data = await Promise.all(
      kept.map(async (v) => {
        const token = await voucherToken(c, v);
        return voucherJson(v, now, token, token && voucherUrl(c, token));
      }),
    );
    return c.json({ data, next_cursor: nextCursor }, 200);
  });
}
