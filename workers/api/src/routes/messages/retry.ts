import { retryMessage } from '@gratia/messaging';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { MessageSchema, messageJson } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/v1/messages/{id}/retry',
  operationId: 'retryMessage',
  tags: ['Messages'],
  summary: 'Send a dead or failed message again',
  description:
    'Puts the message back in the queue with its tries reset (consent, quiet hours and the cap are checked again when it is sent). Only a `dead` or `failed` message: anything else is 409 message_not_retryable. Owners and managers in the console; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Message id', 'msg_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(MessageSchema, 'The message, queued again'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerRetryMessage(app: App) {
  app.openapi(route, async (c) => {
    const out = await retryMessage(c.var.deps, { clinic: orgOf(c), id: c.req.valid('param').id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(messageJson(out.value), 200);
  });
}
