import { listPatientRewards } from '@gratia/loyalty';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  ListQuerySchema,
  listOf,
  problemResponses,
} from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { RewardSchema, rewardJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/rewards',
  operationId: 'listPatientRewards',
  tags: ['Rewards'],
  summary: 'What the offer rules gave a patient, newest first',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(RewardSchema, 'RewardList'), 'A page of the patient’s rewards'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerListPatientRewards(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const out = await listPatientRewards(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      before: decodeCursor(cursor, 'rwd'),
      limit: Math.min(limit, 100),
    });
    if (!out.ok) return refusal(c, out.error);
    const { items, next } = out.value;
    return c.json({ data: items.map(rewardJson), next_cursor: next ? encodeCursor(next) : null }, 200);
  });
}
