import { segmentMonths } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SegmentMonthSchema } from './schema';

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
  .optional();

export const route = createRoute({
  method: 'get',
  path: '/v1/segments/{id}/months',
  operationId: 'getSegmentMonths',
  tags: ['Segments'],
  summary: 'A segment’s members and average engagement, month by month',
  description:
    'From the daily snapshots (the month’s row is rewritten each day, so a past month holds its month-end figures). By default the last 12 months; at most 24.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    params: IdParam('Segment id', 'seg_01JD0000000000000000000000'),
    query: z.object({
      from: Month.openapi({ description: 'First month, YYYY-MM', example: '2026-01' }),
      to: Month.openapi({ description: 'Last month, YYYY-MM (default: this month)', example: '2026-11' }),
    }),
  },
  responses: {
    200: jsonContent(
      z
        .object({ from: z.string(), to: z.string(), months: z.array(SegmentMonthSchema) })
        .openapi('SegmentMonths'),
      'The months',
    ),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerSegmentMonths(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { from, to } = c.req.valid('query');
    const out = await segmentMonths(c.var.deps, { clinic: orgOf(c), id, from, to });
    if (!out.ok) return refusal(c, out.error);
    return c.json(out.value, 200);
  });
}
