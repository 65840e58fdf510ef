import { listSuggestions } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SuggestionSchema, SuggestionStatusSchema, suggestionJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/suggestions',
  operationId: 'listSuggestions',
  tags: ['Feedback'],
  summary: 'What patients suggested the clinic could do better, newest first',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: ListQuerySchema.extend({
      status: SuggestionStatusSchema.optional().openapi({ description: 'Only suggestions in this state' }),
    }),
  },
  responses: {
    200: jsonContent(listOf(SuggestionSchema, 'SuggestionList'), 'A page of suggestions'),
    ...commonErrors,
  },
});

export function registerListSuggestions(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const out = await listSuggestions(c.var.deps, {
      clinic: orgOf(c),
      status: q.status,
      before: decodePositionCursor(q.cursor, 'sug'),
      limit: q.limit,
    });
    return c.json(
      {
        data: out.items.map(suggestionJson),
        next_cursor: out.next ? encodePositionCursor(out.next.at, out.next.id) : null,
      },
      200,
    );
  });
}
