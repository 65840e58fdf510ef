import { suggestGifts } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { GiftSuggestionSchema, giftSuggestionJson } from './schema';

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(10).openapi({ description: 'How many, 1 to 50' }),
});

const Answer = z
  .object({
    patient_id: z.string(),
    abc_class: z.enum(['A', 'B', 'C']).nullable(),
    budget: z
      .object({ amount: z.number().int(), currency: z.string() })
      .nullable()
      .openapi({ description: 'The gift budget of the patient’s class; null: no limit' }),
    branch: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .openapi({ description: 'The branch distances are measured from' }),
    data: z.array(GiftSuggestionSchema),
  })
  .openapi('GiftSuggestions');

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/gift_suggestions',
  operationId: 'listGiftSuggestions',
  tags: ['Patients'],
  summary: 'Catalogue offers ranked by how well they fit the patient, each with its reasons',
  description:
    'Active offers in the clinic’s currency, best first: the partner categories and preference tags the patient has, partners near their preferred branch (else the clinic’s first) first, offers over the gift budget of their A/B/C class last. Offers the patient was already given are left out.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), query: Query },
  responses: {
    200: jsonContent(Answer, 'The suggestions'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGiftSuggestions(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    const clinic = orgOf(c);
    const out = await suggestGifts(c.var.deps, { clinic, patientId: id, limit });
    if (!out.ok) return refusal(c, out.error);
    const s = out.value;
    return c.json(
      {
        patient_id: s.patient.id,
        abc_class: s.abcClass,
        budget: s.budget === null ? null : { amount: s.budget, currency: clinic.organization.currency },
        branch: s.branch,
        data: s.suggestions.map(giftSuggestionJson),
      },
      200,
    );
  });
}
