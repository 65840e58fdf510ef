import { listSegmentMembers } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  ListQuerySchema,
  listOf,
  problemResponses,
} from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { memberJson, SegmentMemberSchema } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/segments/{id}/members',
  operationId: 'listSegmentMembers',
  tags: ['Segments'],
  summary: 'The patients meeting a segment’s rules now, by patient id',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Segment id', 'seg_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(SegmentMemberSchema, 'SegmentMemberList'), 'A page of members'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerListSegmentMembers(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const out = await listSegmentMembers(c.var.deps, {
      clinic: orgOf(c),
      id,
      after: decodeCursor(cursor, 'pat') ?? null,
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    const { members, next } = out.value;
    return c.json({ data: members.map(memberJson), next_cursor: next ? encodeCursor(next) : null }, 200);
  });
}
