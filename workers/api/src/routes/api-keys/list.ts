import { apiKeys } from '@gratia/db';
import { createRoute } from '@hono/zod-openapi';
import { and, asc, eq, gt } from 'drizzle-orm';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, IdParam, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { ApiKeySchema, apiKeyJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/organizations/{id}/api_keys',
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
    const after = decodeCursor(q.cursor, 'key');
    const rows = await c.var.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.organizationId, id), after ? gt(apiKeys.id, after) : undefined))
      .orderBy(asc(apiKeys.id))
      .limit(q.limit + 1);
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(apiKeyJson), next_cursor: nextCursor }, 200);
  });
}
