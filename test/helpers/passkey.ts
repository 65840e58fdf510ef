import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

// A platform authenticator plus the browser around it, in software, so tests can register passkeys and
// sign in against the server without a browser. WebCrypto only: runs inside workerd. One ES256 key per
// credential, "none" attestation, user-verified by default; every response can be bent for negative tests.

/** What the page passes to the authenticator and the browser puts into clientDataJSON, each replaceable. */
export interface ClientOverrides {
  /** clientDataJSON.origin (default: the authenticator's origin). */
  origin?: string;
  /** clientDataJSON.challenge (default: the options' challenge). */
  challenge?: string;
  /** clientDataJSON.type (default: 'webauthn.create' / 'webauthn.get'). */
  type?: string;
  /** The RP ID hashed into authenticatorData (default: the authenticator's rpId); skips the browser's check. */
  rpId?: string;
  /** false: authenticatorData without the UV flag (the user was present but not verified). */
  userVerified?: boolean;
}

export interface AuthenticateOptions extends ClientOverrides {
  /** Which stored credential answers (default: the first one allowed for the rpId). */
  credentialId?: string;
  /** The signCount to send instead of the next one, e.g. a stale value to replay; the stored count is left as is. */
  signCount?: number;
  /** The response's userHandle (default: the credential's user id); null leaves it out. */
  userHandle?: string | null;
  /** true: a well-formed signature over other bytes, as a forger without the private key would send. */
  badSignature?: boolean;
}

/** A credential as the authenticator holds it (the private key stays inside). */
export interface StoredPasskey {
  id: string;
  rpId: string;
  userHandle: string;
  signCount: number;
}

interface Credential extends StoredPasskey {
  privateKey: CryptoKey;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;
const ES256 = -7;

export class SoftAuthenticator {
  readonly origin: string;
  readonly rpId: string;
  readonly #counter: 'increment' | 'zero';
  readonly #synced: boolean;
  #credentials: Credential[] = [];

  /**
   * counter 'zero' behaves like synced passkeys (iCloud, Google) that always send signCount 0;
   * synced sets the backup flags (BE|BS), so the server sees a multi-device credential.
   */
  constructor(opts: { origin: string; rpId: string; counter?: 'increment' | 'zero'; synced?: boolean }) {
    this.origin = opts.origin;
    this.rpId = opts.rpId;
    this.#counter = opts.counter ?? 'increment';
    this.#synced = opts.synced ?? false;
  }

  /** navigator.credentials.create(): a new discoverable credential for options.user, in simplewebauthn's JSON. */
  async register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: ClientOverrides = {},
  ): Promise<RegistrationResponseJSON> {
    if (overrides.rpId === undefined) this.#checkRpId(options.rp.id);
    if (!options.pubKeyCredParams.some((p) => p.alg === ES256)) {
      throw new DOMException(
        'No supported algorithm (this authenticator only does ES256)',
        'NotSupportedError',
      );
    }
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.#credentials.some((c) => c.rpId === this.rpId && excluded.has(c.id))) {
      throw new DOMException(
        'A credential in excludeCredentials is on this authenticator',
        'InvalidStateError',
      );
    }

    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const rawPublic = new Uint8Array((await crypto.subtle.exportKey('raw', keys.publicKey)) as ArrayBuffer);
    const spki = new Uint8Array((await crypto.subtle.exportKey('spki', keys.publicKey)) as ArrayBuffer);
    const coseKey = encodeCbor(
      new Map<number, CborValue>([
        [1, 2], // kty: EC2
        [3, ES256], // alg
        [-1, 1], // crv: P-256
        [-2, rawPublic.slice(1, 33)], // x
        [-3, rawPublic.slice(33, 65)], // y
      ]),
    );
    const rawId = randomBytes(16 + (randomBytes(1)[0]! % 17));
    const credential: Credential = {
      id: toBase64url(rawId),
      rpId: this.rpId,
      userHandle: options.user.id,
      signCount: 0,
      privateKey: keys.privateKey,
    };

