import { listCallOutcomes } from '@gratia/points';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
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
import { CallRecordSchema, callRecordJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/call_outcomes',
  operationId: 'listCallOutcomes',
  tags: ['Bonus points'],
  summary: 'The calls made to a patient, newest first, with who made each',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(CallRecordSchema, 'CallOutcomeList'), 'A page of the patient’s calls'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerListCallOutcomes(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const out = await listCallOutcomes(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      before: decodePositionCursor(cursor, 'cal'),
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    const { records, next } = out.value;
    return c.json(
      {
        data: records.map(callRecordJson),
        next_cursor: next ? encodePositionCursor(next.at, next.id) : null,
      },
      200,
    );
  });
}
