import { saveQuestionnaire } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { QuestionnaireInputSchema, QuestionnaireSchema, questionnaireJson } from './schema';

export const route = createRoute({
  method: 'put',
  path: '/v1/questionnaire',
  operationId: 'saveQuestionnaire',
  tags: ['Questionnaires'],
  summary: "Save a new version of the clinic's questionnaire",
  description:
    'Every save is a new version, kept whole: answers name the version they answered. Keep question ids stable so answers carry across versions. Owners and managers (or an API key).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(QuestionnaireInputSchema) },
  responses: {
    200: jsonContent(QuestionnaireSchema, 'The new version, now in force'),
    ...commonErrors,
    ...problemResponses(422),
  },
});

export function registerPutQuestionnaire(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await saveQuestionnaire(c.var.deps, {
      clinic: orgOf(c),
      title: b.title,
      intro: b.intro ?? null,
      questions: b.questions,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(questionnaireJson(out.value), 200);
  });
}
