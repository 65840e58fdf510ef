import { toIso } from '@gratia/core';
import { readLines, signReceipt } from '@gratia/settlement';
import { receiptKeys } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, MoneySchema, TimestampSchema } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { PeriodSchema } from './schema';

const Signed = MoneySchema.extend({ amount: z.number().int() });

const LineSchema = z
  .object({
    id: z.string().openapi({ description: 'The line’s id, also its receipt’s' }),
    kind: z.enum(['voucher', 'points']),
    entry: z.enum(['redemption', 'reversal']),
    redemption_id: z.string(),
    reversal_id: z.string().nullable(),
    voucher_id: z.string().nullable(),
    card_last4: z.string().nullable(),
    title: z.string().openapi({ description: 'The offer, or the points taken' }),
    payer: z.object({ id: z.string(), name: z.string() }),
    payee: z.object({ id: z.string(), name: z.string() }),
    gross: Signed,
    fee: Signed,
    net: Signed,
    fee_bps: z.number().int(),
    settings_version: z.number().int(),
    at: TimestampSchema,
    receipt: z.string().openapi({ description: 'The signed receipt (receipt+jwt) of this line' }),
  })
  .openapi('SettlementLine');

export const route = createRoute({
  method: 'get',
  path: '/v1/settlements/{period}/lines',
  operationId: 'listSettlementLines',
  tags: ['Settlement'],
  summary: 'The lines behind a month’s figures, each with its signed receipt',
  description:
    'A party’s own lines (the operator’s: all), in the order written, paged. Each carries its receipt, so an auditor can check every line of a statement offline against the JWKS.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  request: {
    params: z.object({ period: PeriodSchema.openapi({ param: { name: 'period', in: 'path' } }) }),
    query: ListQuerySchema,
  },
  responses: {
    200: jsonContent(
      z
        .object({ data: z.array(LineSchema), next_cursor: z.string().nullable() })
        .openapi('SettlementLineList'),
      'A page of lines',
    ),
    ...commonErrors,
  },
});

export function registerSettlementLines(app: App) {
  app.openapi(route, async (c) => {
    const { period } = c.req.valid('param');
    const q = c.req.valid('query');
    const { deps } = c.var;
    const rows = await readLines(deps, {
      principal: principalOf(c),
      period,
      after: decodeCursor(q.cursor, 'stl'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    const keys = await receiptKeys(deps);
    const data = await Promise.all(
      kept.map(async (l) => {
        const money = (amount: number) => ({ amount, currency: l.currency });
        return {
          id: l.id,
          kind: l.kind,
          entry: l.entry,
          redemption_id: l.redemptionId,
          reversal_id: l.entry === 'reversal' ? l.sourceId : null,
          voucher_id: l.voucherId,
          card_last4: l.cardLast4,
          title: l.title,
          payer: { id: l.payerId, name: l.payerName },
          payee: { id: l.payeeId, name: l.payeeName },
          gross: money(l.gross),
          fee: money(l.fee),
          net: money(l.net),
          fee_bps: l.feeBps,
          settings_version: l.settingsVersion,
          at: toIso(l.occurredAt),
          receipt: await signReceipt(keys, l, deps.config.baseUrl),
        };
      }),
    );
    return c.json({ data, next_cursor: nextCursor }, 200);
  });
}
