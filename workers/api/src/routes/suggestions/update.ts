import { moveSuggestion } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { SuggestionSchema, suggestionJson } from './schema';

const Body = z
  .object({
    status: z.enum(['planned', 'implemented', 'declined']).openapi({
      description:
        'new → planned, implemented or declined; planned → implemented or declined. Implemented and declined are final.',
    }),
    reply: z.string().trim().max(1000).optional().openapi({
      description: 'The clinic’s answer to the patient (kept if omitted)',
      example: 'We now open until 8 pm on Thursdays.',
    }),
  })
  .strict()
  .openapi('MoveSuggestion');

export const route = createRoute({
  method: 'patch',
  path: '/v1/suggestions/{id}',
  operationId: 'moveSuggestion',
  tags: ['Feedback'],
  summary: 'Move a suggestion on the board (planned, implemented, declined)',
  description:
    'When a suggestion becomes `implemented` the patient is to be told: the change is recorded (with the reply) and shown on their survey link; `notified_at` stays null until the message is delivered. A move from a final state, or to the state it is in, is `409 invalid_transition`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Suggestion id', 'sug_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(SuggestionSchema, 'The suggestion, moved'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerMoveSuggestion(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await moveSuggestion(c.var.deps, {
      clinic: orgOf(c),
      suggestionId: id,
      status: b.status,
      reply: b.reply,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(suggestionJson(out.value), 200);
  });
}
