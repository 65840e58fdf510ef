import { toIso } from '@gratia/core';
import { type NetworkSettings, type PairTotals, PERIOD_PATTERN, type PeriodState } from '@gratia/settlement';
import { z } from '@hono/zod-openapi';
import { MoneySchema, TimestampSchema } from '../../lib/schemas';

export const PeriodSchema = z
  .string()
  .regex(PERIOD_PATTERN, 'must be a month as YYYY-MM')
  .openapi({ description: 'A calendar month in the network’s timezone', example: '2026-12' });

export const NetworkSettingsSchema = z
  .object({
    version: z
      .number()
      .int()
      .openapi({ description: '0 is the default (no fee) before the operator sets any' }),
    fee_bps: z
      .number()
      .int()
      .openapi({ description: 'The network fee on what honouring parties receive', example: 250 }),
    closing_grace_days: z
      .number()
      .int()
      .openapi({ description: 'Days after a month ends before it is closed' }),
    effective_from: TimestampSchema.nullable(),
  })
  .openapi('NetworkSettings');

export const settingsJson = (s: NetworkSettings) => ({
  version: s.version,
  fee_bps: s.feeBps,
  closing_grace_days: s.closingGraceDays,
  effective_from: toIso(s.createdAt),
});

const PartySchema = z
  .object({ id: z.string(), name: z.string(), kind: z.enum(['clinic', 'partner']) })
  .openapi('SettlementParty');

export const SettlementRowSchema = z
  .object({
    // Not PartySchema.nullable(): that would make the shared SettlementParty component nullable.
    counterparty: z.union([PartySchema, z.null()]).openapi({
      description:
        'The other side, for a clinic or a partner; null in the operator’s view (see payer and payee)',
    }),
    direction: z.enum(['payable', 'receivable']).nullable().openapi({
      description: 'payable: you owe the counterparty; receivable: it owes you; null for the operator',
    }),
    payer: PartySchema.openapi({ description: 'The issuing clinic, which owes' }),
    payee: PartySchema.openapi({ description: 'The honouring party, which is owed' }),
    redemptions: z.number().int(),
    reversals: z.number().int(),
    gross: MoneySchema.extend({ amount: z.number().int() }),
    fee: MoneySchema.extend({ amount: z.number().int() }),
    net: MoneySchema.extend({ amount: z.number().int() }),
  })
  .openapi('SettlementTotals');

export const StateSchema = z.enum(['open', 'closed']);

export function pairJson(p: PairTotals, me: string | null) {
  const money = (amount: number) => ({ amount, currency: p.currency });
  const payable = me === p.payer.id;
  return {
    counterparty: me === null ? null : payable ? p.payee : p.payer,
    direction: me === null ? null : payable ? ('payable' as const) : ('receivable' as const),
    payer: p.payer,
    payee: p.payee,
    redemptions: p.redemptions,
    reversals: p.reversals,
    gross: money(p.gross),
    fee: money(p.fee),
    net: money(p.net),
  };
}

export const stateJson = (s: PeriodState) => ({ state: s.state, closed_at: toIso(s.closedAt) });
