import type { DiscountTier, LoyaltyProgram } from '@gratia/db';

/** A clinic's bonus-programme rules, as the API speaks them (amounts in the clinic's minor units). */
export interface LoyaltyRules {
  version: number;
  accrualRateBps: number;
  expiryDays: number;
  minRedemptionPoints: number;
  maxBillShareBps: number | null;
  discountTiers: DiscountTier[];
  currency: string;
  createdAt: number | null;
}

/**
 * What a clinic's visits earn before it sets its own rules (version 0): 5% back, valid 180 days, the
 * middle of what clinics usually choose. Setting rules creates version 1.
 */
export function defaultRules(currency: string): LoyaltyRules {
  return {
    version: 0,
    accrualRateBps: 500,
    expiryDays: 180,
    minRedemptionPoints: 0,
    maxBillShareBps: null,
    discountTiers: [],
    currency,
    createdAt: null,
  };
}

export function rulesFromRow(row: LoyaltyProgram | undefined, currency: string): LoyaltyRules {
  if (!row) return defaultRules(currency);
  return {
    version: row.version,
    accrualRateBps: row.accrualRateBps,
    expiryDays: row.expiryDays,
    minRedemptionPoints: row.minRedemptionPoints,
    maxBillShareBps: row.maxBillShareBps,
    discountTiers: row.discountTiers,
    currency: row.currency,
    createdAt: row.createdAt,
  };
}

/**
 * Points a paid amount earns: amount x rate (rounded down to a minor unit, as applyBps does), in points
 * of `pointValue` minor units, rounded down. The one formula: visits book it, and the console's
 * programme form runs this same function's source in the browser for its live example, which is why
 * it imports nothing (program.test.ts holds it to applyBps).
 */
export function accrualPoints(amount: number, accrualRateBps: number, pointValue: number): number {
  return Math.floor(Math.floor((amount * accrualRateBps) / 10_000) / pointValue);
}

/** Tiers sorted by threshold; thresholds must be distinct and discounts must not fall as spend rises. */
export function normaliseTiers(
  tiers: readonly DiscountTier[],
): { ok: true; tiers: DiscountTier[] } | { ok: false; message: string } {
  const sorted = [...tiers].sort((a, b) => a.min_lifetime_spend - b.min_lifetime_spend);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.min_lifetime_spend === prev.min_lifetime_spend)
      return { ok: false, message: 'two tiers have the same min_lifetime_spend' };
    if (cur.discount_bps < prev.discount_bps)
      return { ok: false, message: 'a higher spend tier cannot give a smaller discount' };
  }
  return { ok: true, tiers: sorted };
}

export function sameRules(
  a: LoyaltyRules,
  b: Omit<LoyaltyRules, 'version' | 'createdAt' | 'currency'>,
): boolean {
  return (
    a.accrualRateBps === b.accrualRateBps &&
    a.expiryDays === b.expiryDays &&
    a.minRedemptionPoints === b.minRedemptionPoints &&
    a.maxBillShareBps === b.maxBillShareBps &&
    JSON.stringify(a.discountTiers) === JSON.stringify(b.discountTiers)
  );
}
