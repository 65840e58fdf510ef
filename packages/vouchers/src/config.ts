import { DAY_MS } from '@gratia/core';
import type { Deps, NetworkConfig, Voucher } from '@gratia/db';
import { loadVoucherKeys, publishedKeys, type VoucherKeySet } from './keys';
import { signVoucherToken, type VoucherClaims } from './token';

// Vouchers as the network's configuration shapes them: the keys, the issuer, lifetimes, and
// re-signing a voucher's token from its stored claims (Ed25519 is deterministic, so the token is the
// same every time it is shown).

export const voucherKeys = (deps: Pick<Deps, 'config'>): Promise<VoucherKeySet> =>
  loadVoucherKeys(deps.config.signingKeys);

export function voucherLifetimes(config: NetworkConfig) {
  return {
    defaultMs: config.voucherDefaultDays * DAY_MS,
    maxMs: config.voucherMaxDays * DAY_MS,
    maxDays: config.voucherMaxDays,
  };
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
  deps: Pick<Deps, 'config'>,
  v: Pick<Voucher, 'id' | 'audience' | 'issuedAt' | 'expiresAt' | 'kid'>,
): Promise<string | null> {
  const key = (await voucherKeys(deps)).byKid.get(v.kid);
  return key ? signVoucherToken(key, voucherClaims(v, deps.config.baseUrl)) : null;
}

/** The patient's link for a token. */
export const voucherUrl = (config: NetworkConfig, token: string) => `${config.baseUrl}/r/${token}`;

/** A voucher as the clinic sees it: the row, with its token and link to send again. */
export async function withLink(deps: Pick<Deps, 'config'>, v: Voucher) {
  const token = await voucherToken(deps, v);
  return { voucher: v, token, url: token && voucherUrl(deps.config, token) };
}
export type VoucherWithLink = Awaited<ReturnType<typeof withLink>>;

/**
 * The keys that sign receipts: a line's own key while the JWKS still publishes it (so its receipt is
 * the same token every time), otherwise today's signer, so a receipt always verifies against the JWKS
 * as it is now. (A retired key leaves the JWKS after the longest voucher lifetime; receipts outlive it.)
 */
export async function receiptKeys(deps: Pick<Deps, 'config' | 'clock'>) {
  const keys = await voucherKeys(deps);
  const published = new Set(
    publishedKeys(keys, deps.clock.now(), voucherLifetimes(deps.config).maxMs).keys.map((k) => k.kid),
  );
  return { signer: keys.signer, byKid: new Map([...keys.byKid].filter(([kid]) => published.has(kid))) };
}
