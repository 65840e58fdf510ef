import { recordCallOutcome } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { CallOutcomeSchema, CallRecordSchema, callRecordJson } from './schema';

const Body = z
  .object({
    outcome: CallOutcomeSchema,
    note: z.string().trim().min(1).max(500).optional().openapi({ example: 'Call back after 5 pm' }),
  })
  .strict()
  .openapi('RecordCallOutcome');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/call_outcomes',
  operationId: 'recordCallOutcome',
  tags: ['Bonus points'],
  summary: 'Record what came of a call to a patient on the call list',
  description:
    'Appends a record (outcomes are never edited: a later call adds another) with who made the call: the staff member signed in, or the API key. `do_not_call` takes the patient off the call list until a later call records another outcome.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    201: jsonContent(CallRecordSchema, 'The call, as recorded'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerRecordCallOutcome(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { outcome, note } = c.req.valid('json');
    const out = await recordCallOutcome(c.var.deps, { clinic: orgOf(c), patientId: id, outcome, note });
    if (!out.ok) return refusal(c, out.error);
    return c.json(callRecordJson(out.value), 201);
  });
}
