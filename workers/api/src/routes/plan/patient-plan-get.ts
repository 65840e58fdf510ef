import { readPatientPlan } from '@gratia/plan';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PatientPlanSchema, planJson } from './plan-schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/plan',
  operationId: 'getPatientPlan',
  tags: ['Plan'],
  summary: 'A patient’s plan: its owner, the template that applies, and its dated items',
  description:
    'Items from 30 days ago onward and those done in the last 12 months, by due date; `plan` is null until one is generated. Every clinic role.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(PatientPlanSchema, 'The plan'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetPatientPlan(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readPatientPlan(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(planJson(out.value), 200);
  });
}
