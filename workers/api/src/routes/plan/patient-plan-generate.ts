import { generatePatientPlan } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { PatientPlanSchema, planJson } from './plan-schema';

const Body = z
  .object({
    owner_staff_id: z.string().max(64).optional().openapi({
      description:
        'Who owns the plan (its items’ owner). By default the plan’s current owner, else the staff member generating it; an API key without one leaves it empty.',
    }),
  })
  .strict()
  .openapi('GeneratePatientPlan');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/plan',
  operationId: 'generatePatientPlan',
  tags: ['Plan'],
  summary: 'Generate or regenerate a patient’s plan for the next 12 months',
  description:
    'From the template of the patient’s segment: dated items spread 14 days apart or more, the birthday’s a week before it. Regenerating replaces only the planned template items from today on: items done or skipped, and those added by events or staff, stay; what was done recently counts toward the year. Every clinic role; accepts `Idempotency-Key`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(PatientPlanSchema, 'The plan as generated'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerGeneratePatientPlan(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { owner_staff_id } = c.req.valid('json');
    const out = await generatePatientPlan(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      ownerStaffId: owner_staff_id ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(planJson(out.value), 200);
  });
}
