import { updatePatient } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
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
    first_name: z.string().trim().min(1).max(100).optional(),
    last_name: z.string().trim().min(1).max(100).optional(),
    email: EmailSchema.nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    birth_date: BirthDateSchema.nullable().optional(),
    preferences: PreferencesSchema.optional(),
    consent: ConsentInputSchema.optional(),
    locale: PatientLocaleSchema.optional(),
    timezone: TimezoneSchema.nullable().optional(),
  })
  .strict()
  .openapi('UpdatePatient');

export const route = createRoute({
  method: 'patch',
  path: '/v1/patients/{id}',
  operationId: 'updatePatient',
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
    ...problemResponses(404, 409),
  },
});

export function registerUpdatePatient(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await updatePatient(c.var.deps, {
      clinic: orgOf(c),
      patientId: id,
      changes: {
        firstName: b.first_name,
        lastName: b.last_name,
        email: b.email,
        phone: b.phone,
        birthDate: b.birth_date,
        tags: b.preferences?.tags,
        notes: b.preferences?.notes,
        locale: b.locale,
        timezone: b.timezone,
        consent: b.consent,
      },
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(patientJson(out.value), 200);
  });
}
