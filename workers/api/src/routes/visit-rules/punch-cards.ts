import { readPunchCards } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PunchCardSchema, punchCardJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/punch-cards',
  operationId: 'listPunchCards',
  tags: ['Visit rewards'],
  summary: 'A patient’s progress on each active every-Nth-visit rule',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(z.object({ data: z.array(PunchCardSchema) }).openapi('PunchCardList'), 'The cards'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerListPunchCards(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await readPunchCards(c.var.deps, { clinic: orgOf(c), patientId: id });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ data: out.value.map(punchCardJson) }, 200);
  });
}
