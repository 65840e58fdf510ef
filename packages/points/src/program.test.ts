import { applyBps, parsePercentInput } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { accrualPoints } from './program';
import { checkProgram, type ProgramInput } from './program-store';

// accrualPoints carries its own arithmetic (the console's live example runs its source in the
// browser): it must stay applyBps, then whole points of the point value, rounded down.

describe('accrualPoints', () => {
  it('is applyBps in whole points, for a table of amounts, rates and point values', () => {
    const amounts = [0, 1, 99, 100, 12_345, 50_000, 99_999, 1_000_000, 123_456_789, 100_000_000_000];
    const rates = [0, 1, 33, 250, 500, 750, 1234, 3333, 9999, 10_000];
    const values = [1, 2, 3, 7, 10, 100];
    for (const a of amounts)
      for (const r of rates)
        for (const v of values)
          expect(accrualPoints(a, r, v), `${a} ${r} ${v}`).toBe(Math.floor(applyBps(a, r) / v));
  });
});

describe('parsePercentInput', () => {
  it('reads what people type as basis points, exactly', () => {
    const cases: [string | undefined, number | undefined | null][] = [
      ['5', 500],
      ['5.25', 525],
      ['7,5', 750],
      [' 0.01 ', 1],
      ['100', 10_000],
      ['0', 0],
      ['', undefined],
      [undefined, undefined],
      ['5.255', null],
      ['-1', null],
      ['5%', null],
      ['1e2', null],
      ['.5', null],
    ];
    for (const [text, bps] of cases) expect(parsePercentInput(text), String(text)).toBe(bps);
  });
});

describe('checkProgram', () => {
  const good: ProgramInput = {
    accrualRateBps: 500,
    expiryDays: 180,
    minRedemptionPoints: 0,
    maxBillShareBps: null,
    discountTiers: [
      { minLifetimeSpend: { amount: 100_000, currency: 'EUR' }, discountBps: 500 },
      { minLifetimeSpend: { amount: 10_000, currency: 'EUR' }, discountBps: 200 },
    ],
  };

  it('sorts the tiers of rules it takes', () => {
    const out = checkProgram(good, 'EUR');
    expect(out.ok && out.value.discountTiers).toEqual([
      { min_lifetime_spend: 10_000, discount_bps: 200 },
      { min_lifetime_spend: 100_000, discount_bps: 500 },
    ]);
  });

  it('names every field out of the ranges the table holds', () => {
    const out = checkProgram(
      {
        accrualRateBps: 10_001,
        expiryDays: 0,
        minRedemptionPoints: -1,
        maxBillShareBps: 0,
        discountTiers: [{ minLifetimeSpend: { amount: 1.5, currency: 'EUR' }, discountBps: 0 }],
      },
      'EUR',
    );
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('validation_failed');
    expect(out.error.errors?.map((e) => e.path)).toEqual([
      'accrual_rate_bps',
      'expiry_days',
      'min_redemption_points',
      'max_bill_share_bps',
      'discount_tiers.0.min_lifetime_spend.amount',
      'discount_tiers.0.discount_bps',
    ]);
  });

  it('refuses tiers in another currency, with the same threshold, or falling discounts', () => {
    const tier = (amount: number, discountBps: number, currency = 'EUR') => ({
      minLifetimeSpend: { amount, currency },
      discountBps,
    });
    const refused = (tiers: ProgramInput['discountTiers']) => {
      const out = checkProgram({ ...good, discountTiers: tiers }, 'EUR');
      return out.ok ? null : out.error.code;
    };
    expect(refused([tier(100, 100, 'USD')])).toBe('currency_mismatch');
    expect(refused([tier(100, 100), tier(100, 200)])).toBe('validation_failed');
    expect(refused([tier(100, 300), tier(200, 200)])).toBe('validation_failed');
    expect(refused(Array.from({ length: 21 }, (_, i) => tier(i, 100 + i)))).toBe('validation_failed');
    expect(refused(Array.from({ length: 20 }, (_, i) => tier(i, 100 + i)))).toBeNull();
  });
});
