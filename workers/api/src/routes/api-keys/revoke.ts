import { apiKeys } from '@gratia/db';
import { createRoute } from '@hono/zod-openapi';
import { and, eq, isNull } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { ApiKeySchema, apiKeyJson } from './schema';

export const route = createRoute({
  method: 'delete',
  path: '/v1/api_keys/{id}',
  tags: ['Network'],
  summary: 'Revoke an API key; its secret stops working at once',
  description:
    'The operator may revoke any key; an organisation may revoke its own keys. Revoking twice is harmless.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  request: { params: IdParam('API key id', 'key_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(ApiKeySchema, 'The revoked key'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerRevokeApiKey(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { db, clock, principal } = c.var;
    const mine =
      principal.role === 'operator' ? undefined : eq(apiKeys.organizationId, principal.organizationId);
    const [updated, current] = await db.batch([
      db
        .update(apiKeys)
        .set({ revokedAt: clock.now() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), mine))
        .returning(),
      db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), mine)),
    ]);
    const row = updated[0] ?? current[0];
    if (!row) return problem(c, 'api_key_not_found', `No API key ${id}`);
    return c.json(apiKeyJson(row), 200);
  });
}
