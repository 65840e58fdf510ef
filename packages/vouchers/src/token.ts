import { base64url, CompactSign, compactVerify } from 'jose';
import type { VoucherKey, VoucherKeySet } from './keys';
import type { HonourRefusal } from './state';

// The voucher token: a compact JWS, header { alg: "EdDSA", kid, typ: "voucher+jwt" }, claims iss,
// sub = jti = voucher id, aud = partner id or "category:<name>", iat, nbf, exp. No treatment or
// contact data. Verification is a pure function of (token, keys, expectations, now): no I/O, no
// clock; each failure is a tagged reason, logged in full and collapsed to a contract code on the wire.

export const VOUCHER_TYP = 'voucher+jwt';
/** RFC 8037's EdDSA, and RFC 9864's fully specified Ed25519. Nothing else is ever accepted. */
export const ALLOWED_ALGS = ['EdDSA', 'Ed25519'] as const;
export const CLOCK_TOLERANCE_S = 60;

export interface VoucherClaims {
  iss: string;
  sub: string;
  jti: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
}

export type TokenFailure =
  | 'malformed'
  | 'wrong_typ'
  | 'invalid_alg'
  | 'unknown_kid'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'invalid_claims'
  | 'nbf_in_future'
  | 'expired'
  | 'aud_mismatch';

export type TokenCheck =
  | { ok: true; claims: VoucherClaims; kid: string }
  | { ok: false; reason: TokenFailure; detail: string };

export async function signVoucherToken(key: VoucherKey, claims: VoucherClaims): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  return new CompactSign(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: VOUCHER_TYP })
    .sign(key.privateKey);
}

const fail = (reason: TokenFailure, detail: string): TokenCheck => ({ ok: false, reason, detail });

/** The JSON object a part's bytes hold, only if they are exactly how JSON.stringify writes it (no duplicate members, spacing or escapes). */
function canonicalJson(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) && JSON.stringify(v) === text ? v : null;
  } catch {
    return null;
  }
}
const decodeJson = (part: string) => canonicalJson(base64url.decode(part));
/** The header parameters a voucher has: no key is ever taken from a token, and no extension is understood. */
const HEADER_PARAMS = new Set(['alg', 'kid', 'typ']);
const CLAIM_NAMES = new Set(['iss', 'sub', 'jti', 'aud', 'iat', 'nbf', 'exp']);

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Whether a base64url string is exactly what encoding its bytes gives (no spare bits set, no length 4n+1). */
function isCanonical(part: string): boolean {
  if (part.length % 4 === 1) return false;
  try {
    return base64url.encode(base64url.decode(part)) === part;
  } catch {
    return false;
  }
}

/**
 * Verifies signature, header and time claims against `now` (ms). Audience is checked separately by
 * `checkAudience`, because the redeeming partner is known only once its key has been looked up.
 */
export async function verifyVoucherToken(
  token: string,
  keys: VoucherKeySet,
  expect: {
    issuer: string;
    now: number;
    toleranceS?: number /** The patient's page shows expired vouchers too. */;
    ignoreTime?: boolean;
  },
): Promise<TokenCheck> {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    return fail('malformed', 'not a compact JWS');
  // Only the canonical encoding of each part: decoders ignore the spare bits of a last character, so
  // a re-encoded signature would otherwise verify as a "different" token for the same voucher.
  if (parts.some((p) => !isCanonical(p))) return fail('malformed', 'not canonical base64url');
  const header = decodeJson(parts[0]!);
  if (!header) return fail('malformed', 'header is not JSON');
  if (header.typ !== VOUCHER_TYP) return fail('wrong_typ', `typ ${String(header.typ)}`);
  if (!ALLOWED_ALGS.includes(header.alg as (typeof ALLOWED_ALGS)[number]))
    return fail('invalid_alg', `alg ${String(header.alg)}`);
  if (header.crit !== undefined) return fail('malformed', 'crit is not supported');
  if (Object.keys(header).some((k) => !HEADER_PARAMS.has(k)))
    return fail('malformed', 'unsupported header parameter');
  const key = typeof header.kid === 'string' ? keys.byKid.get(header.kid) : undefined;
  if (!key) return fail('unknown_kid', `kid ${String(header.kid)}`);

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, key.publicKey, { algorithms: [...ALLOWED_ALGS] }));
  } catch (e) {
    return fail('bad_signature', (e as Error).message);
  }
  const claims = canonicalJson(payload);
  if (!claims) return fail('malformed', 'payload is not canonical JSON');
  if (Object.keys(claims).some((k) => !CLAIM_NAMES.has(k))) return fail('invalid_claims', 'unknown claim');
  const { iss, sub, jti, aud, iat, nbf, exp } = claims;
  if (
    typeof sub !== 'string' ||
    jti !== sub ||
    typeof aud !== 'string' ||
    !isInt(iat) ||
    !isInt(nbf) ||
    !isInt(exp)
  ) {
    return fail('invalid_claims', 'missing or mistyped claims');
  }
  if (iss !== expect.issuer) return fail('wrong_issuer', `iss ${String(iss)}`);
  if (expect.ignoreTime) return { ok: true, claims: { iss, sub, jti, aud, iat, nbf, exp }, kid: key.kid };
  const nowS = Math.floor(expect.now / 1000);
  const tol = expect.toleranceS ?? CLOCK_TOLERANCE_S;
  if (nbf > nowS + tol) return fail('nbf_in_future', `nbf ${nbf} > now ${nowS}`);
  if (exp <= nowS - tol) return fail('expired', `exp ${exp} <= now ${nowS}`);
  return { ok: true, claims: { iss, sub, jti, aud, iat, nbf, exp }, kid: key.kid };
}

/** Whether a partner (id and category) is the audience of a token. */
export function checkAudience(aud: string, partner: { id: string; category: string | null }): boolean {
  return aud === partner.id || (partner.category !== null && aud === `category:${partner.category}`);
}

/** The contract's error code for a token failure: detail that would help an attacker stays in the logs. */
export function tokenFailureCode(reason: TokenFailure): HonourRefusal {
  if (reason === 'expired') return 'voucher_expired';
  if (reason === 'aud_mismatch') return 'voucher_not_for_this_partner';
  return 'invalid_voucher';
}
