import { issueApiKey } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { ApiKeySchema, apiKeyJson } from './schema';

const Body = z
  .object({ name: z.string().trim().min(1).max(100).optional() })
  .strict()
  .openapi('CreateApiKey');

const Created = ApiKeySchema.extend({
  secret: z.string().openapi({ description: 'Shown only in this response; store it now' }),
}).openapi('CreatedApiKey');

export const route = createRoute({
  method: 'post',
  path: '/v1/organizations/{id}/api_keys',
  operationId: 'createApiKey',
  tags: ['Network'],
  summary: 'Issue an API key to an organisation (the secret is shown once)',
  security: [{ bearer: [] }],
  middleware: [authorize('operator'), idempotency] as const,
  request: {
    params: IdParam('Organisation id', 'org_01JD0000000000000000000000'),
    body: { ...jsonBody(Body), required: false },
  },
  responses: {
    201: jsonContent(Created, 'The key, with its secret'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerCreateApiKey(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json') ?? {};
    const out = await issueApiKey(c.var.deps, { organizationId: id, name: body.name });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ ...apiKeyJson(out.value.key), secret: out.value.secret }, 201);
  });
}
