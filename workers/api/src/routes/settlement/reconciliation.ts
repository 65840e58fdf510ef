import { toIso } from '@gratia/core';
import { listFindings, reconcile } from '@gratia/settlement';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf, TimestampSchema } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';

const FindingSchema = z
  .object({
    id: z.string().openapi({ example: 'fnd_01JD0000000000000000000000' }),
    run_id: z.string().openapi({ example: 'rec_01JD0000000000000000000000' }),
    check: z.enum(['card_balance', 'card_lots', 'settlement_total', 'voucher_remaining']).openapi({
      description:
        'card_balance: a balance against its ledger entries; card_lots: against the points left in its lots; settlement_total: a period total against its lines; voucher_remaining: a remaining value against the value, redemptions and reversals',
    }),
    subject_id: z.string().openapi({
      description: 'The patient (cards), the voucher, or period/payer/payee/currency (settlement totals)',
    }),
    expected: z
      .number()
      .int()
      .openapi({ description: 'The figure recomputed from the records it summarises' }),
    actual: z.number().int().openapi({ description: 'The figure the summary holds' }),
    detail: z.string(),
    found_at: TimestampSchema,
  })
  .openapi('ReconciliationFinding');

const RunSchema = z
  .object({
    run_id: z.string(),
    checked: z.object({
      cards: z.number().int(),
      settlement_totals: z.number().int(),
      vouchers: z.number().int(),
    }),
    findings: z.number().int().openapi({ description: 'Differences found (each listed under /findings)' }),
  })
  .openapi('ReconciliationRun');

export const listRoute = createRoute({
  method: 'get',
  path: '/v1/reconciliation/findings',
  operationId: 'listReconciliationFindings',
  tags: ['Settlement'],
  summary: 'Differences the reconciliation found, newest first',
  description:
    'The daily reconciliation recomputes every card balance, settlement total and voucher remaining value from the records they summarise. Each difference is a finding; none means the books agree.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator')] as const,
  request: { query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(FindingSchema, 'ReconciliationFindingList'), 'A page of findings'),
    ...commonErrors,
  },
});

export const runRoute = createRoute({
  method: 'post',
  path: '/v1/reconciliation/runs',
  operationId: 'runReconciliation',
  tags: ['Settlement'],
  summary: 'Reconcile now (the cron does it daily)',
  security: [{ bearer: [] }],
  middleware: [authorize('operator')] as const,
  responses: {
    200: jsonContent(RunSchema, 'What was checked and how many differences were found'),
    ...commonErrors,
  },
});

export function registerReconciliation(app: App) {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listFindings(c.var.deps, {
      before: decodeCursor(q.cursor, 'fnd'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json(
      {
        data: kept.map((f) => ({
          id: f.id,
          run_id: f.runId,
          check: f.check,
          subject_id: f.subjectId,
          expected: f.expected,
          actual: f.actual,
          detail: f.detail,
          found_at: toIso(f.foundAt),
        })),
        next_cursor: nextCursor,
      },
      200,
    );
  });
  app.openapi(runRoute, async (c) => {
    const run = await reconcile(c.var.deps, { by: 'operator' });
    return c.json(
      {
        run_id: run.runId,
        checked: {
          cards: run.checked.cards,
          settlement_totals: run.checked.settlementTotals,
          vouchers: run.checked.vouchers,
        },
        findings: run.findings,
      },
      200,
    );
  });
}
