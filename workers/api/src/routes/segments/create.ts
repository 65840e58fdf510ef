import { createSegment } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { DescriptionSchema, NameSchema, RulesSchema, rulesOf, SegmentSchema, segmentJson } from './schema';

const Body = z
  .object({ name: NameSchema, description: DescriptionSchema.optional(), rules: RulesSchema })
  .strict()
  .openapi('CreateSegment');

export const route = createRoute({
  method: 'post',
  path: '/v1/segments',
  operationId: 'createSegment',
  tags: ['Segments'],
  summary: 'Save a segment (a persona, with a description)',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(SegmentSchema, 'The segment, with its live count'),
    ...commonErrors,
    ...problemResponses(409, 422),
  },
});

export function registerCreateSegment(app: App) {
  app.openapi(route, async (c) => {
    const { name, description, rules } = c.req.valid('json');
    const out = await createSegment(c.var.deps, {
      clinic: orgOf(c),
      name,
      description,
      rules: rulesOf(rules),
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(segmentJson(out.value), 201);
  });
}
