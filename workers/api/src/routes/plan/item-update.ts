import { PLAN_ITEM_STATUSES } from '@gratia/db';
import { updatePlanItem } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PlanDateSchema, PlanItemSchema, planItemJson } from './agenda-schema';

const Body = z
  .object({
    status: z.enum(PLAN_ITEM_STATUSES).optional().openapi({
      description: '`done` (needs an `outcome`) or `skipped`; `planned` reopens it (owners and managers)',
    }),
    outcome: z.string().max(500).nullable().optional().openapi({ example: 'Booked a facial for next week' }),
    due_on: PlanDateSchema.optional(),
    owner_staff_id: z
      .string()
      .max(64)
      .nullable()
      .optional()
      .openapi({ description: 'Hand it to another staff member (owners and managers); null: nobody’s' }),
  })
  .strict()
  .openapi('UpdatePlanItem');

export const route = createRoute({
  method: 'patch',
  path: '/v1/plan/items/{id}',
  operationId: 'updatePlanItem',
  tags: ['Plan'],
  summary: 'Mark an item of the plan done or skipped, move it or hand it on',
  description:
    'Marking an item done needs an `outcome` (what came of it); done and skipped record when and by whom. Staff members other than owners and managers change only the items they own and may not reopen or hand them on (403 `forbidden`, saying why); an API key acts for the whole clinic.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Plan item id', 'pli_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(PlanItemSchema, 'The item as it is now'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerUpdatePlanItem(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const p = orgOf(c);
    const out = await updatePlanItem(c.var.deps, {
      clinic: p,
      itemId: id,
      status: b.status,
      outcome: b.outcome,
      dueOn: b.due_on,
      ownerStaffId: b.owner_staff_id,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(planItemJson(out.value, p.organization.currency), 200);
  });
}
