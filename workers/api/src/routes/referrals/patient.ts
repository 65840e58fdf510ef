import { readPatientReferrals } from '@gratia/loyalty';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PatientReferralsSchema, patientReferralsJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/referrals',
  operationId: 'getPatientReferrals',
  tags: ['Referrals'],
  summary: 'A patient’s referral code and invite link, who referred them and whom they referred',
  description:
    'The code to pass on, the invite link (`/j/{code}`), the patient’s own page of their rewards (`member_url`), who referred them, and the newest 50 patients they referred with each referral’s status and the rewards of both sides. Any clinic role.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(PatientReferralsSchema, 'The patient’s referrals'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerPatientReferrals(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readPatientReferrals(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(patientReferralsJson(out.value), 200);
  });
}
