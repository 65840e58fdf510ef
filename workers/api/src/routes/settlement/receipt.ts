import { toIso } from '@gratia/core';
import { readLineOf, signReceipt } from '@gratia/settlement';
import { receiptKeys } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonContent,
  MoneySchema,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { PeriodSchema } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/redemptions/{id}/receipt',
  operationId: 'getReceipt',
  tags: ['Settlement'],
  summary: 'The signed receipt of a redemption or a reversal (vouchers or points)',
  description:
    'A compact JWS (typ receipt+jwt, EdDSA) that verifies offline against /.well-known/jwks.json, for the issuing clinic, the honouring party and the operator. `id` is a voucher redemption (red_), a points redemption (ptr_) or a reversal (rev_, prv_). Redemptions that owe nothing (points honoured by their own clinic) have none.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  request: { params: IdParam('Redemption or reversal id', 'red_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(
      z
        .object({
          id: z.string().openapi({ description: 'The receipt’s id (the settlement line’s)' }),
          redemption_id: z.string(),
          reversal_id: z.string().nullable(),
          period: PeriodSchema,
          gross: MoneySchema.extend({ amount: z.number().int() }),
          fee: MoneySchema.extend({ amount: z.number().int() }),
          net: MoneySchema.extend({ amount: z.number().int() }),
          at: TimestampSchema,
          receipt: z.string().openapi({ description: 'The compact JWS' }),
        })
        .openapi('Receipt'),
      'The receipt',
    ),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerReceipt(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { deps } = c.var;
    const out = await readLineOf(deps, { principal: principalOf(c), sourceId: id });
    if (!out.ok) return refusal(c, out.error);
    const line = out.value;
    const money = (amount: number) => ({ amount, currency: line.currency });
    return c.json(
      {
        id: line.id,
        redemption_id: line.redemptionId,
        reversal_id: line.entry === 'reversal' ? line.sourceId : null,
        period: line.period,
        gross: money(line.gross),
        fee: money(line.fee),
        net: money(line.net),
        at: toIso(line.occurredAt),
        receipt: await signReceipt(await receiptKeys(deps), line, deps.config.baseUrl),
      },
      200,
    );
  });
}
