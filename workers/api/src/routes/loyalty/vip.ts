import { listVips, MAX_VIP_REASON, markVip, unmarkVip } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonBody,
  jsonContent,
  ListQuerySchema,
  listOf,
  problemResponses,
} from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { VipListItemSchema, VipStatusSchema, vipItemJson, vipStatusJson } from './schema';

const Patient = IdParam('Patient id', 'pat_01JD0000000000000000000000');

export const markRoute = createRoute({
  method: 'put',
  path: '/v1/patients/{id}/vip',
  operationId: 'markVip',
  tags: ['Loyalty settings'],
  summary: 'Mark a patient VIP by hand',
  description:
    'Marks the patient VIP (or changes the reason): owners and managers in the console; any clinic API key. A VIP gets the clinic’s perks and, if the clinic sets one, a yearly limit on gifts.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    params: Patient,
    body: jsonBody(
      z
        .object({ reason: z.string().trim().max(MAX_VIP_REASON).nullable().optional() })
        .strict()
        .openapi('VipMark'),
    ),
  },
  responses: {
    200: jsonContent(VipStatusSchema, 'The patient’s VIP state'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export const unmarkRoute = createRoute({
  method: 'delete',
  path: '/v1/patients/{id}/vip',
  operationId: 'unmarkVip',
  tags: ['Loyalty settings'],
  summary: 'Remove a patient’s VIP mark',
  description:
    'Removes the hand mark (nothing to remove is not an error). A member of the clinic’s VIP segment stays VIP: the answer says so.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: Patient },
  responses: {
    200: jsonContent(VipStatusSchema, 'The patient’s VIP state'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export const listRoute = createRoute({
  method: 'get',
  path: '/v1/vip',
  operationId: 'listVips',
  tags: ['Loyalty settings'],
  summary: 'The clinic’s VIPs, by hand and by segment, with their gifts this year',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(VipListItemSchema, 'VipList'), 'A page of VIPs in patient id order'),
    ...commonErrors,
  },
});

export function registerVip(app: App) {
  app.openapi(markRoute, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await markVip(c.var.deps, { clinic: orgOf(c), patientId: id, reason: b.reason || null });
    if (!out.ok) return refusal(c, out.error);
    return c.json(vipStatusJson(out.value), 200);
  });
  app.openapi(unmarkRoute, async (c) => {
    const { id } = c.req.valid('param');
    const out = await unmarkVip(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(vipStatusJson(out.value), 200);
  });
  app.openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const out = await listVips(c.var.deps, {
      clinic: orgOf(c),
      after: decodeCursor(cursor, 'pat'),
      limit: Math.min(limit, 100),
    });
    return c.json(
      { data: out.items.map(vipItemJson), next_cursor: out.next ? encodeCursor(out.next) : null },
      200,
    );
  });
}
