import { updateCodeWord } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { CodeWordIdParam, CodeWordSchema, codeWordJson } from './schema';

const Body = z
  .object({
    description: z.string().trim().min(1).max(500).nullable().optional(),
    end: z.literal(true).optional().openapi({ description: 'End it now: it no longer applies, for good' }),
    valid_until: z
      .string()
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'A later end only' }),
    total_limit: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ description: 'Never below its uses; null: none' }),
    per_patient_limit: z.number().int().optional().openapi({ description: 'Raised only' }),
  })
  .strict()
  .openapi('UpdateCodeWord');

export const route = createRoute({
  method: 'patch',
  path: '/v1/code-words/{id}',
  operationId: 'updateCodeWord',
  tags: ['Code words'],
  summary: 'Describe, end, extend or raise the limits of a code word',
  description:
    'Only the fields given change. An ended campaign takes only a new description (`409 code_word_ended` otherwise); a total limit below the uses so far, an earlier end or a lower per-patient limit is `400 validation_failed`.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: CodeWordIdParam, body: jsonBody(Body) },
  responses: {
    200: jsonContent(CodeWordSchema, 'The campaign now'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerUpdateCodeWord(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await updateCodeWord(c.var.deps, {
      clinic: orgOf(c),
      id,
      description: b.description,
      end: b.end,
      validUntil: b.valid_until === undefined ? undefined : Date.parse(b.valid_until),
      totalLimit: b.total_limit,
      perPatientLimit: b.per_patient_limit,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(codeWordJson(out.value), 200);
  });
}
