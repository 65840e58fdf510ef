import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { organizations } from './organizations';
import { CONSENT_CHANNELS, PATIENT_LOCALES, patients } from './patients';

// Reaching the patient (issue 13). Every message is a row of the outbox, written in the same D1 batch
// as the event that causes it and keyed by its reason (UNIQUE per clinic: never twice for the same
// reason). A Queue delivers message ids; the consumer claims a row (queued -> sending) before it sends,
// so a redelivered id sends nothing twice, checks consent for the channel and purpose, quiet hours and
// the monthly cap at send time, renders the clinic's template in the patient's language, and records
// the outcome. Without provider credentials the "send" is the dev outbox: the row itself, rendered.

/** What a message is about; each kind has a purpose (MESSAGE_PURPOSE) and default templates. */
export const MESSAGE_KINDS = [
  'voucher_issued',
  'points_expiring',
  'survey_request',
  'questionnaire',
  'plan_item',
  'birthday',
  'referral_reward',
  'card_link',
  'staff_sign_in',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Service messages need consent of scope `service` or `all` on the channel; marketing needs `all`. */
export const MESSAGE_PURPOSES = ['service', 'marketing'] as const;
export type MessagePurpose = (typeof MESSAGE_PURPOSES)[number];

export const MESSAGE_PURPOSE: Readonly<Record<MessageKind, MessagePurpose>> = {
  voucher_issued: 'service',
  points_expiring: 'service',
  referral_reward: 'service',
  card_link: 'service',
  staff_sign_in: 'service',
  survey_request: 'marketing',
  questionnaire: 'marketing',
  plan_item: 'marketing',
  birthday: 'marketing',
};

export const MESSAGE_CHANNELS = CONSENT_CHANNELS;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/**
 * queued (waiting for the queue; `not_before` defers it past quiet hours) -> sending (claimed by one
 * consumer) -> sent (the provider took it; the dev outbox counts as sent) -> delivered | bounced | failed
 * (the provider's callback). `suppressed` never left (the reason is recorded); `dead` ran out of tries
 * and waits in the dead-letter list for staff to retry it.
 */
export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'bounced',
  'failed',
  'suppressed',
  'dead',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Why a message did not leave. */
export const SUPPRESSION_REASONS = [
  'no_consent',
  'no_address',
  'address_invalid',
  'frequency_cap',
  'patient_gone',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export const MESSAGE_PROVIDERS = ['dev', 'resend', 'twilio'] as const;
export type MessageProvider = (typeof MESSAGE_PROVIDERS)[number];

export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    /** The patient it is for; null for a message to staff (the address is then `to_address`). */
    patientId: text('patient_id').references(() => patients.id),
    kind: text('kind', { enum: MESSAGE_KINDS }).notNull(),
    purpose: text('purpose', { enum: MESSAGE_PURPOSES }).notNull(),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    /** Never twice for the same reason: e.g. `voucher:<id>`, `expiry:<lot>`, `birthday:<patient>:<year>`. */
    reasonKey: text('reason_key').notNull(),
    /** The template's variables (JSON object), fixed when the event happened. */
    vars: text('vars', { mode: 'json' }).$type<Record<string, string | number | null>>().notNull(),
    status: text('status', { enum: MESSAGE_STATUSES }).notNull().default('queued'),
    suppressedReason: text('suppressed_reason', { enum: SUPPRESSION_REASONS }),
    /** Not sent before this time (quiet hours, a retry's backoff); null: at once. */
    notBefore: integer('not_before'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Filled when it is sent: the address, language, text and provider used. */
    toAddress: text('to_address'),
    locale: text('locale', { enum: PATIENT_LOCALES }),
    subject: text('subject'),
    body: text('body'),
    provider: text('provider', { enum: MESSAGE_PROVIDERS }),
    providerId: text('provider_id'),
    /** Who asked for it (a staff member's id, an API key's id, or `system`). */
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    /** When the consumer claimed it last (a claim older than a few minutes is taken over). */
    claimedAt: integer('claimed_at'),
    sentAt: integer('sent_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('messages_reason_idx').on(t.clinicId, t.reasonKey),
    index('messages_clinic_idx').on(t.clinicId, t.id),
    index('messages_clinic_status_idx').on(t.clinicId, t.status, t.id),
    index('messages_patient_idx').on(t.patientId, t.id),
    index('messages_due_idx').on(t.status, t.notBefore),
    index('messages_provider_idx').on(t.provider, t.providerId),
    check('messages_attempts_check', sql`${t.attempts} >= 0`),
  ],
);
export type MessageRow = typeof messages.$inferSelect;

/** A message's history: each status it took, with the detail (an error, a provider's callback). */
export const messageEvents = sqliteTable(
  'message_events',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id')
      .notNull()
      .references(() => messages.id),
    status: text('status', { enum: MESSAGE_STATUSES }).notNull(),
    detail: text('detail'),
    at: integer('at').notNull(),
  },
  (t) => [index('message_events_message_idx').on(t.messageId, t.at)],
);
export type MessageEventRow = typeof messageEvents.$inferSelect;

/** A clinic's wording of a message kind on a channel in a language (ICU MessageFormat, with variables). */
export const messageTemplates = sqliteTable(
  'message_templates',
  {
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    kind: text('kind', { enum: MESSAGE_KINDS }).notNull(),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    locale: text('locale', { enum: PATIENT_LOCALES }).notNull(),
    /** E-mail only. */
    subject: text('subject'),
    body: text('body').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.kind, t.channel, t.locale] })],
);
export type MessageTemplateRow = typeof messageTemplates.$inferSelect;

/** A clinic's delivery rules; a clinic without a row has the defaults. */
export const messagingSettings = sqliteTable('messaging_settings', {
  clinicId: text('clinic_id')
    .primaryKey()
    .references(() => organizations.id),
  /** Quiet hours, minutes after local midnight in the patient's timezone: [start, end) wraps midnight. */
  quietStartMinute: integer('quiet_start_minute').notNull().default(1260),
  quietEndMinute: integer('quiet_end_minute').notNull().default(480),
  /** Marketing messages a patient gets at most per calendar month (service messages are not capped). */
  monthlyCap: integer('monthly_cap').notNull().default(4),
  /** Expiring-points reminders go this many days before a lot lapses; null: none. */
  expiryReminderDays: integer('expiry_reminder_days').default(14),
  /** A survey request goes this many hours after a paid visit; null: none. */
  surveyDelayHours: integer('survey_delay_hours').default(24),
  birthdayGreetings: integer('birthday_greetings', { mode: 'boolean' }).notNull().default(true),
  updatedAt: integer('updated_at').notNull(),
});
export type MessagingSettingsRow = typeof messagingSettings.$inferSelect;

/** Marketing messages sent per patient and month (the patient's timezone): the frequency cap's count. */
export const patientMessageMonths = sqliteTable(
  'patient_message_months',
  {
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    month: text('month').notNull(),
    marketingSent: integer('marketing_sent').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.month] })],
);
