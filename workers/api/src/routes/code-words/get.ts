import { getCodeWord } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { CodeWordIdParam, CodeWordSchema, CodeWordUseSchema, codeWordJson, codeWordUseJson } from './schema';

const Detail = CodeWordSchema.extend({
  latest_uses: z.array(CodeWordUseSchema).openapi({ description: 'The latest 20 uses, newest first' }),
}).openapi('CodeWordDetail');

export const route = createRoute({
  method: 'get',
  path: '/v1/code-words/{id}',
  operationId: 'getCodeWord',
  tags: ['Code words'],
  summary: 'A code word campaign and its latest uses',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: CodeWordIdParam },
  responses: {
    200: jsonContent(Detail, 'The campaign, with the latest uses'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerGetCodeWord(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await getCodeWord(c.var.deps, { clinic: orgOf(c), id });
    if (!out.ok) return refusal(c, out.error);
    return c.json(
      { ...codeWordJson(out.value.codeWord), latest_uses: out.value.uses.map(codeWordUseJson) },
      200,
    );
  });
}
