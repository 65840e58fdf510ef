import { offers } from '@gratia/db';
import { createRoute } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { OfferSchema, offerJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/offers/{id}',
  tags: ['Catalogue'],
  summary: 'Read one offer of the catalogue',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic', 'partner', 'operator')] as const,
  request: { params: IdParam('Offer id', 'off_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(OfferSchema, 'The offer'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetOffer(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const [row] = await c.var.db.select().from(offers).where(eq(offers.id, id));
    // Clinics browse the active catalogue only; an inactive offer is not theirs to see.
    if (!row || (c.var.principal.role === 'clinic' && !row.active))
      return problem(c, 'offer_not_found', `No offer ${id}`);
    return c.json(offerJson(row), 200);
  });
}
