import { listQuestionnaireVersions } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { QuestionnaireSchema, questionnaireJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/questionnaire/versions',
  operationId: 'listQuestionnaireVersions',
  tags: ['Questionnaires'],
  summary: "Every version of the clinic's questionnaire, newest first",
  description: 'What the `version` of a response refers to. The default (version 0) is listed last.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: {
    200: jsonContent(z.object({ data: z.array(QuestionnaireSchema) }), 'The versions'),
    ...commonErrors,
  },
});

export function registerListQuestionnaireVersions(app: App) {
  app.openapi(route, async (c) => {
    const versions = await listQuestionnaireVersions(c.var.deps, { clinic: orgOf(c) });
    return c.json({ data: versions.map(questionnaireJson) }, 200);
  });
}
