import { toIso } from '@gratia/core';
import { MESSAGE_CHANNELS } from '@gratia/db';
import { createPatientLink } from '@gratia/insight';
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
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { LinkPurposeSchema } from './schema';

const Body = z
  .object({
    purpose: LinkPurposeSchema,
    visit_id: z.string().max(40).optional().openapi({
      description: 'The paid visit a survey asks about (one survey link per visit: asking again returns it)',
    }),
    days: z.number().int().min(1).max(90).optional().openapi({
      description: 'How long the link works (default: 30 days for a questionnaire, 14 for a survey)',
    }),
    send: z.enum(MESSAGE_CHANNELS).optional().openapi({
      description:
        'Also message the link to the patient on this channel (issue 13): a questionnaire or survey_request message in the outbox, reason questionnaire:<link id> or survey:<visit id>; consent is checked when it is sent (no consent: suppressed, with the reason recorded). A survey link made before sends nothing again.',
    }),
  })
  .strict()
  .openapi('CreatePatientLink');

const PatientLinkSchema = z
  .object({
    id: z.string().openapi({ example: 'lnk_01JD0000000000000000000000' }),
    url: z.string().openapi({ description: 'The personal link to send the patient (no account needed)' }),
    purpose: LinkPurposeSchema,
    patient_id: z.string(),
    visit_id: z.string().nullable(),
    expires_at: TimestampSchema,
    message_id: z.string().nullable().optional().openapi({
      description: 'With `send`: the message that carries the link (null when none was written)',
    }),
  })
  .openapi('PatientLink');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/links',
  operationId: 'createPatientLink',
  tags: ['Questionnaires'],
  summary: 'Create a personal link for a patient: the questionnaire, or a satisfaction survey',
  description:
    'The link is signed and good for this patient, this purpose and until `expires_at` only: no account, the link is the patient’s proof. Send it by e-mail or SMS, or show it as a QR code.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    201: jsonContent(PatientLinkSchema, 'The link'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerCreatePatientLink(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await createPatientLink(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      purpose: b.purpose,
      visitId: b.visit_id ?? null,
      days: b.days,
      send: b.send,
    });
    if (!out.ok) return refusal(c, out.error);
    const { link, url, messageId } = out.value;
    return c.json(
      {
        id: link.id,
        url,
        purpose: link.purpose,
        patient_id: link.patientId,
        visit_id: link.visitId,
        expires_at: toIso(link.expiresAt),
        ...(b.send && { message_id: messageId ?? null }),
      },
      201,
    );
  });
}
