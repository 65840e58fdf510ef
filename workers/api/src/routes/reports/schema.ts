import { MONTH_PATTERN } from '@gratia/core';
import type { MonthlyReport, ReportMonth } from '@gratia/points';
import { z } from '@hono/zod-openapi';
import { CurrencySchema } from '../../lib/schemas';

export const MonthSchema = z
  .string()
  .regex(MONTH_PATTERN, 'must be a month as YYYY-MM')
  .openapi({ description: 'A calendar month in the clinic’s timezone', example: '2026-11' });

export const ReportQuery = z.object({
  from: MonthSchema.optional().openapi({ description: 'The first month; default: 11 months before `to`' }),
  to: MonthSchema.optional().openapi({
    description: 'The last month, at most 23 months after `from`; default: the current month',
  }),
});

/** An amount that may be negative (a month's reversals can exceed its redemptions). */
const Amount = z
  .object({
    amount: z.number().int().openapi({ description: 'Integer minor units', example: 12500 }),
    currency: CurrencySchema,
  })
  .openapi('SignedMoney');

const Gifts = z.object({
  issued: z.number().int(),
  issued_value: Amount,
  issued_value_redeemed: Amount.openapi({
    description: 'Of the value issued in these months, what has been redeemed since (net of reversals)',
  }),
  redemption_rate: z.number().nullable().openapi({
    description: 'issued_value_redeemed / issued_value, to four decimals; null when nothing was issued',
    example: 0.625,
  }),
  redeemed: z.number().int().openapi({ description: 'Redemptions at partners, less reversals' }),
  redeemed_value: Amount,
  voided: z.number().int().openapi({ description: 'Voided before they lapsed' }),
  lapsed: z.number().int().openapi({ description: 'Expired with value left' }),
  breakage: Amount.openapi({
    description: 'The value the lapsed gifts still had: never redeemed, never owed',
  }),
});

const Points = z.object({
  issued: z.number().int(),
  spent: z.number().int(),
  reversed: z.number().int().openapi({ description: 'Given back by reversed spends' }),
  expired: z.number().int(),
});

const ReportMonthSchema = z
  .object({
    month: MonthSchema,
    points: Points.extend({
      outstanding: z.number().int().openapi({ description: 'The cards’ balance at the end of the month' }),
    }),
    liability: Amount.openapi({ description: 'The outstanding points at the network’s point value' }),
    visits: z.object({ count: z.number().int(), revenue: Amount }),
    gifts: Gifts,
    active_patients: z.number().int().openapi({
      description: 'Patients with a visit, a points spend or a gift redeemed in the month',
    }),
  })
  .openapi('ReportMonth');

export const MonthlyReportSchema = z
  .object({
    clinic_id: z.string(),
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    from: MonthSchema,
    to: MonthSchema,
    currency: CurrencySchema.openapi({ description: 'The clinic’s currency: gift values and visit revenue' }),
    point_value: Amount.openapi({ description: 'What one point is worth' }),
    months: z.array(ReportMonthSchema),
    totals: z
      .object({
        points: Points,
        visits: z.object({ count: z.number().int(), revenue: Amount }),
        gifts: Gifts,
      })
      .openapi({ description: 'The months added up' }),
  })
  .openapi('MonthlyReport');

export function monthlyReportJson(r: MonthlyReport) {
  const money = (amount: number) => ({ amount, currency: r.currency });
  const gifts = (g: ReportMonth['gifts']) => ({
    issued: g.issued,
    issued_value: money(g.issuedValue),
    issued_value_redeemed: money(g.issuedValueRedeemed),
    redemption_rate: g.redemptionRate,
    redeemed: g.redeemed,
    redeemed_value: money(g.redeemedValue),
    voided: g.voided,
    lapsed: g.lapsed,
    breakage: money(g.breakage),
  });
  return {
    clinic_id: r.clinicId,
    timezone: r.timezone,
    from: r.from,
    to: r.to,
    currency: r.currency,
    point_value: r.pointValue,
    months: r.months.map((m) => ({
      month: m.month,
      points: m.points,
      liability: { amount: m.liability, currency: r.pointValue.currency },
      visits: { count: m.visits, revenue: money(m.visitRevenue) },
      gifts: gifts(m.gifts),
      active_patients: m.activePatients,
    })),
    totals: {
      points: r.totals.points,
      visits: { count: r.totals.visits, revenue: money(r.totals.visitRevenue) },
      gifts: gifts(r.totals.gifts),
    },
  };
}
