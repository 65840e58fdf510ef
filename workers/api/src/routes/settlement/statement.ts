import { listPeriods, periodOf, readSettlement } from '@gratia/settlement';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent, TimestampSchema } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { PeriodSchema, pairJson, SettlementRowSchema, StateSchema, stateJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/settlements',
  operationId: 'getSettlement',
  tags: ['Settlement'],
  summary: 'Who owes whom in a month: totals per counterparty and currency',
  description:
    'A clinic or a partner gets its totals per counterparty (direction payable: it owes; receivable: it is owed); the operator gets every pair. Read from running totals kept with each line: the cost does not grow with the month’s activity. A closed month never changes.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  request: {
    query: z.object({
      period: PeriodSchema.optional().openapi({ description: 'Default: the current month' }),
    }),
  },
  responses: {
    200: jsonContent(
      z
        .object({
          period: PeriodSchema,
          state: StateSchema,
          closed_at: TimestampSchema.nullable(),
          data: z.array(SettlementRowSchema),
        })
        .openapi('Settlement'),
      'The month’s totals',
    ),
    ...commonErrors,
  },
});

export const periodsRoute = createRoute({
  method: 'get',
  path: '/v1/settlements/periods',
  operationId: 'listSettlementPeriods',
  tags: ['Settlement'],
  summary: 'The months with settlement figures, newest first, with their state',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  responses: {
    200: jsonContent(
      z.object({
        data: z.array(
          z.object({ period: PeriodSchema, state: StateSchema, closed_at: TimestampSchema.nullable() }),
        ),
      }),
      'The periods',
    ),
    ...commonErrors,
  },
});

export function registerSettlementStatement(app: App) {
  app.openapi(route, async (c) => {
    const principal = principalOf(c);
    const { deps } = c.var;
    const period = c.req.valid('query').period ?? periodOf(deps.clock.now(), deps.config.timezone);
    const s = await readSettlement(deps, { principal, period });
    return c.json(
      { period, ...stateJson(s.state), data: s.pairs.map((p) => pairJson(p, principal.organizationId)) },
      200,
    );
  });
  app.openapi(periodsRoute, async (c) => {
    const { deps } = c.var;
    const periods = await listPeriods(deps, { principal: principalOf(c) });
    return c.json({ data: periods.map((p) => ({ period: p.period, ...stateJson(p.state) })) }, 200);
  });
}
