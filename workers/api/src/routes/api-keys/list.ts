import { listApiKeys } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, IdParam, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { ApiKeySchema, apiKeyJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/organizations/{id}/api_keys',
  operationId: 'listApiKeys',
  tags: ['Network'],
  summary: "List an organisation's API keys (never their secrets)",
  security: [{ bearer: [] }],
  middleware: [authorize('operator')] as const,
  request: { params: IdParam('Organisation id', 'org_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(ApiKeySchema, 'ApiKeyList'), 'A page of keys'),
    ...commonErrors,
  },
});

export function registerListApiKeys(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const rows = await listApiKeys(c.var.deps, {
      organizationId: id,
      after: decodeCursor(q.cursor, 'key'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(apiKeyJson), next_cursor: nextCursor }, 200);
  });
}
