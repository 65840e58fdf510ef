import { toIso } from '@gratia/core';
import {
  MESSAGE_CHANNELS,
  MESSAGE_KINDS,
  MESSAGE_PROVIDERS,
  MESSAGE_PURPOSES,
  MESSAGE_STATUSES,
  type MessageEventRow,
  SUPPRESSION_REASONS,
} from '@gratia/db';
import { hhmm, type MessagingSettingsView, type OutboxMessage } from '@gratia/messaging';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

export const MessageStatusSchema = z.enum(MESSAGE_STATUSES).openapi({
  description:
    'queued → sending → sent → delivered | bounced | failed; `suppressed` never left (see suppressed_reason); `dead` ran out of tries (retry it).',
});
export const MessageKindSchema = z.enum(MESSAGE_KINDS);

export const MessageEventSchema = z
  .object({ status: MessageStatusSchema, detail: z.string().nullable(), at: TimestampSchema })
  .openapi('MessageEvent');

export const MessageSchema = z
  .object({
    id: z.string().openapi({ example: 'msg_01JD0000000000000000000000' }),
    patient_id: z.string().nullable(),
    patient_name: z.string().nullable(),
    kind: MessageKindSchema,
    purpose: z.enum(MESSAGE_PURPOSES),
    channel: z.enum(MESSAGE_CHANNELS),
    status: MessageStatusSchema,
    suppressed_reason: z.enum(SUPPRESSION_REASONS).nullable(),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    not_before: TimestampSchema.nullable(),
    to: z.string().nullable().openapi({ description: 'The address it was sent to (once sent)' }),
    locale: z.string().nullable(),
    subject: z.string().nullable(),
    body: z.string().nullable().openapi({ description: 'The text as sent (the dev outbox shows it)' }),
    provider: z.enum(MESSAGE_PROVIDERS).nullable(),
    provider_id: z.string().nullable(),
    created_at: TimestampSchema,
    sent_at: TimestampSchema.nullable(),
  })
  .openapi('Message');

export const MessageWithEventsSchema = MessageSchema.extend({ events: z.array(MessageEventSchema) }).openapi(
  'MessageWithEvents',
);

export function messageJson(m: OutboxMessage): z.infer<typeof MessageSchema> {
  return {
    id: m.id,
    patient_id: m.patientId,
    patient_name: m.patientName,
    kind: m.kind,
    purpose: m.purpose,
    channel: m.channel,
    status: m.status,
    suppressed_reason: m.suppressedReason,
    attempts: m.attempts,
    last_error: m.lastError,
    not_before: toIso(m.notBefore),
    to: m.toAddress,
    locale: m.locale,
    subject: m.subject,
    body: m.body,
    provider: m.provider,
    provider_id: m.providerId,
    created_at: toIso(m.createdAt),
    sent_at: toIso(m.sentAt),
  };
}

export const eventJson = (e: MessageEventRow) => ({ status: e.status, detail: e.detail, at: toIso(e.at) });

const Time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM')
  .openapi({ example: '21:00' });

export const MessagingSettingsInputSchema = z
  .object({
    quiet_start: Time.openapi({ description: 'Quiet hours begin (patient’s local time)', example: '21:00' }),
    quiet_end: Time.openapi({
      description: 'Quiet hours end; equal to quiet_start: no quiet hours',
      example: '08:00',
    }),
    monthly_cap: z
      .number()
      .int()
      .min(0)
      .max(100)
      .openapi({ description: 'Marketing messages per patient and month' }),
    expiry_reminder_days: z.number().int().min(1).max(365).nullable(),
    survey_delay_hours: z.number().int().min(0).max(720).nullable(),
    birthday_greetings: z.boolean(),
  })
  .strict()
  .openapi('MessagingSettingsInput');

export const MessagingSettingsSchema = MessagingSettingsInputSchema.extend({
  updated_at: TimestampSchema.nullable(),
}).openapi('MessagingSettings');

export const settingsJson = (s: MessagingSettingsView): z.infer<typeof MessagingSettingsSchema> => ({
  quiet_start: hhmm(s.quietStartMinute),
  quiet_end: hhmm(s.quietEndMinute),
  monthly_cap: s.monthlyCap,
  expiry_reminder_days: s.expiryReminderDays,
  survey_delay_hours: s.surveyDelayHours,
  birthday_greetings: s.birthdayGreetings,
  updated_at: toIso(s.updatedAt),
});
