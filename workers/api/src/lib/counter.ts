import { toIso } from '@gratia/core';
import { type KeyRef, organizations, patients, vouchers } from '@gratia/db';
import {
  checkAudience,
  honourRefusal,
  redeemStatements,
  redemptionRefusal,
  type TokenFailure,
  tokenFailureCode,
  type VoucherRefusal,
  verifyVoucherToken,
} from '@gratia/vouchers';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv, Principal } from '../env';
import { type KeyRow, keyLookup } from '../middleware/auth';
import { baseUrl, voucherKeys } from './vouchers';

// What happens at the partner's counter, shared by the JSON API (/v1/vouchers/verify,
// /v1/redemptions) and the counter page (/partner): each is one D1 round trip that also resolves the
// presenting key, so the caller authorises with `authorize(keyRows)` before looking at the outcome.

export interface VerifiedVoucher {
  id: string;
  title: string;
  kind: 'offer' | 'value';
  holder: { first_name: string; last_initial: string };
  value: { amount: number; currency: string };
  remaining: { amount: number; currency: string } | null;
  expires_at: string;
  issuer: { id: string; name: string };
}

export type CounterRefusal = VoucherRefusal | ReturnType<typeof tokenFailureCode>;

function logRefusal(c: Context<AppEnv>, reason: TokenFailure, detail: string) {
  console.log(
    JSON.stringify({ level: 'info', event: 'voucher_refused', request_id: c.var.requestId, reason, detail }),
  );
}

export async function verifyAtCounter(
  c: Context<AppEnv>,
  token: string,
  key: KeyRef,
  authorize: (rows: KeyRow[]) => Principal,
) {
  const { db, clock } = c.var;
  const now = clock.now();
  const check = await verifyVoucherToken(token, await voucherKeys(c), { issuer: baseUrl(c), now });
  const [keyRows, found] = await db.batch([
    keyLookup(db, key),
    db
      .select({
        voucher: vouchers,
        holderFirstName: patients.firstName,
        holderLastName: patients.lastName,
        issuerName: organizations.name,
      })
      .from(vouchers)
      .innerJoin(patients, eq(patients.id, vouchers.patientId))
      .innerJoin(organizations, eq(organizations.id, vouchers.clinicId))
      .where(eq(vouchers.id, check.ok ? check.claims.jti : '')),
  ]);
  const partner = authorize(keyRows);
  if (partner.role !== 'partner') throw new Error('counter operations are for partners');
  if (!check.ok) {
    logRefusal(c, check.reason, check.detail);
    return { ok: false as const, code: tokenFailureCode(check.reason) };
  }
  if (!checkAudience(check.claims.aud, partner.organization))
    return { ok: false as const, code: 'voucher_not_for_this_partner' as const };
  const row = found[0];
  const refusal = honourRefusal(row?.voucher, partner.organization, now);
  if (refusal || !row) return { ok: false as const, code: refusal ?? ('invalid_voucher' as const) };
  const v = row.voucher;
  const money = (amount: number) => ({ amount, currency: v.currency });
  const voucher: VerifiedVoucher = {
    id: v.id,
    title: v.title,
    kind: v.kind,
    holder: { first_name: row.holderFirstName, last_initial: row.holderLastName.slice(0, 1).toUpperCase() },
    value: money(v.valueAmount),
    remaining: v.kind === 'value' ? money(v.remainingAmount) : null,
    expires_at: toIso(v.expiresAt),
    issuer: { id: v.clinicId, name: row.issuerName },
  };
  return { ok: true as const, voucher };
}

export async function redeemAtCounter(
  c: Context<AppEnv>,
  token: string,
  amount: { amount: number; currency: string } | undefined,
  key: KeyRef,
  authorize: (rows: KeyRow[]) => Principal,
) {
  const { db, clock } = c.var;
  const now = clock.now();
  const lookup = keyLookup(db, key);
  const check = await verifyVoucherToken(token, await voucherKeys(c), { issuer: baseUrl(c), now });
  if (!check.ok) {
    // The key is still checked first: a bad key is 401 whatever the token.
    authorize(await lookup);
    logRefusal(c, check.reason, check.detail);
    return { ok: false as const, code: tokenFailureCode(check.reason) as CounterRefusal };
  }
  const { statements } = redeemStatements(db, { voucherId: check.claims.jti, key, amount, now });
  const [keyRows, , , voucherAfter, redemption] = await db.batch([lookup, ...statements]);
  const partner = authorize(keyRows);
  if (partner.role !== 'partner') throw new Error('counter operations are for partners');
  const done = redemption[0];
  if (done) return { ok: true as const, redemption: done, voucher: voucherAfter[0]! };
  if (!checkAudience(check.claims.aud, partner.organization))
    return { ok: false as const, code: 'voucher_not_for_this_partner' as CounterRefusal };
  return {
    ok: false as const,
    code: redemptionRefusal(voucherAfter[0], partner.organization, amount, now) as CounterRefusal,
  };
}
