import { toIso } from '@gratia/core';
import { type ConsentEvent, PATIENT_LOCALES, type Patient } from '@gratia/db';
import { isTimeZone } from '@gratia/messaging';
import { z } from '@hono/zod-openapi';
import { EmailSchema, PhoneSchema } from '../../lib/contact';
import { TimestampSchema } from '../../lib/schemas';

export const BirthDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().startsWith(d) && d >= '1900-01-01';
  }, 'must be a real date after 1900')
  .openapi({ example: '1985-04-12' });

/** The language the patient reads messages and pages in. */
export const PatientLocaleSchema = z.enum(PATIENT_LOCALES).openapi({
  description: 'The language of the patient’s messages and pages: en, es or ru',
  example: 'es',
});

/** An IANA timezone this runtime's Intl knows ("Europe/Madrid"). */
export const TimezoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'must be an IANA timezone such as Europe/Madrid')
  .openapi({
    description: 'The patient’s IANA timezone (quiet hours); null: the clinic’s',
    example: 'Europe/Madrid',
  });

export const PreferencesSchema = z
  .object({
    tags: z
      .array(z.string().trim().min(1).max(50))
      .max(50)
      .optional()
      .openapi({ example: ['massage', 'books'] }),
    notes: z.string().max(2000).nullable().optional(),
  })
  .strict();

export const ConsentInputSchema = z
  .object({
    email: z.boolean().optional(),
    sms: z.boolean().optional(),
    source: z.string().trim().min(1).max(100).optional().openapi({
      description:
        'Where the consent was given (e.g. "paper_form", "front_desk", "phone"); defaults to "api"',
      example: 'paper_form',
    }),
  })
  .strict();

export const PatientSchema = z
  .object({
    id: z.string().openapi({ example: 'pat_01JD0000000000000000000000' }),
    clinic_id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    birth_date: z.string().nullable(),
    preferences: z.object({ tags: z.array(z.string()), notes: z.string().nullable() }),
    consent: z.object({ email: z.boolean(), sms: z.boolean() }),
    locale: PatientLocaleSchema,
    timezone: z.string().nullable().openapi({ description: 'IANA timezone; null: the clinic’s' }),
    card_number: z
      .string()
      .openapi({ description: '16 digits, Luhn check digit', example: '8123456789012347' }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Patient');

export const ConsentEventSchema = z
  .object({
    channel: z.enum(['email', 'sms']),
    granted: z.boolean(),
    source: z.string(),
    api_key_id: z.string().nullable(),
    recorded_at: TimestampSchema,
    wording: z.string().nullable().openapi({
      description:
        'The words the patient was shown and agreed to (or declined), as the clinic console recorded them; null when not recorded (e.g. consent sent over the API)',
    }),
    wording_version: z.string().nullable().openapi({
      description:
        'Which version of those words (e.g. "console-2026-11", "questionnaire-2026-11"); null when no words were recorded',
    }),
  })
  .openapi('ConsentEvent');

export const PatientDetailSchema = PatientSchema.extend({
  consent_history: z.array(ConsentEventSchema),
}).openapi('PatientDetail');

export function patientJson(p: Patient): z.infer<typeof PatientSchema> {
  return {
    id: p.id,
    clinic_id: p.clinicId,
    first_name: p.firstName,
    last_name: p.lastName,
    email: p.email,
    phone: p.phone,
    birth_date: p.birthDate,
    preferences: { tags: p.tags, notes: p.notes },
    consent: { email: p.consentEmail, sms: p.consentSms },
    locale: p.locale,
    timezone: p.timezone,
    card_number: p.cardNumber,
    created_at: toIso(p.createdAt),
    updated_at: toIso(p.updatedAt),
  };
}

export function consentEventJson(e: ConsentEvent): z.infer<typeof ConsentEventSchema> {
  return {
    channel: e.channel,
    granted: e.granted,
    source: e.source,
    api_key_id: e.apiKeyId,
    recorded_at: toIso(e.recordedAt),
    wording: e.wording,
    wording_version: e.wordingVersion,
  };
}

export { EmailSchema, PhoneSchema };
