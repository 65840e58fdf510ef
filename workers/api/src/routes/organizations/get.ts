import { organizations } from '@gratia/db';
import { createRoute } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { OrganizationSchema, organizationJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/organizations/{id}',
  tags: ['Network'],
  summary: 'Read one organisation',
  security: [{ bearer: [] }],
  middleware: [authorize('operator')] as const,
  request: { params: IdParam('Organisation id', 'org_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(OrganizationSchema, 'The organisation'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetOrganization(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const [row] = await c.var.db.select().from(organizations).where(eq(organizations.id, id)).limit(1);
    if (!row) return problem(c, 'organization_not_found', `No organisation ${id}`);
    return c.json(organizationJson(row), 200);
  });
}
