import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';

const Me = z
  .object({
    role: z.enum(['operator', 'clinic', 'partner']),
    organization: z
      .object({
        id: z.string(),
        name: z.string(),
        category: z.string().nullable(),
        currency: z.string(),
        timezone: z.string(),
      })
      .nullable(),
    api_key_id: z.string().nullable(),
  })
  .openapi('Me');

export const route = createRoute({
  method: 'get',
  path: '/v1/me',
  operationId: 'getMe',
  tags: ['Network'],
  summary: 'Who the presented key belongs to (lets integrations and the counter page check a key)',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  responses: { 200: jsonContent(Me, 'The caller'), ...commonErrors },
});

export function registerMe(app: App) {
  app.openapi(route, (c) => {
    const p = principalOf(c);
    if (p.role === 'operator') return c.json({ role: p.role, organization: null, api_key_id: null }, 200);
    return c.json({ role: p.role, organization: p.organization, api_key_id: p.keyId }, 200);
  });
}
