import { savePlanTemplate } from '@gratia/plan';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SegmentKeyParam, TemplateInputSchema, TemplateSchema, templateJson } from './plan-schema';

export const route = createRoute({
  method: 'put',
  path: '/v1/plan/templates/{segment_key}',
  operationId: 'setPlanTemplate',
  tags: ['Plan'],
  summary: 'Set a segment’s plan template: interactions a year and their mix',
  description:
    'The mix’s counts add up to `interactions_per_year` (1 to 26: items are planned 14 days apart or more); a birthday at most once. A gift line may name a catalogue offer (active, priced in the clinic’s currency): its price is the line’s cost. Each save is a new version, with who set it. Owners and managers; any clinic API key. Plans follow the new template when they are next generated.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: SegmentKeyParam, body: jsonBody(TemplateInputSchema) },
  responses: {
    200: jsonContent(TemplateSchema, 'The template now in force'),
    ...commonErrors,
    ...problemResponses(404, 422),
  },
});

export function registerSetPlanTemplate(app: App) {
  app.openapi(route, async (c) => {
    const { segment_key } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await savePlanTemplate(c.var.deps, {
      clinic: orgOf(c),
      segmentKey: segment_key,
      name: b.name ?? null,
      priority: b.priority,
      interactionsPerYear: b.interactions_per_year,
      mix: b.mix.map((l) => ({
        kind: l.kind as never,
        channel: l.channel,
        count: l.count,
        offer_id: l.offer_id ?? null,
        cost_amount: l.cost_amount ?? null,
      })),
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(templateJson(out.value), 200);
  });
}
