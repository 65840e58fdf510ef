import { listSurveyResponses } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SurveyResponseSchema, surveyResponseJson } from './schema';

const Query = ListQuerySchema.extend({
  band: z
    .enum(['promoter', 'passive', 'detractor'])
    .optional()
    .openapi({ description: 'Only promoters (9-10), passives (7-8) or detractors (0-6)' }),
  quotable: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: '`true`: only recommendations the patient allowed the clinic to quote' }),
});

export const route = createRoute({
  method: 'get',
  path: '/v1/survey_responses',
  operationId: 'listSurveyResponses',
  tags: ['Feedback'],
  summary: 'The clinic’s satisfaction survey answers, newest first',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: Query },
  responses: {
    200: jsonContent(listOf(SurveyResponseSchema, 'SurveyResponseList'), 'A page of answers'),
    ...commonErrors,
  },
});

export function registerListSurveyResponses(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const out = await listSurveyResponses(c.var.deps, {
      clinic: orgOf(c),
      band: q.band,
      quotable: q.quotable === 'true',
      before: decodePositionCursor(q.cursor, 'svy'),
      limit: q.limit,
    });
    return c.json(
      {
        data: out.items.map(surveyResponseJson),
        next_cursor: out.next ? encodePositionCursor(out.next.at, out.next.id) : null,
      },
      200,
    );
  });
}
