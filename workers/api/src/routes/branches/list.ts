import { listBranches } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { BranchSchema, branchJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/branches',
  operationId: 'listBranches',
  tags: ['Network'],
  summary: 'The clinic’s branches, oldest first',
  description: 'Archived branches are left out. The first branch is the clinic’s main one.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: {
    200: jsonContent(z.object({ data: z.array(BranchSchema) }).openapi('BranchList'), 'The branches'),
    ...commonErrors,
  },
});

export function registerListBranches(app: App) {
  app.openapi(route, async (c) => {
    const rows = await listBranches(c.var.deps, { clinic: orgOf(c) });
    return c.json({ data: rows.map(branchJson) }, 200);
  });
}
