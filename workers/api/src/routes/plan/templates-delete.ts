import { resetPlanTemplate } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SegmentKeyParam, TemplateSchema, templateJson } from './plan-schema';

const Reset = z
  .object({
    segment_key: z.string(),
    template: TemplateSchema.nullable().openapi({
      description:
        'The class’s default now in force; null for a custom segment (its patients follow their class)',
    }),
  })
  .openapi('PlanTemplateReset');

export const route = createRoute({
  method: 'delete',
  path: '/v1/plan/templates/{segment_key}',
  operationId: 'resetPlanTemplate',
  tags: ['Plan'],
  summary: 'Take a segment back to the default plan',
  description:
    'Removes the clinic’s own template: a class goes back to its default, a custom segment’s patients to their class’s. Items already planned stay as they are. A segment without a template of its own is `404 plan_template_not_found`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: SegmentKeyParam },
  responses: {
    200: jsonContent(Reset, 'Back to the default'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerResetPlanTemplate(app: App) {
  app.openapi(route, async (c) => {
    const { segment_key } = c.req.valid('param');
    const out = await resetPlanTemplate(c.var.deps, { clinic: orgOf(c), segmentKey: segment_key });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ segment_key, template: out.value ? templateJson(out.value) : null }, 200);
  });
}
