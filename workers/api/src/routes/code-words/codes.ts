import { CODES_SLICE, generateCodeWordCodes } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { CodeWordIdParam } from './schema';

const Generated = z
  .object({
    generated: z.number().int().openapi({ description: 'Codes made by this call' }),
    codes: z.number().int().openapi({ description: 'Codes the campaign has now' }),
    remaining: z
      .number()
      .int()
      .openapi({ description: 'Patients still without a code: call again while above 0' }),
  })
  .openapi('CodeWordCodesGenerated');

export const route = createRoute({
  method: 'post',
  path: '/v1/code-words/{id}/codes',
  operationId: 'generateCodeWordCodes',
  tags: ['Code words'],
  summary: 'Make the next slice of unique codes per patient',
  description: `For a campaign with \`per_patient_codes\`: one code (\`LAVENDER-7K3QM\`: the word, a hyphen and five characters without look-alikes, unique in the clinic) for each patient of its segment (or of the clinic) still without one, ${CODES_SLICE} patients a call. Call again while \`remaining\` is above 0. A campaign without codes per patient is \`409 code_word_not_per_patient\`.`,
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: CodeWordIdParam },
  responses: {
    200: jsonContent(Generated, 'What this call made and what remains'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerGenerateCodeWordCodes(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await generateCodeWordCodes(c.var.deps, { clinic: orgOf(c), id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(out.value, 200);
  });
}
