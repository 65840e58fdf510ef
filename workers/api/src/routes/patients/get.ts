import { isId } from '@gratia/core';
import { consentEvents, patients } from '@gratia/db';
import { createRoute } from '@hono/zod-openapi';
import { and, asc, eq, getTableColumns } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { consentEventJson, PatientDetailSchema, patientJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}',
  tags: ['Patients'],
  summary: 'Read a patient, with the history of their consent',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(PatientDetailSchema, 'The patient'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetPatient(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const org = orgOf(c);
    if (!isId('pat', id)) return problem(c, 'patient_not_found', `No patient ${id}`);
    const { db } = c.var;
    // One round trip: the patient (only if it is this clinic's) and its consent history. The history
    // selects only its own columns: D1 batch results are objects keyed by column name, so a join that
    // returned both tables' `id` would collide.
    const [found, history] = await db.batch([
      db
        .select()
        .from(patients)
        .where(and(eq(patients.id, id), eq(patients.clinicId, org.organizationId))),
      db
        .select(getTableColumns(consentEvents))
        .from(consentEvents)
        .innerJoin(patients, eq(patients.id, consentEvents.patientId))
        .where(and(eq(consentEvents.patientId, id), eq(patients.clinicId, org.organizationId)))
        .orderBy(asc(consentEvents.recordedAt), asc(consentEvents.channel)),
    ]);
    if (!found[0]) return problem(c, 'patient_not_found', `No patient ${id}`);
    return c.json({ ...patientJson(found[0]), consent_history: history.map(consentEventJson) }, 200);
  });
}
