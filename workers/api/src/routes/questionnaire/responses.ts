import { listQuestionnaireResponses } from '@gratia/insight';
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
import { QuestionnaireResponseSchema, responseJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/questionnaire_responses',
  operationId: 'listQuestionnaireResponses',
  tags: ['Questionnaires'],
  summary: "A patient's questionnaire answers, newest first",
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(QuestionnaireResponseSchema, 'QuestionnaireResponseList'), 'A page of responses'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerListQuestionnaireResponses(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const out = await listQuestionnaireResponses(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      before: decodePositionCursor(cursor, 'qrs'),
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    const { responses, next } = out.value;
    return c.json(
      {
        data: responses.map(responseJson),
        next_cursor: next ? encodePositionCursor(next.at, next.id) : null,
      },
      200,
    );
  });
}
