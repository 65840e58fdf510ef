import { applyCodeWord } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { AppliedSchema, appliedJson, WordInputSchema } from './schema';

const Body = z
  .object({
    word: WordInputSchema.openapi({ description: 'The word, or the patient’s own code (LAVENDER-7K3QM)' }),
  })
  .strict()
  .openapi('ApplyCodeWord');

export const route = createRoute({
  method: 'post',
  path: '/v1/patients/{id}/code-word',
  operationId: 'applyCodeWord',
  tags: ['Code words'],
  summary: 'Apply a code word said at the desk for a patient',
  description:
    'Every clinic role. Applies once per use, up to the per-patient and the total limits, even under concurrent requests, and gives what the campaign says (a discount on today’s visit, bonus points, or a gift voucher with its link). A refusal says why with its own code: `code_word_unknown`, `code_word_not_started`, `code_word_expired`, `code_word_ended`, `code_word_used_up`, `code_word_already_used` (with when), `code_word_not_eligible`, `code_word_not_yours`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    201: jsonContent(AppliedSchema, 'What it gave'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerApplyCodeWord(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { word } = c.req.valid('json');
    const out = await applyCodeWord(c.var.deps, { clinic: orgOf(c), patientId: id, word });
    if (!out.ok) return refusal(c, { code: out.error.code, detail: out.error.detail });
    return c.json(appliedJson(out.value), 201);
  });
}
