import { listCodeWords } from '@gratia/loyalty';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { CodeWordSchema, codeWordJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/code-words',
  operationId: 'listCodeWords',
  tags: ['Code words'],
  summary: 'The clinic’s code word campaigns, newest first, with their uses',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(CodeWordSchema, 'CodeWordList'), 'A page of campaigns'),
    ...commonErrors,
  },
});

export function registerListCodeWords(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const out = await listCodeWords(c.var.deps, {
      clinic: orgOf(c),
      before: decodeCursor(cursor, 'cwd') ?? null,
      limit,
    });
    return c.json(
      { data: out.codeWords.map(codeWordJson), next_cursor: out.next ? encodeCursor(out.next) : null },
      200,
    );
  });
}
