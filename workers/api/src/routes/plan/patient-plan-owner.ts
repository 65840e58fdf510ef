import { setPlanOwner } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PatientPlanSchema, planJson } from './plan-schema';

const Body = z
  .object({
    owner_staff_id: z.string().max(64).nullable().openapi({ description: 'The new owner; null: nobody' }),
  })
  .strict()
  .openapi('SetPatientPlanOwner');

export const route = createRoute({
  method: 'patch',
  path: '/v1/patients/{id}/plan',
  operationId: 'setPatientPlanOwner',
  tags: ['Plan'],
  summary: 'Hand a patient’s plan to another staff member',
  description:
    'The planned items the previous owner had go with it. Owners and managers, and the plan’s own owner. No plan yet: `404 plan_not_found`; a staff member who is not the clinic’s: `404 staff_not_found`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(PatientPlanSchema, 'The plan with its new owner'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerSetPatientPlanOwner(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { owner_staff_id } = c.req.valid('json');
    const out = await setPlanOwner(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      ownerStaffId: owner_staff_id,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(planJson(out.value), 200);
  });
}
