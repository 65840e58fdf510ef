import { readPatient } from '@gratia/network';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { consentEventJson, PatientDetailSchema, patientJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}',
  operationId: 'getPatient',
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
    const out = await readPatient(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    const { patient, consentHistory } = out.value;
    return c.json({ ...patientJson(patient), consent_history: consentHistory.map(consentEventJson) }, 200);
  });
}
