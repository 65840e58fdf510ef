import { readNps } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { MonthSchema } from '../reports/schema';
import { NpsSchema, npsJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/nps',
  operationId: 'getNps',
  tags: ['Feedback'],
  summary: 'The clinic’s Net Promoter Score per month and over the range',
  description:
    'Promoters answer 9-10, passives 7-8, detractors 0-6; NPS is the percentage of promoters less the percentage of detractors, rounded (null for a month without answers). Months are the clinic’s calendar months; every month of the range is present. Read from counts kept per month as answers arrive: the cost does not grow with the number of answers. At most 36 months.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: z.object({
      from: MonthSchema.optional().openapi({
        description: 'The first month; default: 11 months before `to`',
      }),
      to: MonthSchema.optional().openapi({ description: 'The last month; default: the current month' }),
    }),
  },
  responses: { 200: jsonContent(NpsSchema, 'The months asked'), ...commonErrors },
});

export function registerGetNps(app: App) {
  app.openapi(route, async (c) => {
    const out = await readNps(c.var.deps, { clinic: orgOf(c), ...c.req.valid('query') });
    if (!out.ok) return refusal(c, out.error);
    return c.json(npsJson(out.value), 200);
  });
}
