import { addMonths } from '@gratia/core';
import type { MonthlyReport, ReportMonth } from '@gratia/points';

/** A year of a busy clinic's report, made up (deterministic): for rendering the report view. */
export function sampleReport(): MonthlyReport {
  let outstanding = 40_000;
  const months: ReportMonth[] = Array.from({ length: 12 }, (_, i) => {
    const wave = Math.round(Math.sin(i / 2) * 1_000);
    const issued = 6_000 + wave + i * 150;
    const spent = 3_500 - Math.round(wave / 2) + i * 40;
    const expired = i % 3 === 0 ? 900 : 150;
    const reversed = i % 4 === 1 ? 120 : 0;
    outstanding += issued - spent - expired + reversed;
    const giftsIssued = 10 + (i % 5);
    const issuedValue = giftsIssued * 4_500;
    const issuedValueRedeemed = Math.round(issuedValue * (0.45 + (i % 4) / 10));
    return {
      month: addMonths('2026-01', i),
      points: { issued, spent, reversed, expired, outstanding },
      liability: outstanding,
      visits: 80 + Math.round(wave / 50),
      visitRevenue: (80 + Math.round(wave / 50)) * 12_500,
      gifts: {
        issued: giftsIssued,
        issuedValue,
        issuedValueRedeemed,
        redemptionRate: Math.round((issuedValueRedeemed / issuedValue) * 10_000) / 10_000,
        redeemed: 6 + (i % 3),
        redeemedValue: (6 + (i % 3)) * 4_000,
        voided: i % 5 === 0 ? 1 : 0,
        lapsed: i % 2,
        breakage: (i % 2) * 2_750,
      },
      activePatients: 60 + (i % 6) * 3,
    };
  });
  const sum = (f: (m: ReportMonth) => number) => months.reduce((s, m) => s + f(m), 0);
  const issuedValue = sum((m) => m.gifts.issuedValue);
  const issuedValueRedeemed = sum((m) => m.gifts.issuedValueRedeemed);
  return {
    clinicId: 'org_01JD0000000000000000000000',
    timezone: 'Europe/Berlin',
    from: '2026-01',
    to: '2026-12',
    currency: 'EUR',
    pointValue: { amount: 1, currency: 'EUR' },
    months,
    totals: {
      points: {
        issued: sum((m) => m.points.issued),
        spent: sum((m) => m.points.spent),
        reversed: sum((m) => m.points.reversed),
        expired: sum((m) => m.points.expired),
      },
      visits: sum((m) => m.visits),
      visitRevenue: sum((m) => m.visitRevenue),
      gifts: {
        issued: sum((m) => m.gifts.issued),
        issuedValue,
        issuedValueRedeemed,
        redemptionRate: Math.round((issuedValueRedeemed / issuedValue) * 10_000) / 10_000,
        redeemed: sum((m) => m.gifts.redeemed),
        redeemedValue: sum((m) => m.gifts.redeemedValue),
        voided: sum((m) => m.gifts.voided),
        lapsed: sum((m) => m.gifts.lapsed),
        breakage: sum((m) => m.gifts.breakage),
      },
    },
  };
}
