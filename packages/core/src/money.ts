/** Money is an integer amount in minor units with an explicit ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

export const money = (amount: number, currency: string): Money => ({ amount, currency });

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** amount * bps / 10_000, rounded down: accruals and discounts never round in the patient's disfavour by more than one minor unit. */
export function applyBps(amount: number, bps: number): number {
  return Math.floor((amount * bps) / 10_000);
}
