import { toIso } from '@gratia/core';
import { archiveSegment } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses, TimestampSchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

const Archived = z.object({ id: z.string(), archived_at: TimestampSchema }).openapi('ArchivedSegment');

export const route = createRoute({
  method: 'delete',
  path: '/v1/segments/{id}',
  operationId: 'archiveSegment',
  tags: ['Segments'],
  summary: 'Archive a segment',
  description:
    'The segment leaves the lists and is no longer snapshotted; its past months stay. Archiving it again is 404.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Segment id', 'seg_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(Archived, 'Archived'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerArchiveSegment(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await archiveSegment(c.var.deps, { clinic: orgOf(c), id });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ id: out.value.id, archived_at: toIso(out.value.archivedAt) }, 200);
  });
}
