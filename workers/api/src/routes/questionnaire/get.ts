import { readQuestionnaire } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { QuestionnaireSchema, questionnaireJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/questionnaire',
  operationId: 'getQuestionnaire',
  tags: ['Questionnaires'],
  summary: "The clinic's questionnaire now (its latest version, or the default)",
  description:
    'The branch question’s options are the clinic’s branches now; it is left out when the clinic has none.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(QuestionnaireSchema, 'The questionnaire'), ...commonErrors },
});

export function registerGetQuestionnaire(app: App) {
  app.openapi(route, async (c) => {
    const v = await readQuestionnaire(c.var.deps, { clinic: orgOf(c) });
    return c.json(questionnaireJson(v), 200);
  });
}
