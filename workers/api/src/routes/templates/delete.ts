import { resetMessageTemplate } from '@gratia/messaging';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { TemplateParams, TemplateSchema, templateJson } from './schema';

export const route = createRoute({
  method: 'delete',
  path: '/v1/message_templates/{kind}/{channel}/{locale}',
  operationId: 'resetMessageTemplate',
  tags: ['Templates'],
  summary: 'Take a message back to the default wording',
  description:
    'Removes the clinic’s own template and answers the default now in force. A message without a template of its own is `404 message_template_not_found`. Owners and managers; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: TemplateParams },
  responses: {
    200: jsonContent(TemplateSchema, 'The default now in force'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerResetMessageTemplate(app: App) {
  app.openapi(route, async (c) => {
    const out = await resetMessageTemplate(c.var.deps, { clinic: orgOf(c), ...c.req.valid('param') });
    if (!out.ok) return refusal(c, out.error);
    return c.json(templateJson(out.value), 200);
  });
}
