import { env } from 'cloudflare:workers';
import { base64url } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient, issueVoucher } from '../helpers/factories';
import { type Rng, seeded } from '../helpers/prng';
import { algNone, decodePart, hs256WithPublicKey, newSigningKeyJwk, signWith } from '../helpers/tokens';

// A mutation fuzzer for voucher tokens: more than 10,000 damaged, re-encoded or forged tokens, in a
// seeded mix (the mutations are the same every run; the tokens they start from carry the run's fresh
// key and ids), against the three places a token is read: the counter's verify, its redeem, and the
// patient's link page. None may be accepted, none may cause a 5xx, and none may make the Worker fetch
// anything (no jku/x5u key discovery). The untouched tokens are accepted, before and after, and no
// voucher row changes. A second test takes what only the key holder could sign: the genuine claims
// with a key-discovery header, a JWE "enc", or a duplicated member whose last value is the genuine one.

const SEED = 0x6a77_7466; // "jwtf"
const CHUNK = 500; // requests between two resets of the abuse counters
const WIDTH = 8; // requests in flight at once

type Target = 'verify' | 'redeem' | 'link';
/**
 * Every endpoint, the link page twice: a refused token costs it no D1 round trip (about 2 ms against
 * 10 ms at the counter), and it runs the same verifier.
 */
const ALL: readonly Target[] = ['link', 'verify', 'link', 'redeem'];
/** The link page ignores time by design (an expired gift still shows its page): counter only. */
const COUNTER: readonly Target[] = ['verify', 'redeem'];
/** A genuinely signed token with another audience: only verify reads the token's aud (redeem asks the row). */
const VERIFY_ONLY: readonly Target[] = ['verify'];

interface Case {
  family: string;
  /** What was done, for the failure report. */
  note: string;
  token: string;
  targets: readonly Target[];
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const te = new TextEncoder();
const enc = (v: unknown) => base64url.encode(te.encode(typeof v === 'string' ? v : JSON.stringify(v)));
const split = (t: string) => t.split('.') as [string, string, string];

/** Signs raw header and payload text (duplicate members, odd spacing) with an Ed25519 private JWK. */
async function rawSigner(jwk: { x: string; d: string }) {
  const key = await crypto.subtle.importKey(
    'jwk',
    { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d },
    { name: 'Ed25519' },
    false,
    ['sign'],
  );
  return async (header: unknown, payload: unknown) => {
    const input = `${enc(header)}.${enc(payload)}`;
    const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', key, te.encode(input)));
    return `${input}.${base64url.encode(sig)}`;
  };
}

async function hmac(alg: 'HS256' | 'HS384' | 'HS512', secret: Uint8Array, header: unknown, payload: unknown) {
  const hash = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' }[alg];
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['sign']);
  const input = `${enc(header)}.${enc(payload)}`;
  return `${input}.${base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, te.encode(input))))}`;
}

/** Flips `n` distinct bits of a part's bytes and re-encodes it canonically. */
function flipBits(part: string, rng: Rng, n: number) {
  const bytes = base64url.decode(part).slice();
  const seen = new Set<number>();
  while (seen.size < n) seen.add(rng.int(bytes.length * 8));
  for (const i of seen) bytes[i >> 3]! ^= 1 << (i & 7);
  return base64url.encode(bytes);
}

/** Every other last character of a part that decodes to the same bytes (the unused low bits). */
function spareBitTwins(part: string): string[] {
  const spare = part.length % 4 === 2 ? 4 : part.length % 4 === 3 ? 2 : 0;
  if (spare === 0) return [];
  const v = B64URL.indexOf(part.at(-1)!);
  const mask = (1 << spare) - 1;
  const out: string[] = [];
  for (let s = 0; s <= mask; s++) {
    const w = (v & ~mask) | s;
    if (w !== v) out.push(part.slice(0, -1) + B64URL[w]);
  }
  return out;
}

/** The link page's path segment; a lone surrogate goes as the bytes of an invalid UTF-8 sequence. */
function pathSegment(token: string) {
  try {
    return encodeURIComponent(token);
  } catch {
    return Array.from(token, (ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    }).join('');
  }
}

type Client = ReturnType<typeof createClient>;
interface Outcome {
  status: number;
  code: string;
  accepted: boolean;
}

/** One token at one endpoint, as the partner (verify, redeem) or the patient (link). */
async function send(api: Client, partnerKey: string, token: string, target: Target, rid: string) {
  const headers = { 'x-request-id': rid };
  if (target === 'link') {
    const res = await api.get(`/r/${pathSegment(token)}`, { headers });
    const gift = res.text.includes('A gift for you') || res.text.includes('class="qr"');
    const code = res.text.includes('This link is not valid')
      ? 'not valid page'
      : String(res.body?.code ?? '');
    return { status: res.status, code, accepted: gift || (res.status >= 200 && res.status < 300) };
  }
  const path = target === 'verify' ? '/v1/vouchers/verify' : '/v1/redemptions';
  const res = await api.post(path, { token: partnerKey, headers, body: { token } });
  const ok = res.status >= 200 && res.status < 300;
  // verify answers 200 either way: only an explicit { valid: false } is a refusal.
  return {
    status: res.status,
    code: String(res.body?.code ?? ''),
    accepted: target === 'verify' ? ok && res.body?.valid !== false : ok,
  };
}

/** Headers that name a key (or where to fetch one): a verifier must never take its key from a token. */
function keyInjections(realKid: string, realX: string, rogueX: string): [string, Record<string, unknown>][] {
  const roguePublic = { kty: 'OKP', crv: 'Ed25519', x: rogueX };
  return [
    ['jku attacker', { jku: 'https://attacker.invalid/.well-known/jwks.json' }],
    ['jku self', { jku: 'https://gratia.test/.well-known/jwks.json' }],
    ['jku metadata', { jku: 'http://169.254.169.254/latest/meta-data/' }],
    ['jku file', { jku: 'file:///etc/passwd' }],
    ['x5u', { x5u: 'https://attacker.invalid/cert.pem' }],
    ['jwk rogue', { jwk: roguePublic }],
    ['jwk rogue with kid', { jwk: { ...roguePublic, kid: realKid } }],
    ['jwk real', { jwk: { kty: 'OKP', crv: 'Ed25519', x: realX } }],
    ['x5c', { x5c: ['MIIBLjCB4aADAgECAhQ'] }],
    ['x5t', { x5t: 'dGh1bWJwcmludA', 'x5t#S256': 'dGh1bWJwcmludA' }],
    ['jku+jwk', { jku: 'https://attacker.invalid/jwks', jwk: roguePublic }],
  ];
}

