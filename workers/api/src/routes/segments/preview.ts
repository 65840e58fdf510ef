import { previewSegment } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { RulesSchema, rulesOf } from './schema';

const Body = z.object({ rules: RulesSchema }).strict().openapi('PreviewSegment');
const Count = z.object({ members: z.number().int() }).openapi('SegmentCount');

export const route = createRoute({
  method: 'post',
  path: '/v1/segments/preview',
  operationId: 'previewSegment',
  tags: ['Segments'],
  summary: 'Count the patients a rule set would hold, before saving it',
  description: 'Reads only; changes nothing.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(Body) },
  responses: {
    200: jsonContent(Count, 'How many of the clinic’s patients meet the rules now'),
    ...commonErrors,
  },
});

export function registerPreviewSegment(app: App) {
  app.openapi(route, async (c) => {
    const { rules } = c.req.valid('json');
    const out = await previewSegment(c.var.deps, { clinic: orgOf(c), rules: rulesOf(rules) });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ members: out.value.members }, 200);
  });
}
