import { getSegment } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SegmentSchema, segmentJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/segments/{id}',
  operationId: 'getSegment',
  tags: ['Segments'],
  summary: 'A segment, with its live count',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Segment id', 'seg_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(SegmentSchema, 'The segment'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetSegment(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await getSegment(c.var.deps, { clinic: orgOf(c), id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(segmentJson(out.value), 200);
  });
}
