import { archiveBranch } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { BranchSchema, branchJson } from './schema';

export const route = createRoute({
  method: 'delete',
  path: '/v1/branches/{id}',
  operationId: 'archiveBranch',
  tags: ['Network'],
  summary: 'Archive a branch: off the list and out of gift suggestions',
  description:
    'The branch is kept for the record. Patients who preferred it are measured from the clinic’s first branch instead. An archived branch is not found.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Branch id', 'brn_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(BranchSchema, 'The archived branch'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerArchiveBranch(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await archiveBranch(c.var.deps, { clinic: orgOf(c), branchId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(branchJson(out.value), 200);
  });
}