interface Duplicate {
  what: string;
  header: string;
  payload: string;
  /** Where the real key's signature over it is refused (its last member is a wrong one); null when the
   * last member is the genuine one, so only a duplicate-member check could refuse it (the second test). */
  refusedAt: readonly Target[] | null;
}

/** Raw JSON with a duplicated member, before or after the genuine one (JSON.parse keeps the last). */
function duplicateMembers(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  other: { voucherId: string; partnerId: string },
  nowS: number,
): Duplicate[] {
  const j = JSON.stringify;
  const h = (before: string, after = '') => `{${before}${j(header).slice(1, -1)}${after}}`;
  const c = (before: string, after = '') => `{${before}${j(claims).slice(1, -1)}${after}}`;
  const d = (what: string, header: string, payload: string, refusedAt: readonly Target[] | null) => ({
    what,
    header,
    payload,
    refusedAt,
  });
  return [
    d('jti "a" then genuine', h(''), c('"jti":"a",'), null),
    d('jti genuine then "a"', h(''), c('', ',"jti":"a"'), ALL),
    d('jti "a" then "b", after genuine', h(''), c('', ',"jti":"a","jti":"b"'), ALL),
    d('sub of another voucher then genuine', h(''), c(`"sub":${j(other.voucherId)},`), null),
    // The link page would show that other voucher: it reads neither aud nor time.
    d(
      'sub and jti of another voucher, after',
      h(''),
      c('', `,"sub":${j(other.voucherId)},"jti":${j(other.voucherId)}`),
      COUNTER,
    ),
    d('aud of another partner then genuine', h(''), c(`"aud":${j(other.partnerId)},`), null),
    d('aud genuine then another partner', h(''), c('', `,"aud":${j(other.partnerId)}`), VERIFY_ONLY),
    d('exp past then genuine', h(''), c(`"exp":${nowS - 86400},`), null),
    d('exp genuine then past', h(''), c('', `,"exp":${nowS - 86400}`), COUNTER),
    d('iss evil then genuine', h(''), c('"iss":"https://evil.example",'), null),
    d('iss genuine then evil', h(''), c('', ',"iss":"https://evil.example"'), ALL),
    d('escaped jti "a" after genuine', h(''), c('', ',"j\\u0074i":"a"'), ALL),
    d('__proto__ member', h(''), c('"__proto__":{"jti":"a","sub":"a"},'), null),
    d('alg none then EdDSA', h('"alg":"none",'), c(''), null),
    d('alg EdDSA then none', h('', ',"alg":"none"'), c(''), ALL),
    d('alg EdDSA then HS256', h('', ',"alg":"HS256"'), c(''), ALL),
    d('kid rogue then genuine', h('"kid":"rogue-1",'), c(''), null),
    d('kid genuine then rogue', h('', ',"kid":"rogue-1"'), c(''), ALL),
    d('typ JWT then voucher+jwt', h('"typ":"JWT",'), c(''), null),
    d('typ voucher+jwt then JWT', h('', ',"typ":"JWT"'), c(''), ALL),
    d('crit twice', h('"crit":["exp"],', ',"crit":["exp"]'), c(''), ALL),
  ];
}

