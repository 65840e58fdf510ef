import { type CryptoKey, importJWK, type JWK } from 'jose';

// Voucher signing keys come from the VOUCHER_SIGNING_KEYS secret: a JSON array of Ed25519 private
// JWKs, each with a kid. The newest "active" key signs; "retired" keys keep verifying, and stay in the
// JWKS, until every voucher they could have signed has expired (retired_at + the maximum lifetime).

export interface SigningKeyJwk extends JWK {
  kid: string;
  status?: 'active' | 'retired';
  created_at?: string;
  retired_at?: string;
}

export interface VoucherKey {
  kid: string;
  status: 'active' | 'retired';
  retiredAt: number | null;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export interface VoucherKeySet {
  /** The key that signs new vouchers. */
  signer: VoucherKey;
  byKid: ReadonlyMap<string, VoucherKey>;
}

export class SigningKeyConfigError extends Error {
  override name = 'SigningKeyConfigError';
}

const cache = new Map<string, Promise<VoucherKeySet>>();

/** Parses and imports the key set once per isolate (the secret rarely changes; imports are costly). */
export function loadVoucherKeys(secret: string | undefined): Promise<VoucherKeySet> {
  if (!secret) return Promise.reject(new SigningKeyConfigError('VOUCHER_SIGNING_KEYS is not set'));
  let hit = cache.get(secret);
  if (!hit) {
    hit = importKeySet(secret);
    hit.catch(() => cache.delete(secret));
    cache.set(secret, hit);
  }
  return hit;
}

async function importKeySet(secret: string): Promise<VoucherKeySet> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    throw new SigningKeyConfigError('VOUCHER_SIGNING_KEYS is not JSON');
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const keys: VoucherKey[] = [];
  for (const raw of list as SigningKeyJwk[]) {
    if (raw?.kty !== 'OKP' || raw.crv !== 'Ed25519' || !raw.d || !raw.x || !raw.kid) {
      throw new SigningKeyConfigError('every signing key must be an Ed25519 private JWK with a kid');
    }
    const publicJwk = {
      kty: 'OKP' as const,
      crv: 'Ed25519' as const,
      x: raw.x,
      kid: raw.kid,
      alg: 'EdDSA' as const,
      use: 'sig' as const,
    };
    keys.push({
      kid: raw.kid,
      status: raw.status === 'retired' ? 'retired' : 'active',
      retiredAt: raw.retired_at ? Date.parse(raw.retired_at) : null,
      publicJwk,
      privateKey: (await importJWK({ kty: 'OKP', crv: 'Ed25519', x: raw.x, d: raw.d }, 'EdDSA')) as CryptoKey,
      publicKey: (await importJWK({ kty: 'OKP', crv: 'Ed25519', x: raw.x }, 'EdDSA')) as CryptoKey,
    });
  }
  const signer = keys.find((k) => k.status === 'active');
  if (!signer) throw new SigningKeyConfigError('VOUCHER_SIGNING_KEYS has no active key');
  return { signer, byKid: new Map(keys.map((k) => [k.kid, k])) };
}

/**
 * The JWKS: every key that may still verify an unexpired voucher. A retired key is published until
 * retired_at + maxLifetimeMs (no voucher it signed can outlive that); a key with no retired_at stays.
 */
export function publishedKeys(keys: VoucherKeySet, now: number, maxLifetimeMs: number) {
  return {
    keys: [...keys.byKid.values()]
      .filter((k) => k.status === 'active' || k.retiredAt === null || k.retiredAt + maxLifetimeMs > now)
      .map((k) => k.publicJwk),
  };
}
