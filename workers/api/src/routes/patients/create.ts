import { newCardNumber, newId } from '@gratia/core';
import { consentEvents, patients } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import {
  BirthDateSchema,
  ConsentInputSchema,
  EmailSchema,
  PatientSchema,
  PhoneSchema,
  PreferencesSchema,
  patientJson,
  searchText,
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
  })
  .strict()
  .openapi('CreatePatient');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients',
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

const CARD_ATTEMPTS = 3;

export function registerCreatePatient(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const { db, clock } = c.var;
    const org = orgOf(c);
    const now = clock.now();
    const id = newId('pat', now);
    const base = {
      id,
      clinicId: org.organizationId,
      firstName: b.first_name,
      lastName: b.last_name,
      email: b.email ?? null,
      phone: b.phone ?? null,
      birthDate: b.birth_date ?? null,
      tags: b.preferences?.tags ?? [],
      notes: b.preferences?.notes ?? null,
      consentEmail: b.consent?.email ?? false,
      consentSms: b.consent?.sms ?? false,
      createdAt: now,
      updatedAt: now,
    };
    const source = b.consent?.source ?? 'api';
    const events = (['email', 'sms'] as const)
      .filter((ch) => b.consent?.[ch] !== undefined)
      .map((ch) => ({
        id: newId('cns', now),
        patientId: id,
        channel: ch,
        granted: b.consent![ch]!,
        source,
        apiKeyId: org.keyId,
        recordedAt: now,
      }));

    // A card-number collision (1 in 10^14 per pair) is retried with a fresh number, never surfaced.
    for (let attempt = 1; ; attempt++) {
      const row = { ...base, cardNumber: newCardNumber(), searchText: searchText(base) };
      try {
        const insert = db.insert(patients).values(row).returning();
        const [inserted] = events.length
          ? await db.batch([insert, db.insert(consentEvents).values(events)])
          : [await insert];
        return c.json(patientJson(inserted[0]!), 201);
      } catch (e) {
        if (attempt >= CARD_ATTEMPTS || !String((e as Error).message).includes('card_number')) throw e;
      }
    }
  });
}
