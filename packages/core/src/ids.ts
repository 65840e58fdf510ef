// Opaque, type-prefixed ids. The body is time-ordered (48-bit millisecond time, then 80 random bits,
// Crockford base32, like a ULID) so that ids sort by creation and can serve as list cursors.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ID_PREFIXES = [
  'org',
  'key',
  'pat',
  'off',
  'vch',
  'red',
  'vis',
  'ptr',
  'req',
  'cns',
  'txn',
  'ent',
  'lot',
  'prd',
  'rev',
  'ses',
  'prv',
  'lpv',
  'stl',
  'nst',
  'rec',
  'fnd',
  'stf',
  'inv',
  'aud',
  'cal',
  'chl',
  'lnk',
  'qst',
  'qrs',
  'svy',
  'sug',
  'brn',
  'seg',
  'plt',
  'pli',
  'rwd',
  'cwd',
  'cwu',
  'ref',
  'vrl',
  'vrv',
  'msg',
  'mev',
] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export function newId(prefix: IdPrefix, nowMs: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `id` has the given prefix and a well-formed body; lets routes answer 404 without a query. */
export function isId(prefix: IdPrefix, id: string): boolean {
  return id.startsWith(`${prefix}_`) && ID_BODY.test(id.slice(prefix.length + 1));
}

/** Random token with `bytes` bytes of entropy, base64url. */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function base64url(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
