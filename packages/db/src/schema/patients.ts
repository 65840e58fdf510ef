import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './api-keys';
import { organizations } from './organizations';

/** The languages patient-facing text is written in. */
export const PATIENT_LOCALES = ['en', 'es', 'ru'] as const;
export type PatientLocale = (typeof PATIENT_LOCALES)[number];

/** A clinic's patient and their coalition card. */
export const patients = sqliteTable(
  'patients',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    birthDate: text('birth_date'),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    notes: text('notes'),
    consentEmail: integer('consent_email', { mode: 'boolean' }).notNull().default(false),
    consentSms: integer('consent_sms', { mode: 'boolean' }).notNull().default(false),
    /**
     * Consent to service messages only (a voucher's link, the card's link, a reward) on a channel,
     * given with narrower words than `consent_email`/`consent_sms`, which cover service and marketing.
     */
    consentEmailService: integer('consent_email_service', { mode: 'boolean' }).notNull().default(false),
    consentSmsService: integer('consent_sms_service', { mode: 'boolean' }).notNull().default(false),
    /** The language of everything the patient reads (messages and their pages): en, es or ru. */
    locale: text('locale', { enum: PATIENT_LOCALES }).notNull().default('en'),
    /** The patient's IANA timezone (quiet hours); null: the clinic's. */
    timezone: text('timezone'),
    /** When the e-mail address hard-bounced or the phone number was reported unreachable (no more sends). */
    emailInvalidAt: integer('email_invalid_at'),
    phoneInvalidAt: integer('phone_invalid_at'),
    /** The holder's photo on the card (R2 key, CARD_PHOTOS), if the patient added one. */
    cardPhotoKey: text('card_photo_key'),
    cardNumber: text('card_number').notNull().unique(),
    /** Lower-cased name, e-mail and phone, for the clinic's search box. */
    searchText: text('search_text').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('patients_clinic_idx').on(t.clinicId, t.id),
    index('patients_clinic_email_idx').on(t.clinicId, t.email),
    index('patients_clinic_phone_idx').on(t.clinicId, t.phone),
    check('patients_card_number_check', sql`length(${t.cardNumber}) = 16`),
  ],
);
export type Patient = typeof patients.$inferSelect;

/**
 * The words a patient is found by (each word of the name, the e-mail and its local part, the phone's
 * digits), normalised: lower case, no accents. A search is a prefix range on (clinic, term), so it
 * reads rows in proportion to its hits, never the clinic's whole list.
 */
export const patientSearchTerms = sqliteTable(
  'patient_search_terms',
  {
    clinicId: text('clinic_id').notNull(),
    term: text('term').notNull(),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
  },
  (t) => [
    primaryKey({ columns: [t.clinicId, t.term, t.patientId] }),
    index('patient_search_terms_patient_idx').on(t.patientId),
  ],
);

export const CONSENT_CHANNELS = ['email', 'sms'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONSENT_SCOPES = ['all', 'service'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

/**
 * Every consent change, appended, never overwritten: who recorded it, when, from what source, and the
 * words the patient was shown when the recorder showed them (null when not known, e.g. over the API).
 */
export const consentEvents = sqliteTable(
  'consent_events',
  {
    id: text('id').primaryKey(),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    channel: text('channel', { enum: CONSENT_CHANNELS }).notNull(),
    granted: integer('granted', { mode: 'boolean' }).notNull(),
    source: text('source').notNull(),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    recordedAt: integer('recorded_at').notNull(),
    wording: text('wording'),
    /** Which version of the wording was shown (e.g. "console-2026-11", "questionnaire-3"). */
    wordingVersion: text('wording_version'),
    /**
     * What the consent covers: `all` (service and marketing messages on the channel) or `service` (only
     * service messages). A withdrawal (`granted` false) of scope `all` withdraws both.
     */
    scope: text('scope', { enum: CONSENT_SCOPES }).notNull().default('all'),
  },
  (t) => [index('consent_events_patient_idx').on(t.patientId, t.recordedAt)],
);
export type ConsentEvent = typeof consentEvents.$inferSelect;
