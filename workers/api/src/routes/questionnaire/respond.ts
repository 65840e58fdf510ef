import { submitAnswers } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { AnswerValueSchema, QuestionnaireResponseSchema, responseJson } from './schema';

const Body = z
  .object({
    version: z.number().int().min(0).openapi({ description: 'The version answered (0: the default)' }),
    answers: z.record(z.string().max(40), AnswerValueSchema).openapi({
      description: 'By question id',
      example: { interests: ['massage', 'reading'], contact_channel: 'email', birthday: '1985-04-12' },
    }),
    consent: z
      .object({ email: z.boolean().optional(), sms: z.boolean().optional() })
      .strict()
      .optional()
      .openapi({
        description:
          'Consent given or withdrawn on the questionnaire, with its wording (kept as proof with its version); only a change is recorded',
      }),
  })
  .strict()
  .openapi('SubmitQuestionnaireResponse');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/questionnaire_responses',
  operationId: 'submitQuestionnaireResponse',
  tags: ['Questionnaires'],
  summary: "Record a patient's answers to the clinic's questionnaire",
  description:
    'Checked against the version named (422 `invalid_answers` names each question). The answers become the patient’s preference tags, partner categories, preferred branch, channel and time, and birth month; a birthday fills the birth date when unknown.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    201: jsonContent(QuestionnaireResponseSchema, 'The response, as recorded'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerSubmitQuestionnaireResponse(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await submitAnswers(c.var.deps, {
      source: 'api',
      clinic: orgOf(c),
      patientId: id,
      version: b.version,
      answers: b.answers,
      consent: b.consent,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(responseJson(out.value.response!), 201);
  });
}