describe('voucher token fuzzing', () => {
  it('refuses 10,000+ mutated and forged tokens at verify, redeem and the link page: no 5xx, no fetch', async () => {
    const started = Date.now();
    const api = createClient();
    const net = await createNetwork(api);
    const { partner, otherPartner, clinic } = net;
    const patient = await createPatient(api, clinic.key, { first_name: 'Clara' });
    const offer = await createOffer(api, partner.key);
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    const offerV = await issueVoucher(api, clinic.key, { patient_id: patient.id, offer_id: offer.id });
    const categoryV = await issueVoucher(api, clinic.key, {
      patient_id: patient.id,
      value: eur(5000),
      category: 'massage',
    });
    const valueV = await issueVoucher(api, clinic.key, {
      patient_id: patient.id,
      value: eur(5000),
      partner_id: partner.id,
    });
    const otherV = await issueVoucher(api, clinic.key, {
      patient_id: patient.id,
      value: eur(3000),
      partner_id: otherPartner.id,
    });
    const spentV = await issueVoucher(api, clinic.key, { patient_id: patient.id, offer_id: offer.id });
    const spent = await api.post('/v1/redemptions', { token: partner.key, body: { token: spentV.token } });
    expect(spent.status, spent.text).toBe(201);
    const receipt = spent.body.receipt as string;
    expect(receipt.split('.')).toHaveLength(3);
    const jwksText = (await api.get('/.well-known/jwks.json')).text;

    // Every base token is one the partner may honour: a forgery of it that got through would show.
    const bases = [offerV.token, categoryV.token, valueV.token];
    const genuine = [...bases, otherV.token, spentV.token];
    const ids = [offerV.id, categoryV.id, valueV.id, otherV.id, spentV.id];

    const real = JSON.parse(env.VOUCHER_SIGNING_KEYS!)[0] as { kid: string; x: string; d: string };
    const rogue = (await newSigningKeyJwk('rogue-1')) as { kid: string; x: string; d: string };
    const signReal = await rawSigner(real);
    const signRogue = await rawSigner(rogue);
    const header0 = decodePart(offerV.token, 0);
    expect(header0).toEqual({ alg: 'EdDSA', kid: real.kid, typ: 'voucher+jwt' });
    // Ed25519 is deterministic: the raw signer rebuilds the issued token byte for byte.
    expect(await signReal(header0, decodePart(offerV.token, 1))).toBe(offerV.token);

    const nowS = Math.floor(T0 / 1000);
    const rng = seeded(SEED);
    const cases: Case[] = [];
    const untouched = new Set(genuine);
    // A "mutation" that lands back on a genuine token (a splice of identical headers) is not one.
    const add = (family: string, note: string, token: string, targets: readonly Target[] = ALL) => {
      if (!untouched.has(token)) cases.push({ family, note, token, targets });
    };
    const claimsOf = (t: string) => decodePart(t, 1);
    const b64rand = (n: number) => base64url.encode(rng.bytes(n));

    // 1-3. Bit flips in each segment: any change to the signed bytes breaks the signature.
    for (const [i, family] of [
      [0, 'bitflip-header'],
      [1, 'bitflip-payload'],
    ] as const) {
      for (let k = 0; k < 700; k++) {
        const base = rng.pick(bases);
        const parts = split(base);
        const n = rng.pick([1, 1, 1, 2, 3, 8]);
        parts[i] = flipBits(parts[i], rng, n);
        add(family, `${n} bit(s)`, parts.join('.'));
      }
    }
    {
      const [h, p, s] = split(offerV.token);
      for (let bit = 0; bit < 512; bit++) {
        const bytes = base64url.decode(s).slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        add('bitflip-signature', `bit ${bit}`, `${h}.${p}.${base64url.encode(bytes)}`);
      }
      for (let k = 0; k < 300; k++) {
        const parts = split(rng.pick(bases));
        const n = rng.pick([2, 3, 16, 64]);
        parts[2] = flipBits(parts[2], rng, n);
        add('bitflip-signature', `${n} bits`, parts.join('.'));
      }
    }

    // 4. One base64url character replaced by another (sometimes only the spare bits change).
    for (let k = 0; k < 800; k++) {
      const parts = split(rng.pick(bases));
      const i = rng.int(3);
      const at = rng.int(parts[i]!.length);
      const old = parts[i]![at]!;
      let ch = old;
      while (ch === old) ch = rng.pick([...B64URL]);
      parts[i] = parts[i]!.slice(0, at) + ch + parts[i]!.slice(at + 1);
      add('char-substitution', `part ${i} @${at} ${old}->${ch}`, parts.join('.'));
    }

    // 5. Non-canonical encodings of the same bytes: the unused low bits of a last character.
    for (const base of genuine) {
      const parts = split(base);
      for (let i = 0; i < 3; i++) {
        for (const twin of spareBitTwins(parts[i]!)) {
          const p = [...parts];
          p[i] = twin;
          add('noncanonical-spare-bits', `part ${i} last char ${twin.at(-1)}`, p.join('.'));
        }
      }
    }
    while (cases.filter((c) => c.family === 'noncanonical-spare-bits').length < 300) {
      const parts = split(rng.pick(bases));
      const twins = parts.map((p) => spareBitTwins(p));
      const out = parts.map((p, i) => (twins[i]!.length && rng.next() < 0.7 ? rng.pick(twins[i]!) : p));
      if (out.join('.') === parts.join('.')) continue;
      add('noncanonical-spare-bits', 'several parts', out.join('.'));
    }

    // 6. Base64 alphabet, padding, whitespace and look-alike damage.
    const spaces = [
      ' ',
      '\t',
      '\n',
      '\r',
      '\r\n',
      '\v',
      '\f',
      '\u00a0',
      '\u200b',
      '\u2028',
      '\ufeff',
      '\u3000',
      '\0',
    ];
    const homoglyphs: Record<string, string> = {
      a: '\u0430',
      e: '\u0435',
      o: '\u043e',
      A: '\u0391',
      O: '\u041e',
      '-': '\u2010',
      _: '\uff3f',
      '0': '\uff10',
    };
    const toStd = (p: string) => p.replace(/-/g, '+').replace(/_/g, '/');
    const padded = (p: string) => p + '='.repeat((4 - (p.length % 4)) % 4);
    for (let k = 0; k < 1000; k++) {
      const base = rng.pick(bases);
      const parts = split(base);
      const i = rng.int(3);
      const op = rng.int(14);
      let token = base;
      let note = '';
      if (op === 0) {
        parts[i] += '='.repeat(1 + rng.int(3));
        [token, note] = [parts.join('.'), `'=' padding on part ${i}`];
      } else if (op === 1) {
        [token, note] = [parts.map(padded).join('.'), 'standard padding on every part'];
      } else if (op === 2) {
        [token, note] = [parts.map(toStd).join('.'), "'+' and '/' for '-' and '_'"];
      } else if (op === 3) {
        [token, note] = [parts.map((p) => padded(toStd(p))).join('.'), 'standard base64 with padding'];
      } else if (op === 4) {
        const where = [...base.matchAll(/[-_]/g)].map((m) => m.index);
        const at = where.length ? rng.pick(where) : rng.int(base.length);
        const ch = base[at] === '-' ? '+' : '/';
        [token, note] = [base.slice(0, at) + ch + base.slice(at + 1), `one '${ch}' at ${at}`];
      } else if (op === 5 || op === 6) {
        const ws = rng.pick(spaces);
        const at = rng.int(base.length + 1);
        [token, note] = [
          base.slice(0, at) + ws + base.slice(at),
          `whitespace ${JSON.stringify(ws)} at ${at}`,
        ];
      } else if (op === 7) {
        const ws = rng.pick(spaces);
        [token, note] = [
          rng.next() < 0.5 ? ws + base : base + ws,
          `leading or trailing ${JSON.stringify(ws)}`,
        ];
      } else if (op === 8) {
        const width = rng.pick([64, 76]);
        const nl = rng.pick(['\n', '\r\n']);
        [token, note] = [base.replace(new RegExp(`(.{${width}})`, 'g'), `$1${nl}`), `wrapped at ${width}`];
      } else if (op === 9) {
        const where = [...base.matchAll(/[aeoAO0_-]/g)].map((m) => m.index);
        const at = rng.pick(where);
        [token, note] = [
          base.slice(0, at) + homoglyphs[base[at]!] + base.slice(at + 1),
          `homoglyph at ${at}`,
        ];
      } else if (op === 10) {
        const at = rng.int(base.length);
        const pct = `%${base.charCodeAt(at).toString(16).toUpperCase().padStart(2, '0')}`;
        [token, note] = [base.slice(0, at) + pct + base.slice(at + 1), `percent-encoded char at ${at}`];
      } else if (op === 11) {
        const wrap = rng.pick([
          (t: string) => `Bearer ${t}`,
          (t: string) => `"${t}"`,
          (t: string) => `https://gratia.test/r/${t}`,
          (t: string) => `voucher:${t}`,
          (t: string) => `${t}\ud800`,
          (t: string) => t.toUpperCase(),
          (t: string) => t.toLowerCase(),
        ]);
        [token, note] = [wrap(base), 'wrapped or re-cased'];
      } else if (op === 12) {
        // Standard-alphabet characters in one part only, where it has some.
        const p = [...parts];
        p[i] = toStd(p[i]!);
        if (p[i] === parts[i]) p[i] = `${p[i]}+`;
        [token, note] = [p.join('.'), `standard alphabet in part ${i}`];
      } else {
        const ws = rng.pick(spaces);
        [token, note] = [parts.join(`${ws}.${ws}`), `whitespace around the dots ${JSON.stringify(ws)}`];
      }
      add('alphabet-padding-whitespace', note, token);
    }

    // 7. Structure: truncation, extension, missing, extra, swapped or duplicated segments.
    const tinyJson = ['e30', 'bnVsbA', 'W10', 'InN0cmluZyI', 'MA', 'dHJ1ZQ', 'W3t9XQ'];
    for (let k = 0; k < 600; k++) {
      const base = rng.pick(bases);
      const [h, p, s] = split(base);
      const other = split(rng.pick(genuine));
      const variants: [string, string][] = [
        [base.slice(0, 1 + rng.int(base.length - 1)), 'truncated'],
        [`${h}.${p}.${s.slice(0, -1 - rng.int(4))}`, 'signature shortened'],
        [`${h}.${p}.${s}${b64rand(1 + rng.int(3))}`, 'signature extended'],
        [`${h}.${p}${b64rand(1 + rng.int(3))}.${s}`, 'payload extended'],
        [`${h}.${p}.`, 'no signature'],
        [`${h}.${p}`, 'two segments'],
        [`${h}..${s}`, 'empty payload'],
        [`.${p}.${s}`, 'empty header'],
        ['..', 'empty segments'],
        [`${h}.${p}.${s}.`, 'trailing dot'],
        [`.${h}.${p}.${s}`, 'leading dot'],
        [`${h}.${p}.${s}.${s}`, 'four segments'],
        [`${p}.${h}.${s}`, 'header and payload swapped'],
        [`${s}.${p}.${h}`, 'header and signature swapped'],
        [`${h}.${s}.${p}`, 'payload and signature swapped'],
        [`${base}.${base}`, 'token twice'],
        [`${h}.${p}.${other[2]}${s}`, 'two signatures glued'],
        [`${rng.pick(tinyJson)}.${p}.${s}`, 'header is a bare JSON value'],
        [`${h}.${rng.pick(tinyJson)}.${s}`, 'payload is a bare JSON value'],
        [`${h}.${p.repeat(2 + rng.int(12))}.${s}`, 'payload repeated'],
        [
          `${h}.${enc(`${JSON.stringify(claimsOf(base))}${' '.repeat(rng.int(4000))}`)}.${s}`,
          'payload padded',
        ],
        [`${h}.${p}.${'A'.repeat(86)}`, 'zero signature'],
        [`${h}.${p}.${b64rand(rng.pick([0, 1, 32, 63, 65, 128, 2048]))}`, 'random signature, other length'],
      ];
      const [token, note] = rng.pick(variants);
      add('structure', note, token);
    }

    // 8. alg "none" in all its spellings, with empty, original or random signatures.
    const noneAlgs: unknown[] = [
      'none',
      'None',
      'NONE',
      'nOnE',
      ' none',
      'none ',
      '',
      null,
      0,
      false,
      ['EdDSA'],
      {},
    ];
    for (const base of bases) add('alg-none', 'helpers algNone', algNone(base));
    while (cases.filter((c) => c.family === 'alg-none').length < 300) {
      const base = rng.pick(bases);
      const [, , s] = split(base);
      const alg = rng.pick(noneAlgs);
      const header = rng.pick([
        { ...header0, alg },
        { alg, typ: 'voucher+jwt' },
        { alg },
        { typ: 'voucher+jwt', kid: real.kid },
      ]);
      const payload = rng.pick([
        claimsOf(base),
        { ...claimsOf(base), exp: nowS + 10 * 365 * 86400 },
        { ...claimsOf(otherV.token), aud: partner.id },
      ]);
      const sig = rng.pick(['', s, b64rand(64), 'AA']);
      add(
        'alg-none',
        `alg ${JSON.stringify(alg)} sig ${sig.length}`,
        `${enc(header)}.${enc(payload)}.${sig}`,
      );
    }

    // 9. Algorithm confusion: HMAC keyed with the public key, in every form an attacker can get it;
    // other algorithm names over a real Ed25519 signature.
    const publicKey = await crypto.subtle.importKey(
      'jwk',
      { kty: 'OKP', crv: 'Ed25519', x: real.x },
      { name: 'Ed25519' },
      true,
      ['verify'],
    );
    const spki = new Uint8Array((await crypto.subtle.exportKey('spki', publicKey)) as ArrayBuffer);
    const spkiB64 = btoa(String.fromCharCode(...spki));
    const secrets: [string, Uint8Array][] = [
      ['raw x', base64url.decode(real.x)],
      ['x text', te.encode(real.x)],
      ['jwk json', te.encode(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: real.x }))],
      ['jwk json sorted', te.encode(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: real.x }))],
      [
        'published jwk',
        te.encode(
          JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: real.x, kid: real.kid, alg: 'EdDSA', use: 'sig' }),
        ),
      ],
      ['jwks document', te.encode(jwksText)],
      ['spki der', spki],
      ['pem', te.encode(`-----BEGIN PUBLIC KEY-----\n${spkiB64}\n-----END PUBLIC KEY-----\n`)],
    ];
    for (const base of bases)
      add('alg-confusion', 'helpers hs256WithPublicKey', await hs256WithPublicKey(base));
    for (let k = 0; k < 250; k++) {
      const base = rng.pick(bases);
      const alg = rng.pick(['HS256', 'HS384', 'HS512'] as const);
      const [what, secret] = rng.pick(secrets);
      const header = rng.pick([
        { ...header0, alg },
        { alg, typ: 'voucher+jwt' },
        { alg, typ: 'JWT' },
      ]);
      const payload = rng.pick([claimsOf(base), { ...claimsOf(base), aud: 'category:massage' }]);
      add('alg-confusion', `${alg} keyed with ${what}`, await hmac(alg, secret, header, payload));
    }
    const otherAlgs = [
      'eddsa',
      'EDDSA',
      'ED25519',
      'ed25519',
      'Ed448',
      'EdDSA ',
      'EdDSA\u0000',
      'ES256',
      'RS256',
    ];
    for (let k = 0; k < 100; k++) {
      const base = rng.pick(bases);
      const alg = rng.pick([...otherAlgs, 'PS256', 'ES256K', 'HS256']);
      if (rng.next() < 0.6 && otherAlgs.includes(alg)) {
        add(
          'alg-confusion',
          `real:alg ${JSON.stringify(alg)}`,
          await signReal({ ...header0, alg }, claimsOf(base)),
        );
      } else {
        const sig = b64rand(rng.pick([64, 256, 32]));
        add('alg-confusion', `alg ${alg} random sig`, `${enc({ ...header0, alg })}.${split(base)[1]}.${sig}`);
      }
    }

    // 10. Key-injection headers, signed by a rogue key or not at all (the attack), and crit under the real
    // key (refused: no extension is understood). The real key with jku/x5u/jwk: the next test.
    const injections = keyInjections(real.kid, real.x, rogue.x);
    const crits: [string, Record<string, unknown>][] = [
      ['crit exp', { crit: ['exp'] }],
      ['crit b64', { crit: ['b64'], b64: false }],
      ['crit empty', { crit: [] }],
      ['crit jku', { crit: ['jku'], jku: 'https://attacker.invalid/jwks' }],
      ['crit string', { crit: 'exp' }],
      ['crit null', { crit: null }],
      ['crit object', { crit: {} }],
    ];
    for (let k = 0; k < 600; k++) {
      const base = rng.pick(bases);
      const claims = claimsOf(base);
      const mode = rng.int(4);
      if (mode === 0) {
        const [what, inj] = rng.pick(injections);
        add(
          'key-injection',
          `rogue-signed, kid ${real.kid}, ${what}`,
          await signRogue({ ...header0, ...inj }, claims),
        );
      } else if (mode === 1) {
        const [what, inj] = rng.pick(injections);
        const kid = rng.pick([rogue.kid, undefined]);
        add(
          'key-injection',
          `rogue-signed, kid ${kid}, ${what}`,
          await signRogue({ ...header0, kid, ...inj }, claims),
        );
      } else if (mode === 2) {
        // Added to the genuine header, the genuine signature kept.
        const [what, inj] = rng.pick(injections);
        add(
          'key-injection',
          `unsigned, ${what}`,
          `${enc({ ...header0, ...inj })}.${split(base).slice(1).join('.')}`,
        );
      } else {
        const [what, c] = rng.pick(crits);
        add('key-injection', `real:${what}`, await signReal({ ...header0, ...c }, claims));
      }
    }

    // 11. kid: path-like, injection-like, huge, of the wrong type, absent; signed by both keys.
    const kids: unknown[] = [
      '../../etc/passwd',
      '../../../../../../etc/passwd\u0000',
      '/etc/passwd',
      'file:///etc/passwd',
      'https://attacker.invalid/key',
      "test-1' OR '1'='1",
      'test-1;--',
      `${real.kid}\u0000`,
      `${real.kid} `,
      ` ${real.kid}`,
      real.kid.toUpperCase(),
      `${real.kid}\n`,
      real.kid.replace('-', '\u2010'),
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
      'x'.repeat(1024),
      'x'.repeat(3000),
      'x'.repeat(10 * 1024),
      '../'.repeat(1000),
      1,
      null,
      [],
      {},
      [real.kid],
      { kid: real.kid },
      true,
      undefined,
    ];
    for (let k = 0; k < 500; k++) {
      const base = rng.pick(bases);
      const kid = rng.pick(kids);
      const real_ = rng.next() < 0.5;
      const sign = real_ ? signReal : signRogue;
      const shown =
        typeof kid === 'string' && kid.length > 40 ? `${kid.slice(0, 12)}... (${kid.length})` : kid;
      add(
        'kid',
        `${real_ ? 'real:' : 'rogue:'}kid ${JSON.stringify(shown)}`,
        await sign({ ...header0, kid }, claimsOf(base)),
      );
    }

    // 12. JWE-shaped tokens: five segments (and four and six), and JWE headers on three.
    const jweHeaders = [
      { alg: 'dir', enc: 'A256GCM', kid: real.kid, typ: 'voucher+jwt' },
      { alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256' },
      { alg: 'ECDH-ES', enc: 'A256GCM', epk: { kty: 'OKP', crv: 'X25519', x: real.x } },
      { alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 2147483647, p2s: 'AAAAAAAAAAA' },
      { alg: 'A256KW', enc: 'A256GCM', zip: 'DEF' },
      { alg: 'EdDSA', enc: 'A256GCM', kid: real.kid, typ: 'voucher+jwt' },
    ];
    for (let k = 0; k < 300; k++) {
      const base = rng.pick(bases);
      const [h, p, s] = split(base);
      const jh = enc(rng.pick(jweHeaders));
      const variants: [string, string][] = [
        [
          `${jh}.${b64rand(rng.pick([0, 32, 256]))}.${b64rand(12)}.${p}.${b64rand(16)}`,
          '5 segments, JWE header',
        ],
        [`${h}.${p}.${s}.${p}.${s}`, '5 segments from the token'],
        [`${h}..${p}..${s}`, '5 segments, empty key and tag'],
        [`${jh}.${p}.${s}.${b64rand(16)}`, '4 segments'],
        [`${h}.${b64rand(32)}.${b64rand(12)}.${p}.${s}.${b64rand(16)}`, '6 segments'],
        [`${jh}.${p}.${s}`, '3 segments, JWE header, real signature of another header'],
      ];
      const [token, note] = rng.pick(variants);
      add('jwe-shaped', note, token);
    }
    for (const jhdr of jweHeaders.filter((h) => h.alg !== 'EdDSA')) {
      // JWE algorithms over a real Ed25519 signature (alg "EdDSA" with an "enc": the next test).
      add(
        'jwe-shaped',
        `real:3 segments, header ${JSON.stringify(jhdr).slice(0, 40)}`,
        await signReal(jhdr, claimsOf(offerV.token)),
      );
    }

    // 13. Duplicate members in the raw JSON (header and payload): rogue-signed, unsigned, and under the
    // real key where the last member is a wrong one (with the genuine one last: the next test).
    for (let k = 0; k < 300; k++) {
      const base = rng.pick(bases);
      const other = { voucherId: otherV.id, partnerId: otherPartner.id };
      const dup = rng.pick(duplicateMembers(header0, claimsOf(base), other, nowS));
      const how = rng.int(3);
      if (how === 0 && dup.refusedAt)
        add('duplicate-members', `real:${dup.what}`, await signReal(dup.header, dup.payload), dup.refusedAt);
      else if (how === 1)
        add('duplicate-members', `rogue:${dup.what}`, await signRogue(dup.header, dup.payload));
      else
        add(
          'duplicate-members',
          `unsigned:${dup.what}`,
          `${enc(dup.header)}.${enc(dup.payload)}.${split(base)[2]}`,
        );
    }

    // 14. Time: exp, nbf, iat moved or mistyped; kept signature, rogue key, or (refused values only) real key.
    const timeValues = (): unknown[] => [
      nowS + rng.pick([1, 59, 60, 61, 3600, 86400, 90 * 86400, 365 * 86400, 10 * 365 * 86400]),
      nowS - rng.pick([1, 59, 60, 61, 3600, 86400, 90 * 86400, 365 * 86400]),
      rng.pick([0, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1e15, 1e308, 1.5, nowS + 0.5]),
      rng.pick([String(nowS + 86400), null, true, [], {}, undefined, '2099-01-01T00:00:00Z']),
    ];
    for (let k = 0; k < 1200; k++) {
      const base = rng.pick(bases);
      const field = rng.pick(['exp', 'nbf', 'iat'] as const);
      const value = rng.pick(timeValues());
      const claims = { ...claimsOf(base), [field]: value };
      const valid = ['iat', 'nbf', 'exp'].every((f) => Number.isInteger(claims[f]));
      const refusedByClock = valid && (claims.nbf > nowS + 60 || claims.exp <= nowS - 60);
      const mode = rng.int(4);
      const what = `${field}=${JSON.stringify(value) ?? 'absent'}`;
      const [h, , s] = split(base);
      if (mode === 0) add('time', `unsigned:${what}`, `${h}.${enc(claims)}.${s}`);
      else if (mode === 1) add('time', `rogue same kid:${what}`, await signRogue(header0, claims));
      else if (mode === 2)
        add('time', `rogue:${what}`, await signRogue({ ...header0, kid: rogue.kid }, claims));
      else if (!valid) add('time', `real:${what}`, await signReal(header0, claims));
      else if (refusedByClock) add('time', `real:${what}`, await signReal(header0, claims), COUNTER);
      else add('time', `unsigned:${what}`, `${h}.${enc(claims)}.${s}`);
    }

    // 15. Audience, issuer and subject.
    const auds: unknown[] = [
      otherPartner.id,
      'category:photography',
      'category:massage',
      partner.id,
      [partner.id],
      null,
      '',
      '*',
      partner.id.toUpperCase(),
      `${partner.id} `,
    ];
    const issuers: unknown[] = [
      'https://evil.example',
      'https://gratia.test/',
      'http://gratia.test',
      'https://GRATIA.test',
      'https://gratia.test.evil.example',
      null,
      ['https://gratia.test'],
    ];
    for (let k = 0; k < 800; k++) {
      const base = rng.pick([...bases, otherV.token]);
      const c = claimsOf(base);
      const kind = rng.int(4);
      let change: Record<string, unknown>;
      if (kind === 0) change = { aud: rng.pick(auds) };
      else if (kind === 1) change = { iss: rng.pick(issuers) };
      else if (kind === 2) change = { sub: rng.pick(ids.filter((id) => id !== c.sub)) };
      else {
        const id = rng.pick(ids.filter((x) => x !== c.sub));
        change = rng.next() < 0.5 ? { jti: id } : { sub: id, jti: id };
      }
      const claims = { ...c, ...change };
      const what = JSON.stringify(change);
      const [h, , s] = split(base);
      const mode = rng.int(5);
      // What a real-key token with this change is: refused everywhere, at verify only, or a genuine token.
      let realTargets: readonly Target[] | null = null;
      if ('iss' in change || 'sub' in change !== 'jti' in change) realTargets = ALL;
      else if ('aud' in change && typeof change.aud !== 'string') realTargets = ALL;
      else if ('aud' in change && change.aud !== partner.id && change.aud !== 'category:massage')
        realTargets = VERIFY_ONLY;
      if (mode === 0 || (mode === 4 && !realTargets))
        add('aud-iss', `unsigned:${what}`, `${h}.${enc(claims)}.${s}`);
      else if (mode === 1) add('aud-iss', `rogue same kid:${what}`, await signRogue(header0, claims));
      else if (mode === 2)
        add('aud-iss', `rogue:${what}`, await signRogue({ ...header0, kid: rogue.kid }, claims));
      else if (mode === 3)
        add('aud-iss', `alg none:${what}`, `${enc({ ...header0, alg: 'none' })}.${enc(claims)}.`);
      else add('aud-iss', `real:${what}`, await signReal(header0, claims), realTargets!);
    }

    // 16. Spliced signatures: parts of other real tokens (vouchers and a settlement receipt, same key),
    // and the same claims serialised differently under the original signature.
    const sources: [string, string][] = [
      ['offer', offerV.token],
      ['category', categoryV.token],
      ['value', valueV.token],
      ['other', otherV.token],
      ['spent', spentV.token],
      ['receipt', receipt],
    ];
    add('splice', 'receipt as a voucher', receipt);
    for (const [an, a] of sources) {
      for (const [bn, b] of sources) {
        if (a === b) continue;
        const [ha, pa, sa] = split(a);
        const [, pb, sb] = split(b);
        add('splice', `${an} + signature of ${bn}`, `${ha}.${pa}.${sb}`);
        add('splice', `${an} header+sig, payload of ${bn}`, `${ha}.${pb}.${sa}`);
        add('splice', `header of ${an}, ${bn} payload+sig`, `${ha}.${pb}.${sb}`);
      }
    }
    const reserialise = (c: Record<string, unknown>): [string, string] =>
      rng.pick<[string, string]>([
        [JSON.stringify(c, null, 1), 'pretty'],
        [JSON.stringify(Object.fromEntries(Object.entries(c).reverse())), 'reversed keys'],
        [` ${JSON.stringify(c)} `, 'outer spaces'],
        [`\ufeff${JSON.stringify(c)}`, 'BOM'],
        [JSON.stringify(c).replace(/"jti"/, '"j\\u0074i"'), 'escaped key'],
        [JSON.stringify(c).replace(`"exp":${c.exp}`, `"exp":${c.exp}.0`), 'exp as x.0'],
        [
          JSON.stringify(c).replace(
            `"exp":${c.exp}`,
            `"exp":${String(c.exp).slice(0, 1)}.${String(c.exp).slice(1)}e${String(c.exp).length - 1}`,
          ),
          'exp in e-notation',
        ],
        [JSON.stringify(c).replace(/,/g, ', '), 'spaces after commas'],
      ]);
    while (cases.filter((c) => c.family === 'splice').length < 600) {
      const base = rng.pick(bases);
      const [h, , s] = split(base);
      const [text, how] = reserialise(claimsOf(base));
      const hdr = rng.next() < 0.3 ? enc(JSON.stringify(header0, null, 1)) : h;
      add(
        'splice',
        `same claims ${how}, original signature${hdr === h ? '' : ', header re-spaced'}`,
        `${hdr}.${enc(text)}.${s}`,
      );
    }

    // 17. Garbage: random text, random base64url, random JSON under a rogue signature.
    const alphabets = [
      B64URL,
      `${B64URL}.`,
      `${B64URL}.=+/ `,
      '.',
      '\u0000\u00ff\u2028\ud83d\ude00.%',
      '0123456789.',
    ];
    for (let k = 0; k < 700; k++) {
      const kind = rng.int(4);
      if (kind === 0) {
        const a = rng.pick(alphabets);
        const len = rng.pick([1, 2, 3, 10, 100, 300, 1000, 4096, 5000]);
        add(
          'garbage',
          `random text ${len}`,
          Array.from({ length: len }, () => a[rng.int(a.length)]).join(''),
        );
      } else if (kind === 1) {
        add(
          'garbage',
          'three random parts',
          `${b64rand(rng.int(80))}.${b64rand(rng.int(300))}.${b64rand(64)}`,
        );
      } else if (kind === 2) {
        const junk = { [b64rand(3)]: rng.next(), alg: 'EdDSA', typ: 'voucher+jwt', kid: real.kid };
        add(
          'garbage',
          'random claims, random signature',
          `${enc(junk)}.${enc({ [b64rand(2)]: b64rand(9) })}.${b64rand(64)}`,
        );
      } else {
        const claims = { ...claimsOf(rng.pick(bases)), aud: partner.id, exp: nowS + 86400 * rng.int(3650) };
        add('garbage', 'plausible claims, rogue signature', await signRogue(header0, claims));
      }
    }

    // The deterministic mix: shuffle, then send each token to one of its targets, in turn per family.
    for (let i = cases.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [cases[i], cases[j]] = [cases[j]!, cases[i]!];
    }
    const turn = new Map<string, number>();
    const plan = cases.map((c) => {
      const n = turn.get(c.family) ?? rng.int(3);
      turn.set(c.family, n + 1);
      const target = c.targets[n % c.targets.length]!;
      // "/r/." and "/r/.." are resolved away by the URL itself (to / and /r/): they never reach the page.
      return { ...c, target: target === 'link' && /^\.{1,2}$/.test(c.token) ? ('verify' as const) : target };
    });
    const generated = Date.now();

    // The control: the untouched tokens are accepted everywhere, so a refusal below means something.
    const control = async () => {
      await env.DB.prepare('DELETE FROM abuse_counters').run();
      for (const t of bases) {
        const v = await api.post('/v1/vouchers/verify', { token: partner.key, body: { token: t } });
        expect(v.body, t).toMatchObject({ valid: true });
        const page = await api.get(`/r/${t}`);
        expect(page.status).toBe(200);
        expect(page.text).toContain('class="qr"');
      }
    };
    await control();
    const rows = async () =>
      (await env.DB.prepare('select id, status, remaining_amount from vouchers order by id').all()).results;
    const rowsBefore = await rows();

    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      throw new Error(
        `outbound fetch during fuzzing: ${String(input instanceof Request ? input.url : input)}`,
      );
    });
    const fetched: string[] = [];
    const reasons = new Map<string, string>();
    const otherLogs: string[] = [];
    const logSpy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      const line = String(args[0]);
      if (line.includes('"voucher_refused"')) {
        const e = JSON.parse(line) as { request_id: string; reason: string };
        reasons.set(e.request_id, e.reason);
      } else otherLogs.push(line);
    });
    const outcomes: (Outcome & { i: number })[] = [];
    try {
      for (let start = 0; start < plan.length; start += CHUNK) {
        // Abuse limits may count failed verifications: reset them so the verifier, not the limiter, answers.
        await env.DB.prepare('DELETE FROM abuse_counters')
          .run()
          .catch(() => {});
        const chunk = plan.slice(start, start + CHUNK);
        let next = 0;
        await Promise.all(
          Array.from({ length: WIDTH }, async () => {
            while (next < chunk.length) {
              const i = start + next++;
              const c = plan[i]!;
              outcomes[i] = { i, ...(await send(api, partner.key, c.token, c.target, `fz-${i}`)) };
            }
          }),
        );
      }
    } finally {
      fetched.push(...fetchSpy.mock.calls.map((c) => String(c[0])));
      logSpy.mockRestore();
      fetchSpy.mockRestore();
    }
    const fuzzed = Date.now();

    // Tally per family, and every acceptance or 5xx in full.
    const families = new Map<
      string,
      { n: number; verify: number; redeem: number; link: number; real: number; why: Map<string, number> }
    >();
    const bad: unknown[] = [];
    for (const o of outcomes) {
      const c = plan[o.i]!;
      const f = families.get(c.family) ?? { n: 0, verify: 0, redeem: 0, link: 0, real: 0, why: new Map() };
      families.set(c.family, f);
      f.n++;
      f[c.target]++;
      if (c.note.startsWith('real:')) f.real++;
      const why = `${c.target} ${o.status} ${reasons.get(`fz-${o.i}`) ?? o.code}`;
      f.why.set(why, (f.why.get(why) ?? 0) + 1);
      if (o.accepted || o.status >= 500 || (o.status >= 200 && o.status < 300 && c.target === 'redeem'))
        bad.push({
          family: c.family,
          note: c.note,
          target: c.target,
          status: o.status,
          code: o.code,
          token: c.token.slice(0, 300),
        });
    }
    console.log(
      `jwt fuzz: ${plan.length} tokens (seed ${SEED.toString(16)}); generated in ${generated - started} ms, sent in ${fuzzed - generated} ms`,
    );
    for (const [name, f] of families) {
      const top = [...f.why].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`);
      console.log(
        `  ${name.padEnd(28)} ${String(f.n).padStart(5)}  verify ${f.verify} redeem ${f.redeem} link ${f.link}  real-key-signed ${f.real}\n      ${top.join('\n      ')}`,
      );
    }
    if (bad.length) console.log(JSON.stringify(bad.slice(0, 50), null, 1));
    if (otherLogs.length) console.log(`${otherLogs.length} other log lines, e.g.`, otherLogs.slice(0, 5));

    expect(plan.length).toBeGreaterThanOrEqual(10_000);
    expect(outcomes.filter(Boolean)).toHaveLength(plan.length);
    for (const t of ['verify', 'redeem', 'link'] as const)
      expect(plan.some((c) => c.target === t)).toBe(true);
    expect(bad).toEqual([]);
    expect(fetched).toEqual([]);
    // Nothing was redeemed or changed by any of them; and the originals still work, to the end.
    expect(await rows()).toEqual(rowsBefore);
    await control();
    const redeem = await api.post('/v1/redemptions', { token: partner.key, body: { token: offerV.token } });
    expect(redeem.status, redeem.text).toBe(201);
  }, 180_000);

  // Tokens only the holder of the signing key could make: the genuine claims under a genuine signature,
  // with a key-discovery header, a JWE "enc", an unencoded-payload flag without crit, or a duplicated
  // member whose last value is the genuine one. No key may come from a token and no duplicate may be
  // resolved silently, so each is refused everywhere, on a fresh voucher each time (so that a redeem
  // which got through shows as one, not as "already redeemed").
  it('refuses genuinely signed tokens carrying jku, x5u, jwk, x5c, x5t, enc or duplicate members', async () => {
    const api = createClient();
    const { clinic, partner, otherPartner } = await createNetwork(api);
    const patient = await createPatient(api, clinic.key, { first_name: 'Clara' });
    const fresh = () =>
      issueVoucher(api, clinic.key, {
        patient_id: patient.id,
        value: { amount: 1000, currency: 'EUR' },
        partner_id: partner.id,
      });
    const real = JSON.parse(env.VOUCHER_SIGNING_KEYS!)[0] as { kid: string; x: string; d: string };
    const rogue = (await newSigningKeyJwk('rogue-1')) as { kid: string; x: string; d: string };
    const signReal = await rawSigner(real);
    const nowS = Math.floor(T0 / 1000);
    const other = await fresh();

    const variants: [string, (token: string) => Promise<string>][] = [
      ...keyInjections(real.kid, real.x, rogue.x).map(
        ([what, header]): [string, (t: string) => Promise<string>] => [
          `signWith ${what}`,
          (t) => signWith(header, decodePart(t, 1)),
        ],
      ),
      ['signWith enc (JWE-shaped header)', (t) => signWith({ enc: 'A256GCM' }, decodePart(t, 1))],
      ['signWith b64 false without crit', (t) => signWith({ b64: false }, decodePart(t, 1))],
      ...duplicateMembers({}, {}, { voucherId: '', partnerId: '' }, nowS)
        .filter((d) => d.refusedAt === null)
        .map(({ what }): [string, (t: string) => Promise<string>] => [
          `duplicate ${what}`,
          (t) => {
            const dups = duplicateMembers(
              decodePart(t, 0),
              decodePart(t, 1),
              { voucherId: other.id, partnerId: otherPartner.id },
              nowS,
            );
            const dup = dups.find((d) => d.what === what)!;
            return signReal(dup.header, dup.payload);
          },
        ]),
    ];
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      throw new Error(`outbound fetch: ${String(input instanceof Request ? input.url : input)}`);
    });
    const accepted: string[] = [];
    const fetched: string[] = [];
    try {
      for (const [what, make] of variants) {
        for (const target of ['verify', 'redeem', 'link'] as const) {
          await env.DB.prepare('DELETE FROM abuse_counters')
            .run()
            .catch(() => {});
          const voucher = await fresh();
          const token = await make(voucher.token);
          expect(token).not.toBe(voucher.token);
          const out = await send(api, partner.key, token, target, `dup-${accepted.length}`);
          expect(out.status, `${what} at ${target}`).toBeLessThan(500);
          if (out.accepted) accepted.push(`${what} at ${target}: ${out.status}`);
        }
      }
    } finally {
      fetched.push(...fetchSpy.mock.calls.map((c) => String(c[0])));
      fetchSpy.mockRestore();
    }
    if (accepted.length) console.log(`accepted ${accepted.length}:\n  ${accepted.join('\n  ')}`);
    expect(fetched).toEqual([]);
    // The control: the same vouchers' own tokens are accepted.
    const own = await fresh();
    expect(await send(api, partner.key, own.token, 'verify', 'own')).toMatchObject({ accepted: true });
    expect(accepted).toEqual([]);
  }, 120_000);
});
