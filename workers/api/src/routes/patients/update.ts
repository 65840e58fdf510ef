import { isId, newId } from '@gratia/core';
import { consentEvents, patients } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
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
    first_name: z.string().trim().min(1).max(100).optional(),
    last_name: z.string().trim().min(1).max(100).optional(),
    email: EmailSchema.nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    birth_date: BirthDateSchema.nullable().optional(),
    preferences: PreferencesSchema.optional(),
    consent: ConsentInputSchema.optional(),
  })
  .strict()
  .openapi('UpdatePatient');

export const route = createRoute({
  method: 'patch',
  path: '/v1/patients/{id}',
  tags: ['Patients'],
  summary: 'Update a patient; consent changes are appended to the consent history',
  description:
    'Fields left out are unchanged; `null` clears an optional field. The card number never changes.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(PatientSchema, 'The updated patient'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerUpdatePatient(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const org = orgOf(c);
    const { db, clock } = c.var;
    if (!isId('pat', id)) return problem(c, 'patient_not_found', `No patient ${id}`);
    const mine = and(eq(patients.id, id), eq(patients.clinicId, org.organizationId));
    const [current] = await db.select().from(patients).where(mine);
    if (!current) return problem(c, 'patient_not_found', `No patient ${id}`);

    const now = clock.now();
    const next = {
      firstName: b.first_name ?? current.firstName,
      lastName: b.last_name ?? current.lastName,
      email: b.email === undefined ? current.email : b.email,
      phone: b.phone === undefined ? current.phone : b.phone,
      birthDate: b.birth_date === undefined ? current.birthDate : b.birth_date,
      tags: b.preferences?.tags ?? current.tags,
      notes: b.preferences?.notes === undefined ? current.notes : b.preferences.notes,
      consentEmail: b.consent?.email ?? current.consentEmail,
      consentSms: b.consent?.sms ?? current.consentSms,
    };
    // Only real changes are history: re-sending the same consent records nothing.
    const changes = [
      {
        channel: 'email' as const,
        granted: next.consentEmail,
        changed: next.consentEmail !== current.consentEmail,
      },
      { channel: 'sms' as const, granted: next.consentSms, changed: next.consentSms !== current.consentSms },
    ].filter((x) => x.changed);

    const update = db
      .update(patients)
      .set({ ...next, searchText: searchText(next), updatedAt: now })
      .where(mine)
      .returning();
    const [updated] = changes.length
      ? await db.batch([
          update,
          db.insert(consentEvents).values(
            changes.map((ch) => ({
              id: newId('cns', now),
              patientId: id,
              channel: ch.channel,
              granted: ch.granted,
              source: b.consent?.source ?? 'api',
              apiKeyId: org.keyId,
              recordedAt: now,
            })),
          ),
        ])
      : [await update];
    return c.json(patientJson(updated[0]!), 200);
  });
}
