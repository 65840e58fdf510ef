import { readPlanTemplates } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { TemplateSchema, templateJson } from './plan-schema';

const TemplateList = z.object({ data: z.array(TemplateSchema) }).openapi('PlanTemplateList');

export const route = createRoute({
  method: 'get',
  path: '/v1/plan/templates',
  operationId: 'listPlanTemplates',
  tags: ['Plan'],
  summary: 'The clinic’s plan templates, per A/B/C class and custom segment',
  description:
    'A, B and C first (a class the clinic has not set is its default, `default: true`: A 9, B 7, C 4 interactions a year), then the custom segments’ templates by priority. Owners and managers; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(TemplateList, 'The templates'), ...commonErrors },
});

export function registerListPlanTemplates(app: App) {
  app.openapi(route, async (c) => {
    const out = await readPlanTemplates(c.var.deps, { clinic: orgOf(c) });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ data: out.value.templates.map(templateJson) }, 200);
  });
}
