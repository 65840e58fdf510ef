import { type Voucher, vouchers } from '@gratia/db';
import { and, eq, gt, isNull, lte } from 'drizzle-orm';

// What a voucher row says about whether it can be honoured now, as the contract's codes.

/** Why a voucher cannot be honoured at a partner at all: what a verification can answer. */
export const HONOUR_REFUSALS = [
  'invalid_voucher',
  'voucher_expired',
  'voucher_voided',
  'voucher_already_redeemed',
  'voucher_not_for_this_partner',
] as const;
export type HonourRefusal = (typeof HONOUR_REFUSALS)[number];

/** Why a redemption was refused: the voucher cannot be honoured, or not for this amount. */
export type VoucherRefusal = HonourRefusal | 'insufficient_value' | 'currency_mismatch' | 'amount_mismatch';

export type VoucherDisplayStatus = 'issued' | 'redeemed' | 'voided' | 'expired';

/**
 * A voucher can still be honoured while it is issued and before its expiry: the one rule, in SQL for
 * the redemption guard and the lists, read in JS by displayStatus and honourRefusal below.
 */
export const usableVoucher = (now: number) =>
  and(eq(vouchers.status, 'issued'), isNull(vouchers.lapsedAt), gt(vouchers.expiresAt, now));
/** Issued but past its expiry: "expired" without any job running. */
export const lapsedVoucher = (now: number) =>
  and(eq(vouchers.status, 'issued'), lte(vouchers.expiresAt, now));

/** The status people see: an issued voucher past its expiry is "expired" without any job running. */
export function displayStatus(v: Pick<Voucher, 'status' | 'expiresAt'>, now: number): VoucherDisplayStatus {
  if (v.status === 'issued' && v.expiresAt <= now) return 'expired';
  return v.status;
}

export function honourRefusal(
  v: Pick<Voucher, 'status' | 'expiresAt' | 'partnerId' | 'category'> | undefined,
  partner: { id: string; category: string | null },
  now: number,
): HonourRefusal | null {
  if (!v) return 'invalid_voucher';
  if (v.status === 'voided') return 'voucher_voided';
  if (v.status === 'redeemed') return 'voucher_already_redeemed';
  if (v.expiresAt <= now) return 'voucher_expired';
  if (!(v.partnerId === partner.id || (v.category !== null && v.category === partner.category)))
    return 'voucher_not_for_this_partner';
  return null;
}

/** Why a redemption of `amount` was refused, given the voucher as it is after the (failed) guarded update. */
export function redemptionRefusal(
  v:
    | Pick<
        Voucher,
        'status' | 'expiresAt' | 'partnerId' | 'category' | 'kind' | 'currency' | 'remainingAmount'
      >
    | undefined,
  partner: { id: string; category: string | null },
  amount: { amount: number; currency: string } | undefined,
  now: number,
): VoucherRefusal {
  const r = honourRefusal(v, partner, now);
  if (r) return r;
  if (amount && amount.currency !== v!.currency) return 'currency_mismatch';
  if (amount && v!.kind === 'offer' && amount.amount !== v!.remainingAmount) return 'amount_mismatch';
  if (amount && amount.amount > v!.remainingAmount) return 'insufficient_value';
  // The guard failed but the row now looks redeemable: another redemption changed it concurrently and
  // left value; the caller may retry. Reported as insufficient value for the amount asked.
  return 'insufficient_value';
}
