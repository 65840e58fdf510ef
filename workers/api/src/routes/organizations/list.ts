import { ORGANIZATION_KINDS } from '@gratia/db';
import { listOrganizations } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { OrganizationSchema, organizationJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/organizations',
  operationId: 'listOrganizations',
  tags: ['Network'],
  summary: 'List the organisations of the network',
  security: [{ bearer: [] }],
  middleware: [authorize('operator')] as const,
  request: { query: ListQuerySchema.extend({ kind: z.enum(ORGANIZATION_KINDS).optional() }) },
  responses: {
    200: jsonContent(listOf(OrganizationSchema, 'OrganizationList'), 'A page of organisations'),
    ...commonErrors,
  },
});

export function registerListOrganizations(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const rows = await listOrganizations(c.var.deps, {
      kind: q.kind,
      after: decodeCursor(q.cursor, 'org'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(organizationJson), next_cursor: nextCursor }, 200);
  });
}
