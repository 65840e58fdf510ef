import { toIso } from '@gratia/core';
import { STAFF_ROLES } from '@gratia/db';
import { inviteStaff } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonBody,
  jsonContent,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';

const Body = z
  .object({
    role: z.enum(STAFF_ROLES).openapi({
      description:
        "The operator invites an organisation's owners (`owner`); owners invite the rest in the console",
    }),
    name: z.string().trim().min(1).max(100).openapi({ example: 'Dr. Lena Vogel' }),
    email: z.string().trim().email().max(254).optional(),
  })
  .strict()
  .openapi('CreateInvitation');

const Invitation = z
  .object({
    id: z.string().openapi({ example: 'inv_01JD0000000000000000000000' }),
    organization_id: z.string(),
    role: z.enum(STAFF_ROLES),
    name: z.string(),
    email: z.string().nullable(),
    created_at: TimestampSchema,
    expires_at: TimestampSchema,
    url: z.string().url().openapi({
      description: 'The one-time invitation link (shown only in this response): open it to create a passkey',
    }),
  })
  .openapi('StaffInvitation');

export const route = createRoute({
  method: 'post',
  path: '/v1/organizations/{id}/invitations',
  operationId: 'inviteStaff',
  tags: ['Network'],
  summary: "Invite an organisation's owner (a one-time link, valid for 72 hours)",
  description:
    'The person opens the link, registers a passkey and is signed in as the owner of the organisation; from then on they invite and remove their own staff in the console (clinics) or on the counter page (partners).',
  security: [{ bearer: [] }],
  middleware: [authorize('operator'), idempotency] as const,
  request: {
    params: IdParam('Organisation id', 'org_01JD0000000000000000000000'),
    body: jsonBody(Body),
  },
  responses: {
    201: jsonContent(Invitation, 'The invitation, with its link'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerInviteStaff(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const out = await inviteStaff(c.var.deps, {
      by: principalOf(c),
      organizationId: id,
      role: body.role,
      name: body.name,
      email: body.email ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    const inv = out.value.invitation;
    return c.json(
      {
        id: inv.id,
        organization_id: inv.organizationId,
        role: inv.role,
        name: inv.name,
        email: inv.email,
        created_at: toIso(inv.createdAt)!,
        expires_at: toIso(inv.expiresAt)!,
        url: out.value.url,
      },
      201,
    );
  });
}
