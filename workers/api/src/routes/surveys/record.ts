import { recordSurveyResponse } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { SurveyAnswerBody, SurveyResponseSchema, surveyResponseJson } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/survey_responses',
  operationId: 'recordSurveyResponse',
  tags: ['Feedback'],
  summary: 'Record a patient’s satisfaction survey answer given to staff',
  description:
    'For an answer given on paper or by phone (patients answer on their own survey link otherwise). Counted in the clinic’s NPS of the current month (its timezone); a non-empty `improvement` becomes a suggestion on the board (status `new`); the patient’s satisfaction (their loyalty quadrant’s) is updated in the same batch.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: {
    params: IdParam('Patient id', 'pat_01JD0000000000000000000000'),
    body: jsonBody(SurveyAnswerBody),
  },
  responses: {
    201: jsonContent(SurveyResponseSchema, 'The answer, as recorded'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerRecordSurveyResponse(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await recordSurveyResponse(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      score: b.score,
      improvement: b.improvement,
      recommendation: b.recommendation,
      quotePermission: b.quote_permission,
      source: 'api',
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(surveyResponseJson(out.value), 201);
  });
}
