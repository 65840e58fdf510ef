import { createCodeWord } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { CodeWordSchema, codeWordJson, RewardInputSchema, specOfInput, WordInputSchema } from './schema';

const Body = z
  .object({
    word: WordInputSchema,
    description: z.string().trim().min(1).max(500).optional(),
    reward: RewardInputSchema,
    valid_from: z.string().datetime({ offset: true }).optional().openapi({ description: 'Default: now' }),
    valid_until: z.string().datetime({ offset: true }),
    total_limit: z.number().int().optional().openapi({ description: 'Uses in all (none: no limit)' }),
    per_patient_limit: z.number().int().optional().openapi({ description: 'Uses per patient (default 1)' }),
    segment_id: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'Only members of this segment may use it (evaluated when it is applied)' }),
    per_patient_codes: z
      .boolean()
      .optional()
      .openapi({ description: 'One unique code per patient (`LAVENDER-7K3QM`) instead of the word itself' }),
  })
  .strict()
  .openapi('CreateCodeWord');

export const route = createRoute({
  method: 'post',
  path: '/v1/code-words',
  operationId: 'createCodeWord',
  tags: ['Code words'],
  summary: 'Create a code word campaign',
  description:
    'Owners and managers (and API keys). The word is stored upper case without spaces; a word the clinic already has is `409 code_word_taken`. A voucher reward’s offer must be active and priced in the clinic’s currency.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(CodeWordSchema, 'The campaign'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerCreateCodeWord(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await createCodeWord(c.var.deps, {
      clinic: orgOf(c),
      word: b.word,
      description: b.description ?? null,
      reward: specOfInput(b.reward),
      validFrom: b.valid_from === undefined ? undefined : Date.parse(b.valid_from),
      validUntil: Date.parse(b.valid_until),
      totalLimit: b.total_limit ?? null,
      perPatientLimit: b.per_patient_limit,
      segmentId: b.segment_id ?? null,
      perPatientCodes: b.per_patient_codes ?? false,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(codeWordJson(out.value), 201);
  });
}
