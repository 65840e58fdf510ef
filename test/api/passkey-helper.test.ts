import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { convertCOSEtoPKCS } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import {
  encodeCbor,
  fromBase64url,
  rawSignatureToDer,
  SoftAuthenticator,
  toBase64url,
} from '../helpers/passkey';

// The software authenticator (test/helpers/passkey.ts) against @simplewebauthn/server itself, inside
// workerd: what it produces is what the library accepts, and each way of bending it is refused.

const RP_ID = 'gratia.test';
const ORIGIN = 'https://gratia.test';

const registrationOptions = (excludeCredentials: { id: string }[] = []) =>
  generateRegistrationOptions({
    rpName: 'Gratia',
    rpID: RP_ID,
    userName: 'ada@clinic.test',
    userID: new Uint8Array(new TextEncoder().encode('stf_01TESTUSER')),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    excludeCredentials,
  });

const signInOptions = () =>
  generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [], userVerification: 'required' });

/** A registered passkey as the server would store it. */
async function enrol(authenticator = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID })) {
  const options = await registrationOptions();
  const response = await authenticator.register(options);
  const { verified, registrationInfo } = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
  });
  expect(verified).toBe(true);
  return { authenticator, options, response, credential: registrationInfo!.credential };
}

const verifySignIn = (
  response: AuthenticationResponseJSON,
  challenge: string,
  credential: WebAuthnCredential,
  expectedRPID = RP_ID,
) =>
  verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: ORIGIN,
    expectedRPID,
    credential,
  });

describe('registration', () => {
  it('is verified, with the credential id and public key the authenticator made', async () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const options = await registrationOptions();
    const response = await authenticator.register(options);
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: true,
    });
    expect(verified).toBe(true);
    const info = registrationInfo!;
    expect(info.fmt).toBe('none');
    expect(info.userVerified).toBe(true);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(info.rpID).toBe(RP_ID);
    expect(info.origin).toBe(ORIGIN);
    expect(info.credential.counter).toBe(0);
    expect(info.credential.transports).toEqual(['internal']);

    const [stored] = authenticator.credentials;
    expect(info.credential.id).toBe(response.id);
    expect(stored).toEqual({ id: response.id, rpId: RP_ID, userHandle: options.user.id, signCount: 0 });
    expect(fromBase64url(response.id).length).toBeGreaterThanOrEqual(16);
    expect(fromBase64url(response.id).length).toBeLessThanOrEqual(32);

    // The COSE key inside authenticatorData is the key reported as SPKI in response.publicKey.
    const spki = await crypto.subtle.importKey(
      'spki',
      fromBase64url(response.response.publicKey!),
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    const raw = new Uint8Array((await crypto.subtle.exportKey('raw', spki)) as ArrayBuffer);
    expect(toBase64url(convertCOSEtoPKCS(info.credential.publicKey))).toBe(toBase64url(raw));
  });

  it('sets the backup flags of a synced passkey when asked', async () => {
    const { credential } = await enrol(new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, synced: true }));
    expect(credential.counter).toBe(0);
    const options = await registrationOptions();
    const response = await new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, synced: true }).register(
      options,
    );
    const { registrationInfo } = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
    expect(registrationInfo!.credentialDeviceType).toBe('multiDevice');
    expect(registrationInfo!.credentialBackedUp).toBe(true);
  });

  it.each([
    ['another origin', { origin: 'https://evil.test' }, /origin/],
    ['another challenge', { challenge: toBase64url(new Uint8Array(32)) }, /challenge/],
    ['another RP ID', { rpId: 'evil.test' }, /RP ID/],
    ['a sign-in instead', { type: 'webauthn.get' }, /type/],
    ['no user verification', { userVerified: false }, /verif/],
  ])('is refused with %s', async (_, overrides, message) => {
    const options = await registrationOptions();
    const response = await new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID }).register(
      options,
      overrides,
    );
    await expect(
      verifyRegistrationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      }),
    ).rejects.toThrow(message);
  });

  it('refuses, like a browser, an RP ID the page may not use and a credential it already holds', async () => {
    const { authenticator, credential } = await enrol();
    const foreign = await generateRegistrationOptions({ rpName: 'Evil', rpID: 'evil.test', userName: 'x' });
    await expect(authenticator.register(foreign)).rejects.toMatchObject({ name: 'SecurityError' });
    const again = await registrationOptions([{ id: credential.id }]);
    await expect(authenticator.register(again)).rejects.toMatchObject({ name: 'InvalidStateError' });
  });
});

