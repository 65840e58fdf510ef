import { previewMessageTemplate } from '@gratia/messaging';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PreviewInputSchema, PreviewSchema, previewJson } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/v1/message_templates/preview',
  operationId: 'previewMessageTemplate',
  tags: ['Templates'],
  summary: 'A message as the patient would read it, with sample values',
  description:
    'Renders the given text (unsaved), else the clinic’s saved template, else the default, in the language asked for, with sample values of the kind’s variables (dates and plurals as the language writes them). An SMS also answers its encoding, length and segment count. Changes nothing. An invalid text is `422 template_invalid`. Owners and managers; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(PreviewInputSchema) },
  responses: {
    200: jsonContent(PreviewSchema, 'The rendered message'),
    ...commonErrors,
    ...problemResponses(422),
  },
});

export function registerPreviewMessageTemplate(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await previewMessageTemplate(c.var.deps, {
      clinic: orgOf(c),
      kind: b.kind,
      channel: b.channel,
      locale: b.locale,
      subject: b.subject ?? null,
      body: b.body ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(previewJson(out.value), 200);
  });
}
