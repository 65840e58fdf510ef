import { planItemsCsv } from '@gratia/plan';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PlanDateSchema } from './agenda-schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/plan/items.csv',
  operationId: 'getPlanItemsCsv',
  tags: ['Plan'],
  summary: 'The plan as CSV',
  description:
    'Every item due from `from` to `to` (default: from the start of this month to a year on), of one owner or the whole clinic: due date, patient, kind, purpose, channel, owner, cost (major units, with its currency), status, outcome and when it was done. RFC 4180 (header row, CRLF), UTF-8 without BOM, formula-injection safe, streamed 500 items at a time: the done items, then the planned, then the skipped, each by due date. Owners and managers (and API keys).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: z.object({
      from: PlanDateSchema.optional(),
      to: PlanDateSchema.optional(),
      owner: z.string().max(64).optional().openapi({ description: 'Only this staff member’s items' }),
    }),
  },
  responses: {
    200: {
      description: 'The items, one row each',
      content: { 'text/csv': { schema: z.string().openapi({ example: 'due_on,patient_id,patient,...' }) } },
    },
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerPlanItemsCsv(app: App) {
  app.openapi(route, async (c) => {
    const out = await planItemsCsv(c.var.deps, { clinic: orgOf(c), ...c.req.valid('query') });
    if (!out.ok) return refusal(c, out.error);
    return new Response(out.value.stream, {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="plan-${out.value.from}-${out.value.to}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
