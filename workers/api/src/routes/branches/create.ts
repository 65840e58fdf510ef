import { createBranch } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
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
    name: BranchNameSchema,
    address: AddressSchema.optional(),
    latitude: LatitudeSchema.optional(),
    longitude: LongitudeSchema.optional(),
  })
  .strict()
  .superRefine(bothOrNeither)
  .openapi('CreateBranch');

export const route = createRoute({
  method: 'post',
  path: '/v1/branches',
  operationId: 'createBranch',
  tags: ['Network'],
  summary: 'Add a branch (location) of the clinic',
  description:
    'With coordinates, partners near the branch a patient prefers are suggested first. Staff: owners and managers.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(BranchSchema, 'The new branch'),
    ...commonErrors,
    ...problemResponses(409, 422),
  },
});

export function registerCreateBranch(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await createBranch(c.var.deps, {
      clinic: orgOf(c),
      branch: { name: b.name, address: b.address ?? null, place: placeOfBody(b) ?? null },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(branchJson(out.value), 201);
  });
}
