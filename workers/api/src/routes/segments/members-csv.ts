import { segmentMembersCsv } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

export const route = createRoute({
  method: 'get',
  path: '/v1/segments/{id}/members.csv',
  operationId: 'getSegmentMembersCsv',
  tags: ['Segments'],
  summary: 'Every member of a segment, as CSV',
  description:
    'RFC 4180 (header row, CRLF, quoted where needed), UTF-8 without BOM, spend in major units with a currency column, formula-injection safe. Streamed 500 members at a time.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Segment id', 'seg_01JD0000000000000000000000') },
  responses: {
    200: {
      description: 'The members, one row each',
      content: { 'text/csv': { schema: z.string().openapi({ example: 'patient_id,first_name,...' }) } },
    },
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerSegmentMembersCsv(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await segmentMembersCsv(c.var.deps, { clinic: orgOf(c), id });
    if (!out.ok) return refusal(c, out.error);
    return new Response(out.value, {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="segment-${id}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
