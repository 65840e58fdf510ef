import { updateSegment } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { DescriptionSchema, NameSchema, RulesSchema, rulesOf, SegmentSchema, segmentJson } from './schema';

const Body = z
  .object({
    name: NameSchema.optional(),
    description: DescriptionSchema.optional(),
    rules: RulesSchema.optional(),
  })
  .strict()
  .openapi('UpdateSegment');

export const route = createRoute({
  method: 'patch',
  path: '/v1/segments/{id}',
  operationId: 'updateSegment',
  tags: ['Segments'],
  summary: 'Rename, describe or change the rules of a segment',
  description: 'Only the fields given change; `description: null` makes a persona a plain segment again.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Segment id', 'seg_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(SegmentSchema, 'The segment, with its live count'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerUpdateSegment(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { name, description, rules } = c.req.valid('json');
    const out = await updateSegment(c.var.deps, {
      clinic: orgOf(c),
      id,
      name,
      description,
      rules: rules ? rulesOf(rules) : undefined,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(segmentJson(out.value), 200);
  });
}
