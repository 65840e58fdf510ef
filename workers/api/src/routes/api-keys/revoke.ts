import { revokeApiKey } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { ApiKeySchema, apiKeyJson } from './schema';

export const route = createRoute({
  method: 'delete',
  path: '/v1/api_keys/{id}',
  operationId: 'revokeApiKey',
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
    const out = await revokeApiKey(c.var.deps, { principal: principalOf(c), keyId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(apiKeyJson(out.value), 200);
  });
}
