import { env } from 'cloudflare:workers';
import { base64url, CompactSign, importJWK } from 'jose';

// Hand-made tokens for attack tests, signed with the test run's real key (or not at all).

const realKey = () => JSON.parse(env.VOUCHER_SIGNING_KEYS!)[0] as { kid: string; x: string; d: string };

const enc = (o: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(o)));

export function decodePart(token: string, i: 0 | 1): Record<string, any> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[i]!)));
}

export async function signWith(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  jwk = realKey(),
) {
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, 'EdDSA');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'voucher+jwt', kid: jwk.kid, ...header } as never)
    .sign(key);
}

/** Re-signs a real token's claims with changes, under the real key (valid signature). */
export async function resign(
  token: string,
  changes: Record<string, unknown>,
  header: Record<string, unknown> = {},
) {
  return signWith(header, { ...decodePart(token, 1), ...changes });
}

export function tamperPayload(token: string, changes: Record<string, unknown>) {
  const [h, , s] = token.split('.');
  return `${h}.${enc({ ...decodePart(token, 1), ...changes })}.${s}`;
}

export function algNone(token: string) {
  const header = { ...decodePart(token, 0), alg: 'none' };
  return `${enc(header)}.${token.split('.')[1]}.`;
}

/**
 * The classic confusion attack: HS256 with the public key as the HMAC secret, in the form a confused
 * verifier would take it: the raw 32 bytes, or the public JWK as JSON.
 */
export async function hs256WithPublicKey(token: string, form: 'raw' | 'jwk' = 'raw') {
  const header = { ...decodePart(token, 0), alg: 'HS256' };
  const input = `${enc(header)}.${token.split('.')[1]}`;
  const jwk = realKey();
  const secret =
    form === 'raw'
      ? base64url.decode(jwk.x)
      : new TextEncoder().encode(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }));
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input)));
  return `${input}.${base64url.encode(sig)}`;
}

export async function signedByUnknownKey(token: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as unknown as { x: string; d: string };
  return signWith({}, decodePart(token, 1), { kid: 'rogue-key', x: jwk.x, d: jwk.d });
}

export async function newSigningKeyJwk(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as unknown as Record<string, string>;
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid, status: 'active' };
}
