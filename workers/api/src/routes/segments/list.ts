import { listSegments } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SegmentSchema, segmentJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/segments',
  operationId: 'listSegments',
  tags: ['Segments'],
  summary: 'The clinic’s saved segments and personas, by name, each with its live count',
  description:
    'Each count is evaluated now, over the clinic’s patients (their pre-aggregated insight rows), in the same query as the list: at most 20 segments a page.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(20)
        .default(20)
        .openapi({ description: 'Page size, 1 to 20' }),
      cursor: z.string().max(200).optional().openapi({ description: 'Opaque cursor from next_cursor' }),
    }),
  },
  responses: {
    200: jsonContent(listOf(SegmentSchema, 'SegmentList'), 'A page of segments'),
    ...commonErrors,
  },
});

export function registerListSegments(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const out = await listSegments(c.var.deps, {
      clinic: orgOf(c),
      after: decodeCursor(cursor, 'seg') ?? null,
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    const { segments, next } = out.value;
    return c.json({ data: segments.map(segmentJson), next_cursor: next ? encodeCursor(next) : null }, 200);
  });
}
