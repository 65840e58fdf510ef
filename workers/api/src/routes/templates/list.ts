import { listMessageTemplates } from '@gratia/messaging';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { TemplateSchema, templateJson } from './schema';

const TemplateList = z.object({ data: z.array(TemplateSchema) }).openapi('MessageTemplateList');

export const route = createRoute({
  method: 'get',
  path: '/v1/message_templates',
  operationId: 'listMessageTemplates',
  tags: ['Templates'],
  summary: 'The wording of every message, per kind, channel and language',
  description:
    'Every message kind on every channel (e-mail, SMS) in every language (en, es, ru): the clinic’s own template (`custom: true`) or the default, with the variables it may use. Owners and managers; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(TemplateList, 'The templates'), ...commonErrors },
});

export function registerListMessageTemplates(app: App) {
  app.openapi(route, async (c) => {
    const out = await listMessageTemplates(c.var.deps, { clinic: orgOf(c) });
    if (!out.ok) return refusal(c, out.error);
    return c.json({ data: out.value.map(templateJson) }, 200);
  });
}
