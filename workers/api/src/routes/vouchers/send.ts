import { MESSAGE_CHANNELS } from '@gratia/db';
import { sendVoucher } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';

const Body = z
  .object({
    channel: z.enum(MESSAGE_CHANNELS).openapi({ description: 'Send the link by e-mail or by SMS' }),
    record_consent: z.boolean().optional().openapi({
      description:
        'The patient asks for this link on this channel now: records service-only consent (scope "service", the service wording) in the same write. Without it, a patient without consent for the channel is refused with no_consent.',
    }),
  })
  .strict()
  .openapi('SendVoucher');

const SentSchema = z
  .object({
    message_id: z.string().openapi({ example: 'msg_01JD0000000000000000000000' }),
    voucher_id: z.string(),
    channel: z.enum(MESSAGE_CHANNELS),
    status: z.literal('queued'),
    reason_key: z.string().openapi({ example: 'voucher:vch_01JD0000000000000000000000:send:1' }),
    consent_recorded: z.boolean().openapi({ description: 'Whether service-only consent was recorded now' }),
  })
  .openapi('SentVoucher');

export const route = createRoute({
  method: 'post',
  path: '/v1/vouchers/{id}/send',
  operationId: 'sendVoucher',
  tags: ['Vouchers', 'Messages'],
  summary: "Send a voucher's link to its patient by e-mail or SMS",
  description:
    'Writes one message to the outbox (each call a new one; a retry with the same Idempotency-Key is one). The message is delivered by the queue; consent, quiet hours and bounces are checked again when it is sent.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Voucher id', 'vch_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    202: jsonContent(SentSchema, 'The message, queued'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerSendVoucher(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await sendVoucher(c.var.deps, {
      clinic: orgOf(c),
      voucherId: id,
      channel: b.channel,
      recordConsent: b.record_consent,
      source: 'api',
    });
    if (!out.ok) return refusal(c, out.error);
    const s = out.value;
    return c.json(
      {
        message_id: s.messageId,
        voucher_id: id,
        channel: s.channel,
        status: 'queued' as const,
        reason_key: s.reasonKey,
        consent_recorded: s.consentRecorded,
      },
      202,
    );
  });
}
