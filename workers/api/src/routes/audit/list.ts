import { toIso } from '@gratia/core';
import { type AuditEventView, listAuditEvents } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf, TimestampSchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

const ActorSchema = z
  .object({
    kind: z.enum(['staff', 'api_key', 'operator', 'patient']).openapi({
      description:
        'A staff member (through the console), an API key, the network operator, or the patient on their personal link',
    }),
    staff_id: z.string().nullable(),
    key_id: z.string().nullable(),
    name: z.string().nullable().openapi({ description: 'The staff member’s name, or the key’s name' }),
    role: z.enum(['owner', 'manager', 'front_desk', 'staff']).nullable(),
    key_prefix: z.string().nullable().openapi({ description: 'The readable start of an API key' }),
  })
  .openapi('AuditActor');

const AuditEventSchema = z
  .object({
    id: z.string().openapi({ example: 'aud_01JD0000000000000000000000' }),
    at: TimestampSchema,
    action: z.string().openapi({ description: 'What happened: `<record>.<verb>`', example: 'voucher.void' }),
    subject: z.object({
      type: z.string().openapi({ example: 'voucher' }),
      id: z.string().openapi({ example: 'vch_01JD0000000000000000000000' }),
    }),
    patient_id: z.string().nullable().openapi({ description: 'The clinic’s patient the change concerned' }),
    detail: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'A few facts of the change (amounts, ids, the fields changed)' }),
    actor: ActorSchema,
  })
  .openapi('AuditEvent');

export const route = createRoute({
  method: 'get',
  path: '/v1/audit-events',
  operationId: 'listAuditEvents',
  tags: ['Audit'],
  summary: 'The organisation’s audit trail, newest first, by staff member or patient',
  description:
    'Every change made by the organisation’s staff and API keys (and the operator’s changes to it): who, what, on which record, when. Append-only.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic', 'partner')] as const,
  request: {
    query: ListQuerySchema.extend({
      staff_id: z.string().max(64).optional().openapi({ description: 'Only this staff member’s changes' }),
      patient_id: z
        .string()
        .max(64)
        .optional()
        .openapi({ description: 'Only changes concerning this patient of the clinic' }),
    }),
  },
  responses: {
    200: jsonContent(listOf(AuditEventSchema, 'AuditEventList'), 'A page of the audit trail'),
    ...commonErrors,
  },
});

function actorJson(a: AuditEventView['actor']): z.infer<typeof ActorSchema> {
  const none = { staff_id: null, key_id: null, name: null, role: null, key_prefix: null };
  if (a.kind === 'staff')
    return { ...none, kind: a.kind, staff_id: a.staffId, key_id: a.keyId, name: a.name, role: a.role };
  if (a.kind === 'api_key')
    return { ...none, kind: a.kind, key_id: a.keyId, name: a.name, key_prefix: a.prefix };
  return { ...none, kind: a.kind };
}

export function registerListAuditEvents(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const rows = await listAuditEvents(c.var.deps, {
      principal: orgOf(c),
      staffId: q.staff_id,
      patientId: q.patient_id,
      before: decodeCursor(q.cursor, 'aud'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json(
      {
        data: kept.map((e) => ({
          id: e.id,
          at: toIso(e.at),
          action: e.action,
          subject: e.subject,
          patient_id: e.patientId,
          detail: e.detail,
          actor: actorJson(e.actor),
        })),
        next_cursor: nextCursor,
      },
      200,
    );
  });
}
