import { readPatientInsight } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { insightJson, PatientInsightSchema } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/insight',
  operationId: 'getPatientInsight',
  tags: ['Insight'],
  summary: 'What the clinic knows of a patient: A/B/C, growth, quadrant with reasons, engagement, win-back',
  description:
    'The patient’s pre-aggregated insight row (one read): kept with every visit, redemption, link open and answer, and re-derived daily. See “Patient insight” in docs/api.md for the rules.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(PatientInsightSchema, 'The patient’s insight'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerPatientInsight(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readPatientInsight(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(insightJson(out.value), 200);
  });
}
