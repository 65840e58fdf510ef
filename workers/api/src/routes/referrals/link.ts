import { linkReferral } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { ReferralCodeSchema, ReferralSchema, referralJson } from './schema';

const Body = z.object({ code: ReferralCodeSchema }).strict().openapi('LinkReferral');

export const route = createRoute({
  method: 'put',
  path: '/v1/patients/{id}/referral',
  operationId: 'linkReferral',
  tags: ['Referrals'],
  summary: 'Link a patient to the patient who referred them (before their first paid visit)',
  description:
    'For a patient who forgot to mention a code when registering. Allowed only before their first paid visit (`referral_too_late`) and once (`already_referred` when linked to someone else; the same code again changes nothing and answers the referral as it is). The code must be a patient of this clinic’s (`referral_code_unknown`) and not the same person (the same e-mail or phone: `self_referral`). Any clinic role.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    params: IdParam('Patient id (the referred patient)', 'pat_01JD0000000000000000000000'),
    body: jsonBody(Body),
  },
  responses: {
    200: jsonContent(ReferralSchema, 'The referral'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerLinkReferral(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { code } = c.req.valid('json');
    const out = await linkReferral(c.var.deps, { clinic: orgOf(c), patientId: id, code });
    if (!out.ok) return refusal(c, out.error);
    return c.json(referralJson(out.value.referral), 200);
  });
}
