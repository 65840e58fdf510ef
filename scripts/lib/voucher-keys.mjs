// Voucher signing keys for local development and tests: Ed25519 private JWKs with a kid. In
// production the same JSON array is a wrangler secret (VOUCHER_SIGNING_KEYS); see the README.
import { generateKeyPairSync } from 'node:crypto';

/** A new Ed25519 signing key as a private JWK: { kty, crv, x, d, kid, status: 'active', created_at }. */
export function generateSigningKey(kid = `key-${new Date().toISOString().slice(0, 10)}`) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid, status: 'active', created_at: new Date().toISOString() };
}
