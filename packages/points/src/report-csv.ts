import { toMajorUnits } from '@gratia/core';
import { csvCell } from '@gratia/settlement';
import type { MonthlyReport } from './report';

// The monthly report for spreadsheets: RFC 4180 (header row, CRLF, quoted where needed) through the
// settlement CSV's cell rule (formula-injection safe), one row per month, money in major units beside
// its currency, exactly the figures of the JSON report.

export const REPORT_CSV_COLUMNS = [
  'month',
  'points_issued',
  'points_spent',
  'points_reversed',
  'points_expired',
  'points_outstanding',
  'liability',
  'points_currency',
  'visits',
  'visit_revenue',
  'gifts_issued',
  'gifts_issued_value',
  'gifts_issued_value_redeemed',
  'redemption_rate',
  'gifts_redeemed',
  'gifts_redeemed_value',
  'gifts_voided',
  'gifts_lapsed',
  'breakage',
  'currency',
  'active_patients',
] as const;

const line = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;

export function monthlyReportCsv(report: MonthlyReport): string {
  const points = report.pointValue.currency;
  const money = (amount: number) => toMajorUnits(amount, report.currency);
  return (
    line([...REPORT_CSV_COLUMNS]) +
    report.months
      .map((m) =>
        line([
          m.month,
          m.points.issued,
          m.points.spent,
          m.points.reversed,
          m.points.expired,
          m.points.outstanding,
          toMajorUnits(m.liability, points),
          points,
          m.visits,
          money(m.visitRevenue),
          m.gifts.issued,
          money(m.gifts.issuedValue),
          money(m.gifts.issuedValueRedeemed),
          m.gifts.redemptionRate,
          m.gifts.redeemed,
          money(m.gifts.redeemedValue),
          m.gifts.voided,
          m.gifts.lapsed,
          money(m.gifts.breakage),
          report.currency,
          m.activePatients,
        ]),
      )
      .join('')
  );
}
