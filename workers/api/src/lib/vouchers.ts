import { DAY_MS } from '@gratia/core';
import type { Voucher } from '@gratia/db';
import { loadVoucherKeys, signVoucherToken, type VoucherClaims, type VoucherKeySet } from '@gratia/vouchers';
import type { Context } from 'hono';
import type { AppEnv } from '../env';

// Worker-side glue for vouchers: configuration from env, the issuer, and re-signing a voucher's token
// from its stored claims (Ed25519 is deterministic, so the token is the same every time).

export const voucherKeys = (c: Context<AppEnv>): Promise<VoucherKeySet> =>
  loadVoucherKeys(c.env.VOUCHER_SIGNING_KEYS);

/** The network's base URL: the `iss` of every voucher and the origin of patient links. */
export function baseUrl(c: Context<AppEnv>): string {
  return (c.env.PUBLIC_BASE_URL || new URL(c.req.url).origin).replace(/\/+$/, '');
}

export function voucherLifetimes(c: Context<AppEnv>) {
  const defaultDays = Number(c.env.VOUCHER_DEFAULT_DAYS ?? '90') || 90;
  const maxDays = Number(c.env.VOUCHER_MAX_DAYS ?? '365') || 365;
  return { defaultMs: defaultDays * DAY_MS, maxMs: maxDays * DAY_MS, maxDays };
}

export function voucherClaims(
  v: Pick<Voucher, 'id' | 'audience' | 'issuedAt' | 'expiresAt'>,
  issuer: string,
): VoucherClaims {
  const iat = Math.floor(v.issuedAt / 1000);
  return {
    iss: issuer,
    sub: v.id,
    jti: v.id,
    aud: v.audience,
    iat,
    nbf: iat,
    exp: Math.floor(v.expiresAt / 1000),
  };
}

/** The voucher's token, signed by the key that signed it at issue (a retired key still can). */
export async function voucherToken(
  c: Context<AppEnv>,
  v: Pick<Voucher, 'id' | 'audience' | 'issuedAt' | 'expiresAt' | 'kid'>,
) {
  const keys = await voucherKeys(c);
  const key = keys.byKid.get(v.kid);
  if (!key) return null;
  return signVoucherToken(key, voucherClaims(v, baseUrl(c)));
}

export const voucherUrl = (c: Context<AppEnv>, token: string) => `${baseUrl(c)}/r/${token}`;
