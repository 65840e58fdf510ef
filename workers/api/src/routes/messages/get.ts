import { readMessage } from '@gratia/messaging';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { eventJson, MessageWithEventsSchema, messageJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/messages/{id}',
  operationId: 'getMessage',
  tags: ['Messages'],
  summary: 'One message of the outbox, with its history',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Message id', 'msg_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(MessageWithEventsSchema, 'The message and each status it took'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetMessage(app: App) {
  app.openapi(route, async (c) => {
    const out = await readMessage(c.var.deps, { clinic: orgOf(c), id: c.req.valid('param').id });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ ...messageJson(out.value.message), events: out.value.events.map(eventJson) }, 200);
  });
}
