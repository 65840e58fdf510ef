import { registerPatientWithReferral } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import {
  BirthDateSchema,
  ConsentInputSchema,
  EmailSchema,
  PatientLocaleSchema,
  PatientSchema,
  PhoneSchema,
  PreferencesSchema,
  patientJson,
  TimezoneSchema,
} from './schema';

const Body = z
  .object({
    first_name: z.string().trim().min(1).max(100),
    last_name: z.string().trim().min(1).max(100),
    email: EmailSchema.optional(),
    phone: PhoneSchema.optional(),
    birth_date: BirthDateSchema.optional(),
    preferences: PreferencesSchema.optional(),
    consent: ConsentInputSchema.optional(),
    locale: PatientLocaleSchema.optional(),
    timezone: TimezoneSchema.optional(),
    referral_code: z.string().trim().min(1).max(40).optional().openapi({
      description:
        'The referral code of the patient who referred them (case, spaces and dashes ignored): links the two, and both are rewarded on this patient’s first paid visit. Refused when it is no patient’s of this clinic (`referral_code_unknown`) or the same person’s (same e-mail or phone: `self_referral`).',
      example: '9F3A0C71BE',
    }),
  })
  .strict()
  .openapi('CreatePatient');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients',
  operationId: 'createPatient',
  tags: ['Patients'],
  summary: 'Register a patient and issue their coalition card',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(PatientSchema, 'The patient, with their card number'),
    ...commonErrors,
    ...problemResponses(409, 422),
  },
});

export function registerCreatePatient(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await registerPatientWithReferral(c.var.deps, {
      clinic: orgOf(c),
      patient: {
        firstName: b.first_name,
        lastName: b.last_name,
        email: b.email ?? null,
        phone: b.phone ?? null,
        birthDate: b.birth_date ?? null,
        tags: b.preferences?.tags ?? [],
        notes: b.preferences?.notes ?? null,
        locale: b.locale,
        timezone: b.timezone ?? null,
      },
      consent: b.consent,
      referralCode: b.referral_code,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(patientJson(out.value), 201);
  });
}
