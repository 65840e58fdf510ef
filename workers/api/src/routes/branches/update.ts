import { updateBranch } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import {
  AddressSchema,
  BranchNameSchema,
  BranchSchema,
  bothOrNeither,
  branchJson,
  LatitudeSchema,
  LongitudeSchema,
  placeOfBody,
} from './schema';

const Body = z
  .object({
    name: BranchNameSchema.optional(),
    address: AddressSchema.nullable().optional(),
    latitude: LatitudeSchema.nullable().optional(),
    longitude: LongitudeSchema.nullable().optional(),
  })
  .strict()
  .superRefine(bothOrNeither)
  .openapi('UpdateBranch');

export const route = createRoute({
  method: 'patch',
  path: '/v1/branches/{id}',
  operationId: 'updateBranch',
  tags: ['Network'],
  summary: 'Change a branch: its name, address or coordinates',
  description: 'Fields left out are unchanged; `null` clears the address, or (both) the coordinates.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Branch id', 'brn_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(BranchSchema, 'The branch as changed'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerUpdateBranch(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await updateBranch(c.var.deps, {
      clinic: orgOf(c),
      branchId: id,
      changes: { name: b.name, address: b.address, place: placeOfBody(b) },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(branchJson(out.value), 200);
  });
}
