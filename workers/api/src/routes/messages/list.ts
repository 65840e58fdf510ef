import { listMessages } from '@gratia/messaging';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { MessageKindSchema, MessageSchema, MessageStatusSchema, messageJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/messages',
  operationId: 'listMessages',
  tags: ['Messages'],
  summary: 'The clinic’s outbox, newest first, by status, patient and kind',
  description:
    'Every message the clinic’s events wrote (a voucher link, a reminder, a sign-in link), with its status and, once sent, the text as sent. `status=dead` is the dead-letter list.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: ListQuerySchema.extend({
      status: MessageStatusSchema.optional(),
      patient_id: z.string().max(64).optional(),
      kind: MessageKindSchema.optional(),
    }),
  },
  responses: {
    200: jsonContent(listOf(MessageSchema, 'MessageList'), 'A page of messages'),
    ...commonErrors,
  },
});

export function registerListMessages(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const out = await listMessages(c.var.deps, {
      clinic: orgOf(c),
      filter: { status: q.status, patientId: q.patient_id, kind: q.kind },
      before: decodeCursor(q.cursor, 'msg') ?? null,
      limit: q.limit,
    });
    return c.json(
      { data: out.messages.map(messageJson), next_cursor: out.next ? encodeCursor(out.next) : null },
      200,
    );
  });
}
