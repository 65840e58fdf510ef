import { readAgenda } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { AgendaSchema, agendaItemJson, PlanDateSchema } from './agenda-schema';

const Query = z.object({
  owner: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'A staff member’s id, or `me` (the default; an API key must name someone)' }),
  from: PlanDateSchema.optional().openapi({ description: 'First day (default: this week’s Monday)' }),
  to: PlanDateSchema.optional().openapi({
    description: 'Last day (default: six days after `from`; 42 days at most)',
  }),
});

export const route = createRoute({
  method: 'get',
  path: '/v1/plan/agenda',
  operationId: 'getAgenda',
  tags: ['Plan'],
  summary: 'A staff member’s items of the plan for a week, and what of theirs is overdue',
  description:
    'This week (Monday to Sunday in the clinic’s timezone) unless other days are asked, with everything of theirs still planned but due earlier; each item with the patient’s name, phone and e-mail for the call. Staff other than owners and managers read only their own.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: Query },
  responses: {
    200: jsonContent(AgendaSchema, 'The agenda'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerAgenda(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const p = orgOf(c);
    const out = await readAgenda(c.var.deps, { clinic: p, owner: q.owner ?? 'me', from: q.from, to: q.to });
    if (!out.ok) return refusal(c, out.error);
    const a = out.value;
    const currency = p.organization.currency;
    return c.json(
      {
        owner: a.owner,
        from: a.from,
        to: a.to,
        today: a.today,
        overdue: a.overdue.map((i) => agendaItemJson(i, currency)),
        overdue_more: a.overdueMore,
        items: a.items.map((i) => agendaItemJson(i, currency)),
      },
      200,
    );
  });
}
