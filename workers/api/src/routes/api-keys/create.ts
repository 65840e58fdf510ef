import { newId, randomToken, sha256Hex } from '@gratia/core';
import { apiKeys, organizations } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { ApiKeySchema, apiKeyJson } from './schema';

/** Secrets carry 256 bits of randomness; the readable prefix says which kind of organisation holds them. */
export function newApiKeySecret(kind: 'clinic' | 'partner'): string {
  return `gr_${kind === 'clinic' ? 'cln' : 'ptn'}_${randomToken(32)}`;
}

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
    const { db, clock } = c.var;
    const [org] = await db
      .select({ id: organizations.id, kind: organizations.kind })
      .from(organizations)
      .where(eq(organizations.id, id));
    if (!org) return problem(c, 'organization_not_found', `No organisation ${id}`);
    const now = clock.now();
    const secret = newApiKeySecret(org.kind);
    const [row] = await db
      .insert(apiKeys)
      .values({
        id: newId('key', now),
        organizationId: org.id,
        name: body.name ?? null,
        prefix: secret.slice(0, 14),
        secretHash: await sha256Hex(secret),
        createdAt: now,
      })
      .returning();
    return c.json({ ...apiKeyJson(row!), secret }, 201);
  });
}