describe('sign-in', () => {
  it('is verified for a discoverable credential, returning the user handle and a rising counter', async () => {
    const { authenticator, options: registered, credential } = await enrol();
    const first = await signInOptions();
    expect(first.allowCredentials).toEqual([]);
    const response = await authenticator.authenticate(first);
    expect(response.id).toBe(credential.id);
    expect(response.response.userHandle).toBe(registered.user.id);
    const one = await verifySignIn(response, first.challenge, credential);
    expect(one.verified).toBe(true);
    expect(one.authenticationInfo.newCounter).toBe(1);
    expect(one.authenticationInfo.userVerified).toBe(true);

    const second = await signInOptions();
    const two = await verifySignIn(await authenticator.authenticate(second), second.challenge, {
      ...credential,
      counter: one.authenticationInfo.newCounter,
    });
    expect(two.verified).toBe(true);
    expect(two.authenticationInfo.newCounter).toBe(2);
    expect(authenticator.credentials[0]!.signCount).toBe(2);
  });

  it('answers with the credential asked for, by allowCredentials or by id', async () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const a = await enrol(authenticator);
    const b = await enrol(authenticator);
    const options = await signInOptions();
    expect((await authenticator.authenticate(options)).id).toBe(a.credential.id);
    expect((await authenticator.authenticate(options, { credentialId: b.credential.id })).id).toBe(
      b.credential.id,
    );
    const allowB = await generateAuthenticationOptions({
      rpID: RP_ID,
      allowCredentials: [{ id: b.credential.id }],
    });
    const response = await authenticator.authenticate(allowB);
    expect(response.id).toBe(b.credential.id);
    expect((await verifySignIn(response, allowB.challenge, b.credential)).verified).toBe(true);
  });

  it('keeps signCount at 0 like a synced passkey, which the server accepts every time', async () => {
    const { authenticator, credential } = await enrol(
      new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, counter: 'zero' }),
    );
    for (let i = 0; i < 2; i++) {
      const options = await signInOptions();
      const result = await verifySignIn(
        await authenticator.authenticate(options),
        options.challenge,
        credential,
      );
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo.newCounter).toBe(0);
    }
  });

  it('refuses a stale counter (a cloned authenticator)', async () => {
    const { authenticator, credential } = await enrol();
    const options = await signInOptions();
    await authenticator.authenticate(options);
    await authenticator.authenticate(options);
    const stale = await authenticator.authenticate(options, { signCount: 1 });
    await expect(verifySignIn(stale, options.challenge, { ...credential, counter: 2 })).rejects.toThrow(
      /counter value 1 was lower than expected 2/,
    );
  });

  it.each([
    ['another origin', { origin: 'https://evil.test' }, /origin/],
    ['another challenge', { challenge: toBase64url(new Uint8Array(32)) }, /challenge/],
    ['another RP ID', { rpId: 'evil.test' }, /RP ID/],
    ['a registration instead', { type: 'webauthn.create' }, /type/],
    ['no user verification', { userVerified: false }, /verif/],
  ])('is refused with %s', async (_, overrides, message) => {
    const { authenticator, credential } = await enrol();
    const options = await signInOptions();
    const response = await authenticator.authenticate(options, overrides);
    await expect(verifySignIn(response, options.challenge, credential)).rejects.toThrow(message);
  });

  it('is not verified with a forged signature, or one from another authenticator', async () => {
    const { authenticator, credential } = await enrol();
    const options = await signInOptions();
    const forged = await authenticator.authenticate(options, { badSignature: true });
    expect((await verifySignIn(forged, options.challenge, credential)).verified).toBe(false);

    const flipped = await authenticator.authenticate(options);
    const signature = fromBase64url(flipped.response.signature);
    signature[signature.length - 1]! ^= 0x01;
    flipped.response.signature = toBase64url(signature);
    expect((await verifySignIn(flipped, options.challenge, credential)).verified).toBe(false);

    // Unknown to the server: a passkey made on another device, presented under the stored credential's id.
    const other = await enrol();
    const impostor = await other.authenticator.authenticate(options);
    expect(impostor.id).not.toBe(credential.id);
    const posing = { ...impostor, id: credential.id, rawId: credential.id };
    expect((await verifySignIn(posing, options.challenge, credential)).verified).toBe(false);
  });

  it('has nothing to answer with once the passkey is forgotten, or for another RP ID', async () => {
    const { authenticator, credential } = await enrol();
    await expect(
      authenticator.authenticate(await generateAuthenticationOptions({ rpID: 'evil.test' })),
    ).rejects.toMatchObject({ name: 'SecurityError' });
    authenticator.forget(credential.id);
    expect(authenticator.credentials).toEqual([]);
    await expect(authenticator.authenticate(await signInOptions())).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  it('can leave out or replace the user handle', async () => {
    const { authenticator } = await enrol();
    const options = await signInOptions();
    expect((await authenticator.authenticate(options, { userHandle: null })).response).not.toHaveProperty(
      'userHandle',
    );
    expect(
      (await authenticator.authenticate(options, { userHandle: 'c29tZW9uZQ' })).response.userHandle,
    ).toBe('c29tZW9uZQ');
  });
});

describe('encoding', () => {
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

  it('encodes CBOR as RFC 8949 appendix A does', () => {
    const cases: [Parameters<typeof encodeCbor>[0], string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [100, '1864'],
      [1000, '1903e8'],
      [1000000, '1a000f4240'],
      [1000000000000, '1b000000e8d4a51000'],
      [-1, '20'],
      [-100, '3863'],
      [-1000, '3903e7'],
      ['', '60'],
      ['a', '6161'],
      ['\u00fc', '62c3bc'],
      [new Uint8Array([1, 2, 3, 4]), '4401020304'],
      [new Map(), 'a0'],
      [
        new Map([
          [1, 2],
          [3, 4],
        ]),
        'a201020304',
      ],
      [new Map([['a', new Map([['b', 'c']])]]), 'a16161a161626163'],
    ];
    for (const [value, expected] of cases) expect(hex(encodeCbor(value))).toBe(expected);
  });

  it('converts raw ECDSA signatures to DER, padding high bits and trimming leading zeros', () => {
    const r = new Uint8Array(32).fill(0x80);
    const s = new Uint8Array(32);
    s[30] = 0x01;
    s[31] = 0x02;
    const der = rawSignatureToDer(new Uint8Array([...r, ...s]));
    expect(hex(der)).toBe(`3027022100${'80'.repeat(32)}02020102`);
  });

  it('round-trips base64url without padding', () => {
    for (let n = 0; n < 6; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n + 30));
      const text = toBase64url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64url(text)).toEqual(bytes);
    }
  });
});
