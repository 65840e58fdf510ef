import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { expect } from 'vitest';
import { type Client, OPERATOR_TOKEN } from './api';

/** Sets the network's fee and closing grace (network-wide: a test that depends on them sets them first). */
export async function setFee(api: Client, fee_bps: number, closing_grace_days = 5) {
  const res = await api.put('/v1/network/settings', {
    token: OPERATOR_TOKEN,
    body: { fee_bps, closing_grace_days },
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** A receipt's claims, once it has verified against the JWKS alone (and is typed a receipt). */
export async function verifyReceipt(api: Client, token: string) {
  const jwks = createLocalJWKSet((await api.get('/.well-known/jwks.json')).body);
  expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'receipt+jwt' });
  const { payload } = await compactVerify(token, jwks);
  return JSON.parse(new TextDecoder().decode(payload));
}
