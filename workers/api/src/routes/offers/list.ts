import { PARTNER_CATEGORIES } from '@gratia/db';
import { listOffers } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { OfferSchema, offerJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/offers',
  operationId: 'listOffers',
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

export function registerListOffers(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const rows = await listOffers(c.var.deps, {
      principal: principalOf(c),
      category: q.category,
      partnerId: q.partner_id,
      q: q.q,
      after: decodeCursor(q.cursor, 'off'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json(
      { data: kept.map((o) => offerJson(o, c.var.deps.config.baseUrl)), next_cursor: nextCursor },
      200,
    );
  });
}
