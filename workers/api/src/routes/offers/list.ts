import { offers, PARTNER_CATEGORIES } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { OfferSchema, offerJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/offers',
  tags: ['Catalogue'],
  summary: "Browse the network's catalogue",
  description: 'Clinics see active offers only; partners and the operator also see inactive ones.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic', 'partner', 'operator')] as const,
  request: {
    query: ListQuerySchema.extend({
      category: z.enum(PARTNER_CATEGORIES).optional(),
      partner_id: z.string().max(64).optional(),
      q: z.string().trim().min(1).max(200).optional(),
    }),
  },
  responses: {
    200: jsonContent(listOf(OfferSchema, 'OfferList'), 'A page of offers'),
    ...commonErrors,
  },
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

export function registerListOffers(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor, 'off');
    const needle = q.q ? `%${escapeLike(q.q.toLowerCase())}%` : null;
    const rows = await c.var.db
      .select()
      .from(offers)
      .where(
        and(
          c.var.principal.role === 'clinic' ? eq(offers.active, true) : undefined,
          q.category ? eq(offers.category, q.category) : undefined,
          q.partner_id ? eq(offers.partnerId, q.partner_id) : undefined,
          needle
            ? or(
                sql`lower(${offers.title}) like ${needle} escape '\\'`,
                sql`lower(coalesce(${offers.description}, '')) like ${needle} escape '\\'`,
              )
            : undefined,
          after ? gt(offers.id, after) : undefined,
        ),
      )
      .orderBy(asc(offers.id))
      .limit(q.limit + 1);
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(offerJson), next_cursor: nextCursor }, 200);
  });
}
