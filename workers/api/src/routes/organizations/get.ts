import { readOrganization } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { OrganizationSchema, organizationJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/organizations/{id}',
  operationId: 'getOrganization',
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
    const out = await readOrganization(c.var.deps, { organizationId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(organizationJson(out.value), 200);
  });
}
