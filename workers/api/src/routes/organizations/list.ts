import { ORGANIZATION_KINDS, organizations } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { OrganizationSchema, organizationJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/organizations',
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
    const after = decodeCursor(q.cursor, 'org');
    const where: SQL[] = [];
    if (q.kind) where.push(eq(organizations.kind, q.kind));
    if (after) where.push(gt(organizations.id, after));
    const rows = await c.var.db
      .select()
      .from(organizations)
      .where(and(...where))
      .orderBy(asc(organizations.id))
      .limit(q.limit + 1);
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(organizationJson), next_cursor: nextCursor }, 200);
  });
}