    const idLength = new Uint8Array([rawId.length >> 8, rawId.length & 0xff]);
    const authData = concat(
      await this.#authDataHead(overrides, FLAG_AT, 0),
      new Uint8Array(16), // aaguid: none, as with "none" attestation
      idLength,
      rawId,
      coseKey,
    );
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = this.#clientData('webauthn.create', options.challenge, overrides);
    this.#credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        attestationObject: toBase64url(attestationObject),
        authenticatorData: toBase64url(authData),
        transports: ['internal'],
        publicKeyAlgorithm: ES256,
        publicKey: toBase64url(spki),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): an assertion from a stored credential (discoverable when allowCredentials is empty). */
  async authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    opts: AuthenticateOptions = {},
  ): Promise<AuthenticationResponseJSON> {
    if (opts.rpId === undefined) this.#checkRpId(options.rpId);
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential = this.#credentials.find(
      (c) =>
        c.rpId === this.rpId &&
        (opts.credentialId === undefined || c.id === opts.credentialId) &&
        (allowed.size === 0 || allowed.has(c.id)),
    );
    if (!credential) throw new DOMException('No credential on this authenticator fits', 'NotAllowedError');

    let signCount = opts.signCount;
    if (signCount === undefined) {
      if (this.#counter === 'increment') credential.signCount += 1;
      signCount = credential.signCount;
    }
    const authData = await this.#authDataHead(opts, 0, signCount);
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, opts);
    const signed = concat(authData, new Uint8Array(await crypto.subtle.digest('SHA-256', clientDataJSON)));
    if (opts.badSignature) signed[0]! ^= 0xff;
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, credential.privateKey, signed),
    );
    const userHandle = opts.userHandle === undefined ? credential.userHandle : opts.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: toBase64url(clientDataJSON),
        authenticatorData: toBase64url(authData),
        signature: toBase64url(rawSignatureToDer(raw)),
        ...(userHandle === null ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** The credentials held, newest last. */
  get credentials(): StoredPasskey[] {
    return this.#credentials.map(({ id, rpId, userHandle, signCount }) => ({
      id,
      rpId,
      userHandle,
      signCount,
    }));
  }

  /** Deletes a credential (all of them without an id), as a user removing a passkey from the device. */
  forget(credentialId?: string): void {
    this.#credentials =
      credentialId === undefined ? [] : this.#credentials.filter((c) => c.id !== credentialId);
  }

  // The browser refuses an RP ID the page's origin may not use; only equality is modelled here.
  #checkRpId(requested: string | undefined) {
    if (requested !== undefined && requested !== this.rpId) {
      throw new DOMException(`${this.origin} may not use the RP ID ${requested}`, 'SecurityError');
    }
  }

  async #authDataHead(overrides: ClientOverrides, extraFlags: number, signCount: number) {
    const rpIdHash = await crypto.subtle.digest('SHA-256', utf8(overrides.rpId ?? this.rpId));
    const flags =
      FLAG_UP |
      (overrides.userVerified === false ? 0 : FLAG_UV) |
      (this.#synced ? FLAG_BE | FLAG_BS : 0) |
      extraFlags;
    const counter = new Uint8Array(4);
    new DataView(counter.buffer).setUint32(0, signCount);
    return concat(new Uint8Array(rpIdHash), new Uint8Array([flags]), counter);
  }

  #clientData(type: string, challenge: string, overrides: ClientOverrides) {
    return utf8(
      JSON.stringify({
        type: overrides.type ?? type,
        challenge: overrides.challenge ?? challenge,
        origin: overrides.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
  }
}

// --- CBOR (RFC 8949), just what attestation objects and COSE keys need: shortest-form heads, definite lengths.

export type CborValue = number | string | Uint8Array | Map<number | string, CborValue>;

export function encodeCbor(value: CborValue): Uint8Array {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`CBOR: not an integer: ${value}`);
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = utf8(value);
    return concat(cborHead(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concat(cborHead(2, value.length), value);
  const parts = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(encodeCbor(k), encodeCbor(v));
  return concat(...parts);
}

function cborHead(major: number, n: number): Uint8Array {
  const m = major << 5;
  if (n < 24) return new Uint8Array([m | n]);
  if (n < 0x100) return new Uint8Array([m | 24, n]);
  if (n < 0x10000) return new Uint8Array([m | 25, n >> 8, n & 0xff]);
  if (n < 0x100000000) {
    const out = new Uint8Array(5);
    out[0] = m | 26;
    new DataView(out.buffer).setUint32(1, n);
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = m | 27;
  new DataView(out.buffer).setBigUint64(1, BigInt(n));
  return out;
}

// --- bytes

/** WebCrypto signs ECDSA as r||s; WebAuthn carries an ASN.1 DER SEQUENCE of two INTEGERs. */
export function rawSignatureToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.slice(start);
    // A set high bit would read as negative: DER pads with a zero byte.
    const body = trimmed[0]! & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed;
    return concat(new Uint8Array([0x02, body.length]), body);
  };
  const r = integer(raw.slice(0, half));
  const s = integer(raw.slice(half));
  return concat(new Uint8Array([0x30, r.length + s.length]), r, s);
}

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
