import { createPublicKey } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { baseUrl, createOrg, http } from './http';

// The voucher journey over real HTTP against wrangler dev, and a partner's offline check of a token
// with a JWT library that is not the one we sign with (fast-jwt on node:crypto), from the JWKS alone.

async function scene() {
  const clinic = await createOrg({ kind: 'clinic', name: 'Journey Clinic' });
  const partner = await createOrg({
    kind: 'partner',
    name: 'Journey Spa',
    category: 'massage',
    address: 'Torstraße 1, Berlin',
    booking_url: 'https://spa.example/book',
  });
  const offer = await http('POST', '/v1/offers', partner.key, {
    title: 'Hot stone massage',
    category: 'massage',
    price: { amount: 7000, currency: 'EUR' },
  });
  expect(offer.status).toBe(201);
  const patient = await http('POST', '/v1/patients', clinic.key, {
    first_name: 'Greta',
    last_name: 'Hoffmann',
  });
  const voucher = await http('POST', '/v1/vouchers', clinic.key, {
    patient_id: patient.body.id,
    offer_id: offer.body.id,
    message: 'Enjoy!',
  });
  expect(voucher.status).toBe(201);
  return { clinic, partner, voucher: voucher.body };
}

describe('the voucher journey over HTTP (wrangler dev)', () => {
  it('issues, verifies, redeems exactly once, and the clinic sees it redeemed', async () => {
    const { clinic, partner, voucher } = await scene();
    expect(voucher.url).toBe(`${baseUrl()}/r/${voucher.token}`);
    const link = await fetch(voucher.url);
    expect(link.status).toBe(200);
    expect(link.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await link.text();
    expect(page).toContain('Hot stone massage');
    expect(page).toContain('Enjoy!');
    const verify = await http('POST', '/v1/vouchers/verify', partner.key, { token: voucher.token });
    expect(verify.body).toMatchObject({
      valid: true,
      voucher: { holder: { first_name: 'Greta', last_initial: 'H' }, title: 'Hot stone massage' },
    });
    const redeem = await http('POST', '/v1/redemptions', partner.key, { token: voucher.token });
    expect(redeem.status).toBe(201);
    const again = await http('POST', '/v1/redemptions', partner.key, { token: voucher.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('voucher_already_redeemed');
    const seen = await http('GET', `/v1/vouchers/${voucher.id}`, clinic.key);
    expect(seen.body.status).toBe('redeemed');
    // The patient's link says so too (and opening it changed nothing before).
    expect(await (await fetch(voucher.url)).text()).toMatch(/redeemed/i);
  });

  it('verifies offline with fast-jwt using only the JWKS', async () => {
    const { partner, voucher } = await scene();
    const jwks = await http('GET', '/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toContain('max-age');
    const [headerPart] = voucher.token.split('.');
    const { kid } = JSON.parse(Buffer.from(headerPart, 'base64url').toString());
    const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === kid);
    const publicKeyPem = createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const verify = createVerifier({
      key: publicKeyPem,
      algorithms: ['EdDSA'],
      allowedIss: baseUrl(),
      allowedAud: partner.id,
      complete: true,
    });
    const decoded = verify(voucher.token) as {
      header: Record<string, string>;
      payload: Record<string, unknown>;
    };
    expect(decoded.header).toMatchObject({ alg: 'EdDSA', typ: 'voucher+jwt', kid });
    expect(decoded.payload).toMatchObject({
      sub: voucher.id,
      jti: voucher.id,
      aud: partner.id,
      iss: baseUrl(),
    });

    const tampered = `${headerPart}.${Buffer.from(JSON.stringify({ ...decoded.payload, aud: 'someone-else' })).toString('base64url')}.${voucher.token.split('.')[2]}`;
    expect(() => createVerifier({ key: publicKeyPem, algorithms: ['EdDSA'] })(tampered)).toThrow();
  });
});
