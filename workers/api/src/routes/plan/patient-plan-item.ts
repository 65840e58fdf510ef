import { addPlanItem } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import {
  DateSchema,
  itemJson,
  PatientPlanItemSchema,
  PlanChannelSchema,
  PlanKindSchema,
} from './plan-schema';

const Body = z
  .object({
    kind: PlanKindSchema,
    channel: PlanChannelSchema,
    due_on: DateSchema,
    purpose: z.string().trim().min(1).max(300).optional(),
    owner_staff_id: z.string().max(64).optional().openapi({
      description: 'By default the plan’s owner, else the staff member adding it',
    }),
    cost_amount: z.number().int().min(0).max(100_000_000).optional().openapi({
      description: 'A gift’s cost in minor units of the clinic’s currency',
    }),
  })
  .strict()
  .openapi('AddPlanItem');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/plan/items',
  operationId: 'addPlanItem',
  tags: ['Plan'],
  summary: 'Add an item of staff’s own to a patient’s plan',
  description:
    'Due from 30 days ago to two years ahead; kept through regenerations (`source: staff`). Every clinic role; accepts `Idempotency-Key`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    201: jsonContent(PatientPlanItemSchema, 'The item'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerAddPlanItem(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await addPlanItem(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      kind: b.kind,
      channel: b.channel,
      dueOn: b.due_on,
      purpose: b.purpose ?? null,
      ownerStaffId: b.owner_staff_id ?? null,
      costAmount: b.cost_amount ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(itemJson(out.value), 201);
  });
}
