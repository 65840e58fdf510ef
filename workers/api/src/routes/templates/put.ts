import { saveMessageTemplate } from '@gratia/messaging';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { TemplateInputSchema, TemplateParams, TemplateSchema, templateJson } from './schema';

export const route = createRoute({
  method: 'put',
  path: '/v1/message_templates/{kind}/{channel}/{locale}',
  operationId: 'setMessageTemplate',
  tags: ['Templates'],
  summary: 'Set the clinic’s wording of a message in a language',
  description:
    'ICU MessageFormat (plurals such as `{points, plural, one {# point} other {# points}}`) over the kind’s variables only. An e-mail needs a subject; an SMS has none. A text that does not parse, names another variable or does not render is `422 template_invalid`, with the parser’s message. Owners and managers; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: TemplateParams, body: jsonBody(TemplateInputSchema) },
  responses: {
    200: jsonContent(TemplateSchema, 'The template now in force'),
    ...commonErrors,
    ...problemResponses(422),
  },
});

export function registerSetMessageTemplate(app: App) {
  app.openapi(route, async (c) => {
    const p = c.req.valid('param');
    const b = c.req.valid('json');
    const out = await saveMessageTemplate(c.var.deps, {
      clinic: orgOf(c),
      ...p,
      subject: b.subject ?? null,
      body: b.body,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(templateJson(out.value), 200);
  });
}
