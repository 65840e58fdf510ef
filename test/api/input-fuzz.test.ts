import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { openApiDocument } from '../../workers/api/src/routes/meta/openapi';
import { type Client, createClient, OPERATOR_TOKEN } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  issueVoucher,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { type InventoryRoute, routeInventory } from '../helpers/inventory';
import { seeded } from '../helpers/prng';

// An input fuzzer generated from the OpenAPI document: every operation (so every route added later)
// gets at least MIN_REQUESTS malformed requests derived from its own schema (its body's properties one
// at a time, its path and query parameters, its headers), with real keys of the roles that may call
// it so the requests reach validation and the use cases rather than stopping at 401. POSTs that take
// an Idempotency-Key also send some of them twice under one key. The contract: nothing answers 5xx,
// and every refusal is problem+json with a stable `code`, replays included.
// Deterministic: a seeded PRNG per operation; a failure prints the exact request to replay it.

type Json = Record<string, any>;

const SEED = 0x6a7e1a;
const MIN_REQUESTS = 500;
const CONCURRENCY = 8;
/** Set to true to print each operation's status histogram. */
const VERBOSE = false;

const doc = openApiDocument(createClient().app, 'https://gratia.test') as Json;
const inventory = new Map(routeInventory(createClient().app).map((r) => [`${r.method} ${r.path}`, r]));
const operations: { method: string; path: string; op: Json; route: InventoryRoute | undefined }[] = [];
for (const [path, item] of Object.entries<Json>(doc.paths)) {
  for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    if (!item[method]) continue;
    const m = method.toUpperCase();
    operations.push({ method: m, path, op: item[method], route: inventory.get(`${m} ${path}`) });
  }
}

// ---------------------------------------------------------------------------------------------------
// Determinism

const hash = (s: string) => [...s].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, SEED);

// ---------------------------------------------------------------------------------------------------
// The scene: real resources, so ids in paths and bodies exist and requests get past "not found".

async function buildScene(api: Client) {
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key);
  const patient = await createPatient(api, net.clinic.key, {
    first_name: 'Fuzz',
    email: 'fuzz@example.com',
    phone: '+4915112345678',
  });
  await createPatient(api, net.clinic.key);
  await recordVisit(api, net.clinic.key, patient.id, 50_000);
  const offer = await createOffer(api, net.partner.key);
  const giftVoucher = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
  const valueVoucher = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    value: { amount: 50_000, currency: 'EUR' },
    partner_id: net.partner.id,
  });
  const redeemed = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
  const redemption = await api.post('/v1/redemptions', {
    token: net.partner.key,
    body: { token: redeemed.token },
  });
  expect(redemption.status, redemption.text).toBe(201);
  const spend = await api.post('/v1/points/redemptions', {
    token: net.partner.key,
    body: { card_number: patient.card_number, points: 100 },
  });
  expect(spend.status, spend.text).toBe(201);
  // A key nobody uses, so a fuzzed DELETE /v1/api_keys/{id} never revokes the keys the fuzzer sends.
  const spareKey = await api.post(`/v1/organizations/${net.otherClinic.id}/api_keys`, {
    token: OPERATOR_TOKEN,
    body: { name: 'spare' },
  });
  expect(spareKey.status, spareKey.text).toBe(201);
  const page = await api.get('/v1/patients?limit=1', { token: net.clinic.key });
  expect(page.body.next_cursor, page.text).toBeTruthy();

  const tokens = {
    operator: OPERATOR_TOKEN,
    clinic: net.clinic.key,
    partner: net.partner.key,
    otherClinic: net.otherClinic.key,
    otherPartner: net.otherPartner.key,
  };
  const ids: Record<string, string[]> = {
    organizations: [net.clinic.id, net.partner.id],
    api_keys: [spareKey.body.id],
    patients: [patient.id],
    offers: [offer.id],
    vouchers: [giftVoucher.id, valueVoucher.id],
    redemptions: [redemption.body.id],
    'points/redemptions': [spend.body.id],
  };
  /** Valid values for body properties, by name: the base body a mutation starts from. */
  const known: Json = {
    patient_id: patient.id,
    offer_id: offer.id,
    partner_id: net.partner.id,
    card_number: patient.card_number,
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    first_name: 'Fuzz',
    last_name: 'Tester',
    name: 'Fuzz Org',
    title: 'Fuzz offer',
    reason: 'fuzzing',
    reference: 'fuzz-1',
    email: 'fuzz@example.com',
    phone: '+4915112345678',
    birth_date: '1990-05-17',
    occurred_at: '2026-11-01T08:00:00.000Z',
    expires_at: '2027-01-01T00:00:00.000Z',
    points: 1,
    amount: 1000,
    accrual_rate_bps: 1000,
    expiry_days: 180,
    min_redemption_points: 0,
    fee_bps: 100,
    closing_grace_days: 3,
    // The loyalty plan (issue 12): an item added by hand is due on a day near the fixed clock's.
    due_on: '2026-11-10',
    // Code words (issue 12): a campaign word and a window that ends after the fixed clock.
    word: 'FUZZWORD',
    valid_until: '2027-06-01T00:00:00.000Z',
  };
  /** Per operation, what a body needs beyond its required properties to be valid. */
  const extra: Record<string, Json> = {
    issueVoucher: { offer_id: offer.id },
    redeemVoucher: { token: valueVoucher.token, amount: { amount: 1, currency: 'EUR' } },
    verifyVoucher: { token: giftVoucher.token },
  };
  const all = Object.values(ids).flat();
  return { tokens, ids, all, known, extra, cursor: page.body.next_cursor as string, tokenOf: net };
}
type Scene = Awaited<ReturnType<typeof buildScene>>;

// ---------------------------------------------------------------------------------------------------
// Schemas

function resolve(schema: Json | undefined): Json {
  if (!schema) return {};
  if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()]);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map(resolve));
  if (schema.anyOf) {
    const branch = schema.anyOf.find((s: Json) => s.type !== 'null');
    return { ...resolve(branch), nullable: true };
  }
  return schema;
}
const typeOf = (s: Json): string =>
  (Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type) ??
  (s.properties ? 'object' : 'unknown');

/** A valid value for a schema (known values by property name first). */
function validValue(s: Json, name: string, scene: Scene): unknown {
  const known = scene.known[name];
  const jsType = { string: 'string', integer: 'number', number: 'number' }[typeOf(s)];
  if (known !== undefined && typeof known === jsType) return known;
  if (s.enum) return s.enum[0];
  switch (typeOf(s)) {
    case 'object':
      return validObject(s, scene);
    case 'array':
      return [validValue(resolve(s.items), `${name}[]`, scene)];
    case 'integer':
    case 'number':
      return Math.min(Math.max(1, s.minimum ?? 1), s.maximum ?? 1);
    case 'boolean':
      return true;
    default:
      if (s.format === 'date-time') return '2026-11-01T08:00:00.000Z';
      if (s.format === 'email') return 'fuzz@example.com';
      if (s.format === 'uri') return 'https://example.com/';
      return 'fuzz';
  }
}

function validObject(s: Json, scene: Scene): Json {
  const out: Json = {};
  for (const key of s.required ?? []) out[key] = validValue(resolve(s.properties?.[key]), key, scene);
  return out;
}

/** Every property path of a body schema (into nested objects and the first item of arrays). */
function propertyPaths(
  s: Json,
  prefix: (string | number)[] = [],
): { path: (string | number)[]; schema: Json }[] {
  const out: { path: (string | number)[]; schema: Json }[] = [];
  for (const [key, raw] of Object.entries<Json>(s.properties ?? {})) {
    const sub = resolve(raw);
    const path = [...prefix, key];
    out.push({ path, schema: sub });
    if (typeOf(sub) === 'object') out.push(...propertyPaths(sub, path));
    if (typeOf(sub) === 'array') {
      const item = resolve(sub.items);
      out.push({ path: [...path, 0], schema: item });
      if (typeOf(item) === 'object') out.push(...propertyPaths(item, [...path, 0]));
    }
  }
  return out;
}

/** A copy of `base` with `value` at `path`, creating valid parents on the way. */
function setPath(base: Json, path: (string | number)[], value: unknown, root: Json, scene: Scene): Json {
  const out = structuredClone(base);
  let node: any = out;
  let schema = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    schema = typeof key === 'number' ? resolve(schema.items) : resolve(schema.properties?.[key]);
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') {
      node[key] = typeof path[i + 1] === 'number' ? [] : validObject(schema, scene);
    }
    node = node[key];
  }
  node[path[path.length - 1]!] = value;
  return out;
}

function deletePath(base: Json, path: (string | number)[]): Json {
  const out = structuredClone(base);
  let node: any = out;
  for (const key of path.slice(0, -1)) {
    node = node?.[key];
    if (node === undefined) return out;
  }
  if (node && typeof node === 'object') delete node[path[path.length - 1]!];
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Malformed values

/** A JSON literal inserted verbatim (numbers JSON.stringify cannot write, duplicate keys, bombs). */
class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new Raw(text);

function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `@@RAW_${raws.length - 1}@@`;
    }
    return v;
  });
  return raws.reduce((t, r, i) => t.replace(`"@@RAW_${i}@@"`, () => r), text ?? '');
}

const arrayBomb = (depth: number) => raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const objectBomb = (depth: number) => raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** Values that are wrong for (almost) any property: type confusion, boundaries, structure. */
const CONFUSION: [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['2^53', 2 ** 53],
  ['-2^53-2', -(2 ** 53) - 2],
  ['1e308', 1e308],
  ['-1e308', -1e308],
  ['5e-324', 5e-324],
  ['1e999 (Infinity)', raw('1e999')],
  ['-1e999', raw('-1e999')],
  ['-0', raw('-0')],
  ['30-digit int', raw('123456789012345678901234567890')],
  ['"NaN"', 'NaN'],
  ['"Infinity"', 'Infinity'],
  ['"1e3"', '1e3'],
  ['""', ''],
  ['[]', []],
  ['{}', {}],
  ['[null]', [null]],
  ['array bomb', arrayBomb(5000)],
  ['object bomb', objectBomb(3000)],
  ['__proto__ object', raw('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}')],
];

/** Strings that are wrong or hostile for string properties. */
function badStrings(s: Json): [string, unknown][] {
  const max: number = s.maxLength ?? 200;
  const out: [string, unknown][] = [
    ['" "', ' '],
    ['maxLength+1', 'x'.repeat(max + 1)],
    ['maxLength', 'y'.repeat(max)],
    ['20k chars', 'z'.repeat(20_000)],
    ['70k chars', 'z'.repeat(70_000)],
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate', 'a\udfffb'],
    ['reversed pair', '\udc00\ud800'],
    ['RTL override', '\u202egnp.exe\u202c'],
    ['zero-width', '\u200b\u200c\u200d\u2060'],
    ['zero-width x max', '\u200b'.repeat(max)],
    ['BOM', '\ufeffvalue'],
    ['NUL inside', 'a\u0000b'],
    ['NUL only', '\u0000'],
    ['control chars', '\u0001\u0008\u001f\u007f\u0085'],
    ['line separators', 'a\u2028b\u2029c\r\n'],
    ['emoji x max/2', '💩'.repeat(Math.max(1, Math.floor(max / 2)))],
    ['emoji x max', '💩'.repeat(max)],
    ['combining', `e${'\u0301'.repeat(Math.min(max, 100) - 1)}`],
    ['noncharacters', '\uffff\ufffe\u{10ffff}'],
    ['fullwidth digits', '１２３４'],
    ['arabic', 'مرحبا بالعالم'],
    ['SQL', "' OR '1'='1'; DROP TABLE patients; --"],
    ['LIKE wildcards', '%_%\\'],
    ['HTML', '<script>alert(1)</script>'],
    ['template', '\u0024{7*7}{{7*7}}'],
    ['path traversal', '../../etc/passwd'],
    ['"__proto__"', '__proto__'],
    ['"constructor"', 'constructor'],
    ['"null"', 'null'],
  ];
  if (s.format === 'email')
    out.push(
      ['email no domain', 'a@'],
      ['email @', '@'],
      ['email spaces', 'a b@example.com'],
      ['email long local', `${'a'.repeat(250)}@example.com`],
      ['email unicode', 'ünï@exämple.com'],
      ['email two @', 'a@b@c.com'],
    );
  if (s.format === 'uri')
    out.push(
      ['uri javascript', 'javascript:alert(1)'],
      ['uri data', 'data:text/html,<script>alert(1)</script>'],
      ['uri no host', 'http://'],
      ['uri broken ipv6', 'http://[::1'],
      ['uri relative', '/relative/path'],
      ['uri spaces', 'https://exa mple.com/'],
    );
  if (s.format === 'date-time')
    out.push(
      ['date 30 Feb', '2026-02-30T00:00:00Z'],
      ['date year 0', '0000-01-01T00:00:00Z'],
      ['date far future', '9999-12-31T23:59:59.999Z'],
      ['date extended year', '+275760-09-13T00:00:00.000Z'],
      ['date negative year', '-000001-01-01T00:00:00Z'],
      ['date only', '2026-11-01'],
      ['date hour 25', '2026-11-01T25:00:00Z'],
      ['date +14:00', '2026-11-01T10:00:00+14:00'],
      ['date no zone', '2026-11-01T10:00:00'],
      ['date epoch seconds', '1730000000'],
      ['date in the past', '1970-01-01T00:00:00.000Z'],
      ['date leap second', '2026-06-30T23:59:60Z'],
    );
  const pattern: string = s.pattern ?? '';
  if (pattern.includes('[A-Z]{3}'))
    out.push(['lowercase currency', 'eur'], ['unknown currency', 'ZZZ'], ['USD', 'USD'], ['symbol', '€']);
  if (pattern.includes('\\+[1-9]'))
    out.push(
      ['phone +0', '+0123456789'],
      ['phone 16 digits', '+1234567890123456'],
      ['phone spaces', '+49 151'],
    );
  if (pattern.includes('\\d{4}-\\d{2}-\\d{2}'))
    out.push(['date 99-99', '2026-99-99'], ['date 0000-00-00', '0000-00-00'], ['future birth', '2999-01-01']);
  if (pattern.includes('\\d{16}'))
    out.push(
      ['card zeros', '0000000000000000'],
      ['card nines', '9999999999999999'],
      ['card 15', '800000000000000'],
    );
  if (pattern.includes('\\d{4})-('))
    out.push(['month 13', '2026-13'], ['month 00', '2026-00'], ['year 0000', '0000-01']);
  if (s.enum)
    out.push(
      ['enum uppercase', String(s.enum[0]).toUpperCase()],
      ['enum padded', ` ${s.enum[0]} `],
      ['enum NUL', `${s.enum[0]}\u0000`],
      ['enum unknown', 'definitely_not_an_enum_value'],
      ['enum "toString"', 'toString'],
    );
  return out;
}

function badNumbers(s: Json): [string, unknown][] {
  const min: number = s.minimum ?? 0;
  const max: number = s.maximum ?? 2 ** 31;
  return [
    ['minimum-1', min - 1],
    ['minimum', min],
    ['maximum', max],
    ['maximum+1', max + 1],
    ['maximum-0.5', max - 0.5],
    ['2^31', 2 ** 31],
    ['2^63', 2 ** 63],
    ['MAX_SAFE', Number.MAX_SAFE_INTEGER],
    ['"5" (string number)', '5'],
    ['raw 1.0', raw('1.0')],
    ['raw 1e2', raw('1e2')],
    ['raw 1E400', raw('1E400')],
    ['raw 0.1e1', raw('0.1e1')],
    ['raw 100000000000.5', raw('100000000000.5')],
  ];
}

function badBooleans(): [string, unknown][] {
  return [
    ['"true"', 'true'],
    ['1', 1],
    ['"yes"', 'yes'],
  ];
}

function badArrays(s: Json, scene: Scene, name: string): [string, unknown][] {
  const item = validValue(resolve(s.items), `${name}[]`, scene);
  return [
    ['maxItems+1', Array.from({ length: (s.maxItems ?? 50) + 1 }, () => item)],
    ['maxItems', Array.from({ length: s.maxItems ?? 50 }, () => item)],
    ['5000 items', Array.from({ length: 5000 }, () => 1)],
    ['object as array', { 0: item }],
    ['nested arrays', [[item]]],
  ];
}

function badObjects(s: Json, scene: Scene): [string, unknown][] {
  const valid = validObject(s, scene);
  return [
    ['extra field', { ...valid, zzz_unknown: 1 }],
    ['string', 'x'],
    ['array of valid', [valid]],
  ];
}

// ---------------------------------------------------------------------------------------------------
// Requests

interface Req {
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  body?: string | Uint8Array;
}
interface Case {
  label: string;
  req: Req;
  /** Send twice with one fresh, valid Idempotency-Key (the second answer may be a replay). */
  replay?: boolean;
  /** Send `req`, then this other request under the same fresh Idempotency-Key (a reused key). */
  reuse?: Req;
}

const enc = new TextEncoder();
const preview = (body: Req['body']) =>
  typeof body === 'string' ? body.slice(0, 30) : body ? `${body.length} bytes` : 'no body';
const utf16le = (s: string) => {
  const out = new Uint8Array(s.length * 2 + 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < s.length; i++) {
    out[2 + i * 2] = s.charCodeAt(i) & 0xff;
    out[3 + i * 2] = s.charCodeAt(i) >> 8;
  }
  return out;
};
const concatBytes = (...parts: (string | number[])[]) => {
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

/** Path ids: real ones of every resource, and odd ones (raw: malformed percent-encoding included). */
function oddIds(scene: Scene, real: string): string[] {
  const idBody = real.split('_')[1] ?? '01JD0000000000000000000000';
  const prefix = real.split('_')[0] ?? 'pat';
  return [
    ...scene.all,
    real.toLowerCase(),
    real.toUpperCase(),
    `${prefix}_`,
    `${prefix}_${'Z'.repeat(26)}`,
    `${prefix}_${idBody.slice(0, -1)}`,
    `${prefix}_${'a'.repeat(60)}`,
    'a'.repeat(64),
    'a'.repeat(65),
    'a'.repeat(3000),
    `${real}%00`,
    `${real}%20`,
    `${real}.json`,
    `${real};x=1`,
    'x',
    '0',
    '-1',
    '1e308',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    'toString',
    "1'%20or%20'1'='1",
    '%',
    '%zz',
    '%E0%A4%A',
    '%ED%A0%80',
    '%C0%AF',
    '%FF%FE',
    '%2F',
    '..%2F..%2Fetc',
    '%2e%2e',
    '%09',
    '%E2%80%AE',
    '%E2%80%8B',
    '%EF%BB%BF',
    '%F0%9F%92%A9',
    `p%D0%B0t_${idBody}`,
  ];
}

const ODD_PERIODS = [
  '2026-11',
  '2026-10',
  '2026-13',
  '2026-00',
  '0000-01',
  '9999-12',
  '1970-01',
  '2026-1',
  '2026-011',
  '26-11',
  'abcd-ef',
  '2026-11-01',
  '2026-11.csv',
  '2026-11%00',
  '2026-11%20',
  '%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-11',
  '-2026-11',
  '+2026-11',
  'a'.repeat(300),
  '%',
  '%zz',
];

function concretePath(path: string, scene: Scene, choose: (name: string, real: string) => string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string, offset: number) => {
    if (name === 'period') return choose(name, '2026-11');
    const before = path.slice(0, offset).split('/').filter(Boolean);
    const resource =
      before.at(-1) === 'redemptions' && before.at(-2) === 'points' ? 'points/redemptions' : before.at(-1)!;
    return choose(name, scene.ids[resource]?.[0] ?? 'x_01JD0000000000000000000000');
  });
}

/** Query values, by the parameter's schema. */
function badQueryValues(s: Json, scene: Scene): string[] {
  const common = [
    '',
    '%20',
    '%00',
    '%',
    '%%%',
    '%zz',
    '%ED%A0%80',
    '%E2%80%AE',
    '%F0%9F%92%A9',
    'null',
    'a'.repeat(5000),
    "'%20OR%201=1--",
  ];
  const t = typeOf(s);
  if (t === 'integer' || t === 'number')
    return [
      ...common,
      '0',
      '-1',
      String((s.maximum ?? 200) + 1),
      String(s.maximum ?? 200),
      '1.5',
      '1e3',
      '1e309',
      'NaN',
      'Infinity',
      '-Infinity',
      '%205',
      '5%20',
      '0x10',
      '0b11',
      '9007199254740993',
      '99999999999999999999',
      '1,2',
      '%D9%A3',
      '%EF%BC%95',
      'true',
      '[]',
    ];
  if (s.enum)
    return [
      ...common,
      String(s.enum[0]).toUpperCase(),
      `%20${s.enum[0]}`,
      'nope',
      '__proto__',
      String(s.enum[s.enum.length - 1]),
    ];
  if (s.pattern) return [...common, ...ODD_PERIODS];
  const b64 = (t: string) => btoa(t).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return [
    ...common,
    'a'.repeat((s.maxLength ?? 200) + 1),
    'a'.repeat(s.maxLength ?? 200),
    '%25',
    '_',
    '%5C',
    encodeURIComponent(scene.cursor),
    `${scene.cursor}==`,
    b64('pat_x'),
    b64("pat_' or 1=1"),
    b64(`pat_${'Z'.repeat(120)}`),
    b64('org_01JD0000000000000000000000'),
    b64('\u00ff\u00fe'),
    ...scene.all.slice(0, 4),
  ];
}

const b64 = (s: string) => btoa(s);

/** Header variations on a base request (auth, content type, idempotency, and odd extras). */
function headerVariants(
  scene: Scene,
  token: string,
  hasBody: boolean,
  isPost: boolean,
): [string, [string, string][]][] {
  const t = scene.tokens;
  const out: [string, [string, string][]][] = [
    [
      'duplicate Authorization (two keys)',
      [
        ['authorization', `Bearer ${token}`],
        ['authorization', `Bearer ${t.otherClinic}`],
      ],
    ],
    [
      'duplicate Authorization (same)',
      [
        ['authorization', `Bearer ${token}`],
        ['authorization', `Bearer ${token}`],
      ],
    ],
    ['huge Authorization', [['authorization', `Bearer ${'a'.repeat(16_000)}`]]],
    ['Authorization 257 chars', [['authorization', `Bearer ${'a'.repeat(257)}`]]],
    ['lowercase bearer', [['authorization', `bearer ${token}`]]],
    ['Bearer tab', [['authorization', `Bearer\t${token}`]]],
    ['Bearer two spaces', [['authorization', `Bearer  ${token}`]]],
    ['token padded', [['authorization', `Bearer ${token}==`]]],
    ['token truncated', [['authorization', `Bearer ${token.slice(0, -1)}`]]],
    ['token extended', [['authorization', `Bearer ${token}x`]]],
    ['Token scheme', [['authorization', `Token ${token}`]]],
    ['Basic', [['authorization', `Basic ${b64(`${token}:`)}`]]],
    ['Bearer empty', [['authorization', 'Bearer ']]],
    ['latin1 token', [['authorization', `Bearer ${'\u00e9'.repeat(20)}`]]],
    ['operator token prefix', [['authorization', `Bearer ${t.operator.slice(0, 16)}`]]],
    [
      'x-request-id unsafe',
      [
        ['authorization', `Bearer ${token}`],
        ['x-request-id', 'has spaces/and"quotes'],
      ],
    ],
    [
      'x-request-id long',
      [
        ['authorization', `Bearer ${token}`],
        ['x-request-id', 'r'.repeat(129)],
      ],
    ],
    [
      'x-request-id latin1',
      [
        ['authorization', `Bearer ${token}`],
        ['x-request-id', '\u00e9\u00e8'],
      ],
    ],
    [
      'x-test-now',
      [
        ['authorization', `Bearer ${token}`],
        ['x-test-now', '1970-01-01T00:00:00Z'],
      ],
    ],
    [
      'x-debug-d1',
      [
        ['authorization', `Bearer ${token}`],
        ['x-debug-d1', '1'],
      ],
    ],
    [
      'accept xml',
      [
        ['authorization', `Bearer ${token}`],
        ['accept', 'application/xml'],
      ],
    ],
    [
      'method override',
      [
        ['authorization', `Bearer ${token}`],
        ['x-http-method-override', 'DELETE'],
      ],
    ],
    [
      'cookie junk',
      [
        ['authorization', `Bearer ${token}`],
        ['cookie', `a=${'%'.repeat(100)}; ;=;`],
      ],
    ],
    [
      'content-encoding gzip',
      [
        ['authorization', `Bearer ${token}`],
        ['content-encoding', 'gzip'],
      ],
    ],
  ];
  if (hasBody) {
    const ct = (v: string): [string, string][] => [
      ['authorization', `Bearer ${token}`],
      ['content-type', v],
    ];
    for (const v of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'APPLICATION/JSON',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset="utf-8"; charset=ascii',
      'application/json;;;',
      'application/json, text/plain',
      'application/vnd.api+json',
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/jsonx',
      'text/json',
      'json',
      '*/*',
      `application/json; x=${'y'.repeat(8000)}`,
      '\u00e9/json',
    ])
      out.push([`content-type ${v.slice(0, 40)}`, ct(v)]);
    out.push(['no content-type', [['authorization', `Bearer ${token}`]]]);
  }
  if (isPost) {
    const key = (v: string): [string, string][] => [
      ['authorization', `Bearer ${token}`],
      ['idempotency-key', v],
    ];
    for (const [label, v] of [
      ['empty', ''],
      ['space', ' '],
      ['256 chars', 'k'.repeat(256)],
      ['5000 chars', 'k'.repeat(5000)],
      ['non-ASCII', 'cl\u00e9-\u00fc'],
      ['inner space', 'has space'],
      ['tab', 'a\tb'],
      ['DEL', 'a\u007fb'],
      ['control', 'a\u0001b'],
    ] as const)
      out.push([`Idempotency-Key ${label}`, key(v)]);
    out.push([
      'Idempotency-Key twice',
      [
        ['authorization', `Bearer ${token}`],
        ['idempotency-key', 'one'],
        ['idempotency-key', 'two'],
      ],
    ]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generation per operation

function generateCases(
  method: string,
  path: string,
  op: Json,
  route: InventoryRoute | undefined,
  scene: Scene,
): Case[] {
  const rng = seeded(hash(`${method} ${path}`));
  const roles = route?.authorization?.roles ?? [];
  const own = roles.length
    ? roles.map((r) => scene.tokens[r as 'operator' | 'clinic' | 'partner'])
    : [scene.tokens.clinic];
  const others = [
    ...(roles.includes('clinic') ? [scene.tokens.otherClinic] : []),
    ...(roles.includes('partner') ? [scene.tokens.otherPartner] : []),
    ...(['operator', 'clinic', 'partner'] as const)
      .filter((r) => !roles.includes(r))
      .map((r) => scene.tokens[r]),
  ];
  let turn = 0;
  /** Mostly a key of a role the route allows (so validation is reached), sometimes another or none. */
  const token = () => {
    const r = rng.next();
    if (r < 0.82 || others.length === 0) return own[turn++ % own.length]!;
    if (r < 0.95) return rng.pick(others);
    return rng.pick(['', 'gr_cln_thisKeyDoesNotExist0123456789abcdefghij']);
  };
  const auth = (t: string): [string, string][] => (t ? [['authorization', `Bearer ${t}`]] : []);

  const parameters: Json[] = (op.parameters ?? []).map((p: Json) =>
    p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p,
  );
  const queryParams = parameters.filter((p) => p.in === 'query');
  const bodySchema = resolve(op.requestBody?.content?.['application/json']?.schema);
  const takesBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const isPost = method === 'POST';
  const idempotent = Boolean(route?.idempotent);
  const realPath = concretePath(path, scene, (_n, real) => real);
  const base: Json = { ...validObject(bodySchema, scene), ...(scene.extra[op.operationId] ?? {}) };
  const baseText = op.requestBody ? toJson(base) : undefined;
  const jsonType: [string, string][] = [['content-type', 'application/json']];

  const cases: Case[] = [];
  const add = (label: string, req: Partial<Req>, replay = false) =>
    cases.push({
      label,
      replay,
      req: {
        method,
        path: req.path ?? realPath,
        query: req.query ?? '',
        headers: req.headers ?? [...auth(token()), ...(baseText !== undefined ? jsonType : [])],
        ...(req.body !== undefined ? { body: req.body } : baseText !== undefined ? { body: baseText } : {}),
      },
    });
  const withBody = (label: string, body: string | Uint8Array, contentType = 'application/json') =>
    add(label, { body, headers: [...auth(token()), ['content-type', contentType]] });

  // 1. The body schema, one property at a time.
  if (takesBody && op.requestBody) {
    for (const { path: at, schema } of propertyPaths(bodySchema)) {
      const name = at.join('.');
      const t = typeOf(schema);
      const values: [string, unknown][] = [...CONFUSION];
      if (t === 'string' || schema.enum) values.push(...badStrings(schema));
      if (t === 'integer' || t === 'number') values.push(...badNumbers(schema));
      if (t === 'boolean') values.push(...badBooleans());
      if (t === 'array') values.push(...badArrays(schema, scene, String(at.at(-1))));
      if (t === 'object') values.push(...badObjects(schema, scene));
      for (const [label, value] of values) {
        withBody(`${name} = ${label}`, toJson(setPath(base, at, value, bodySchema, scene)));
      }
    }
    // Required properties missing, one at a time (nested ones inside a present parent).
    const missing = (s: Json, prefix: (string | number)[], present: Json) => {
      for (const key of s.required ?? []) {
        withBody(`missing ${[...prefix, key].join('.')}`, toJson(deletePath(base, [...prefix, key])));
      }
      for (const [key, sub] of Object.entries<Json>(s.properties ?? {})) {
        const r = resolve(sub);
        if (typeOf(r) === 'object' && present?.[key]) missing(r, [...prefix, key], present[key]);
      }
    };
    missing(bodySchema, [], base);
    // Extra and mass-assigned fields, duplicate keys.
    for (const [label, extra] of [
      ['unknown field', { zzz_unknown: 1 }],
      ['id', { id: scene.ids.patients![0] }],
      ['clinic_id', { clinic_id: scene.ids.organizations![1] }],
      ['status', { status: 'redeemed' }],
      ['balance', { balance: 1e9 }],
      ['created_at', { created_at: '1970-01-01T00:00:00Z' }],
      ['constructor', { constructor: { prototype: { admin: true } } }],
    ] as const) {
      withBody(`extra ${label}`, toJson({ ...base, ...extra }));
    }
    // A literal "__proto__" key (an object literal would set the prototype instead of a property).
    const comma = baseText!.length > 2 ? ',' : '';
    withBody(
      'extra __proto__',
      `${baseText!.slice(0, -1)}${comma}"__proto__":{"admin":true,"kind":"partner"}}`,
    );
    const first = Object.keys(bodySchema.properties ?? {})[0];
    if (first) {
      withBody('duplicate key (bad last)', `${baseText!.slice(0, -1)},"${first}":null}`);
      withBody('duplicate key (bad first)', `{"${first}":[],${baseText!.slice(1)}`);
    }
  }

  // 2. Whole bodies: not objects, bombs, malformed JSON, odd encodings. Every body-taking method.
  if (takesBody || method === 'DELETE') {
    const good = baseText ?? '{}';
    for (const [label, body] of [
      ['[]', '[]'],
      ['[base]', `[${good}]`],
      ['string', '"a string"'],
      ['number', '42'],
      ['null', 'null'],
      ['true', 'true'],
      ['{}', '{}'],
      ['empty', ''],
      ['whitespace', ' \n\t '],
      ['array bomb 30000', `${'['.repeat(30_000)}${']'.repeat(30_000)}`],
      ['object bomb 10000', objectBomb(10_000).text],
      ['over 64 KB', toJson({ ...base, zzz: 'x'.repeat(70_000) })],
      ['valid padded to 60 KB', `${' '.repeat(60_000)}${good}`],
      ['BOM + base', `\ufeff${good}`],
      ['trailing garbage', `${good} x`],
      ['trailing comma', `${good.slice(0, -1)},}`],
      ['two documents', `${good}${good}`],
      ['truncated', good.slice(0, -1)],
      ['single quotes', good.replace(/"/g, "'")],
      ['comment', `/* c */${good}`],
      ['NaN literal', '{"a":NaN}'],
      ['raw control char', '{"a":"\u0001"}'],
      ['raw NUL', `${good}\u0000`],
      ['escaped NUL key', '{"\\u0000":1}'],
      ['lone surrogate key', '{"\\ud800":1}'],
    ] as const)
      withBody(`body ${label}`, body);
    withBody('body UTF-16LE', utf16le(good), 'application/json; charset=utf-16');
    withBody('body invalid UTF-8', concatBytes('{"x":"', [0xff, 0xfe, 0xed, 0xa0, 0x80, 0xc0, 0xaf], '"}'));
    withBody('body latin1 bytes', concatBytes('{"x":"caf', [0xe9], '"}'), 'application/json; charset=latin1');
    withBody('body form', 'a=1&b=2', 'application/x-www-form-urlencoded');
    withBody(
      'body multipart',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
      'multipart/form-data; boundary=x',
    );
    withBody('body text', 'hello', 'text/plain');
  }

  // 3. Path parameters.
  if (path.includes('{')) {
    for (const real of Object.values(scene.ids).map((v) => v[0]!)) {
      add(`path id of another resource ${real.slice(0, 3)}`, {
        path: concretePath(path, scene, (n, r) => (n === 'period' ? r : real)),
      });
    }
    const samples = concretePath(path, scene, (n, r) => (n === 'period' ? '@P' : `@I${r}`));
    const realId = /@I([^/]+)/.exec(samples)?.[1] ?? 'x';
    const odd = path.includes('{period}') ? ODD_PERIODS : oddIds(scene, realId);
    for (const v of odd) {
      add(`path ${v.slice(0, 40)}`, {
        path: concretePath(path, scene, () => v),
      });
    }
  }

  // 4. Query parameters, each alone, plus unknown and repeated ones.
  for (const p of queryParams) {
    const s = p.schema ?? {};
    for (const v of badQueryValues(s, scene))
      add(`query ${p.name}=${v.slice(0, 40)}`, { query: `${p.name}=${v}` });
    add(`query ${p.name} repeated`, { query: `${p.name}=1&${p.name}=2` });
    add(`query ${p.name}[]`, { query: `${p.name}[]=1` });
    add(`query ${p.name} without =`, { query: p.name });
  }
  for (const q of [
    'zzz_unknown=1',
    '__proto__=x',
    'constructor[prototype]=1',
    '&&&==&=',
    '%',
    `x=${'q'.repeat(8000)}`,
    'limit=abc&cursor=%%%&q=&status=nope&within_days=-1&period=2026-13&kind=x&category=x',
  ])
    add(`query ${q.slice(0, 40)}`, { query: q });

  // 5. Headers.
  for (const [label, headers] of headerVariants(scene, rng.pick(own), baseText !== undefined, isPost)) {
    const withType =
      baseText !== undefined && !headers.some(([k]) => k === 'content-type') && label !== 'no content-type'
        ? [...headers, ...jsonType]
        : headers;
    add(`header ${label}`, { headers: withType });
  }

  // 6. Random combinations until the operation has its share: several mutations at once. (Non-ASCII
  // headers stay in their own cases above: workerd warns about each one.)
  const ascii = (c: Case) => c.req.headers.every(([, v]) => /^[\x20-\x7e\t]*$/.test(v));
  const pool = cases.filter(ascii);
  const idOptions = path.includes('{period}') ? ODD_PERIODS : oddIds(scene, 'pat_01JD0000000000000000000000');
  const queryPool = queryParams.flatMap((p) =>
    badQueryValues(p.schema ?? {}, scene).map((v) => `${p.name}=${v}`),
  );
  const requestsOf = (cs: Case[]) => cs.reduce((n, c) => n + (c.replay || c.reuse ? 2 : 1), 0);
  // Replays: POSTs with an Idempotency-Key send a share of their body cases twice under one key.
  if (idempotent) {
    const replayable = cases.filter((c) => !c.req.headers.some(([k]) => k === 'idempotency-key'));
    for (let i = 0; i < replayable.length; i += 5) replayable[i]!.replay = true;
    add('replay of the valid base body', {}, true);
    add('replay of the valid base body (again)', {}, true);
    // The key of a valid request, reused for a malformed one (and the other way round).
    const own0 = own[0]!;
    const bodyCases = replayable.filter((c) => c.req.body !== undefined);
    for (let i = 0; i < 8 && bodyCases.length; i++) {
      const bad = rng.pick(bodyCases).req;
      const valid: Req = { ...bad, headers: [...auth(own0), ...jsonType], body: baseText ?? '{}' };
      const malformed: Req = {
        ...bad,
        headers: [...bad.headers.filter(([k]) => k !== 'authorization'), ...auth(own0)],
      };
      cases.push(
        i % 2 === 0
          ? { label: `key reused: valid then ${preview(bad.body)}`, req: valid, reuse: malformed }
          : { label: `key reused: ${preview(bad.body)} then valid`, req: malformed, reuse: valid },
      );
    }
  }
  while (requestsOf(cases) < MIN_REQUESTS + 20) {
    const from = rng.pick(pool);
    const req: Req = { ...from.req, headers: [...from.req.headers] };
    const parts = [from.label];
    if (path.includes('{') && rng.next() < 0.5) {
      const v = rng.pick(idOptions);
      req.path = concretePath(path, scene, () => v);
      parts.push(`path ${v.slice(0, 20)}`);
    }
    if (queryPool.length && rng.next() < 0.7) {
      const q = [rng.pick(queryPool), rng.pick(queryPool)].join('&');
      req.query = req.query ? `${req.query}&${q}` : q;
      parts.push(`query ${q.slice(0, 40)}`);
    } else if (!queryPool.length) {
      const junk = `${rng.pick(['a', 'limit', 'cursor', '__proto__', '%', 'x[]'])}=${rng.pick(['%00', '%ED%A0%80', '-1', 'a'.repeat(300), ''])}`;
      req.query = req.query ? `${req.query}&${junk}` : junk;
      parts.push(`query ${junk.slice(0, 30)}`);
    }
    if (rng.next() < 0.3) {
      const t = token();
      req.headers = req.headers.filter(([k]) => k !== 'authorization').concat(auth(t));
      parts.push('token swapped');
    }
    const keyed = req.headers.some(([k]) => k === 'idempotency-key');
    cases.push({
      label: `combo: ${parts.join(' + ')}`,
      req,
      replay: idempotent && !keyed && rng.next() < 0.15,
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------------
// Sending and checking

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function send(api: Client, req: Req, extraHeaders: [string, string][] = []): Promise<Answer> {
  const headers = new Headers();
  for (const [k, v] of [...req.headers, ...extraHeaders]) headers.append(k, v);
  const url = `https://gratia.test${req.path}${req.query ? `?${req.query}` : ''}`;
  const res = await api.app.request(url, { method: req.method, headers, body: req.body }, env);
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** The request, as someone reproducing it needs it (secrets named by role, not printed). */
function describeReq(req: Req, scene: Scene, key?: string): string {
  const names = new Map(Object.entries(scene.tokens).map(([role, t]) => [t, `<${role} key>`]));
  const headers = [...req.headers, ...(key ? ([['idempotency-key', key]] as [string, string][]) : [])].map(
    ([k, v]) => {
      let shown = v;
      for (const [t, name] of names) shown = shown.split(t).join(name);
      return `${k}: ${JSON.stringify(shown.length > 200 ? `${shown.slice(0, 200)}…(${shown.length})` : shown)}`;
    },
  );
  const body =
    req.body === undefined
      ? ''
      : typeof req.body === 'string'
        ? ` body=${JSON.stringify(req.body.length > 300 ? `${req.body.slice(0, 300)}…(${req.body.length} chars)` : req.body)}`
        : ` body=bytes[${[...req.body].slice(0, 60).join(',')}${req.body.length > 60 ? ',…' : ''}]`;
  const url = `${req.path}${req.query ? `?${req.query}` : ''}`;
  return `${req.method} ${url.length > 300 ? `${url.slice(0, 300)}…(${url.length})` : url} [${headers.join('; ')}]${body}`;
}

/** Why an answer breaks the contract, or null. */
function fault(res: Answer, replayed: boolean): string | null {
  if (res.status >= 500) return `status ${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status < 400) return null;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('application/problem+json'))
    return `status ${res.status} with content-type ${type}: ${res.text.slice(0, 200)}`;
  if (typeof res.body?.code !== 'string')
    return `status ${res.status} without a string code: ${res.text.slice(0, 200)}`;
  // A replay is the stored document verbatim, with the first request's id; a fresh answer carries its own.
  if (typeof res.body.request_id !== 'string') return `status ${res.status} without a request_id`;
  if (!replayed && res.body.request_id !== res.headers.get('x-request-id'))
    return `request_id ${res.body.request_id} differs from x-request-id ${res.headers.get('x-request-id')}`;
  return null;
}

/**
 * Answers an Idempotency-Key stores (and replays): everything the route itself answered but "the request
 * never ran" (400, 413, 415), auth refusals and rate limits. A path no route matches stores nothing.
 */
const stored = (res: Answer) =>
  res.status < 500 &&
  ![400, 401, 403, 413, 415, 429].includes(res.status) &&
  !['not_found', 'method_not_allowed'].includes(res.body?.code);

let keySeq = 0;
/** Bodies refused before the Idempotency-Key is looked at. */
const BODY_REFUSALS = ['malformed_json', 'unsupported_media_type', 'payload_too_large'];

interface Tally {
  statuses: Map<number, number>;
  /** Answers served from a stored Idempotency-Key. */
  replayed: number;
}

async function runCase(api: Client, scene: Scene, c: Case, failures: string[], tally: Tally) {
  const count = (s: number) => tally.statuses.set(s, (tally.statuses.get(s) ?? 0) + 1);
  if (c.reuse) {
    const key = `fuzz-${++keySeq}-reuse`;
    const idem: [string, string][] = [['idempotency-key', key]];
    const first = await send(api, c.req, idem);
    const second = await send(api, c.reuse, idem);
    count(first.status);
    count(second.status);
    const where = `\n    ${describeReq(c.req, scene, key)}\n    then ${describeReq(c.reuse, scene, key)}`;
    const f1 = fault(first, false);
    if (f1) failures.push(`${c.label} (first): ${f1}${where}`);
    const f2 = fault(second, second.headers.get('idempotent-replayed') === 'true');
    if (f2) failures.push(`${c.label} (second): ${f2}${where}`);
    // The key covers the path and the body as the server decodes it (a leading BOM is dropped).
    const text = (b: Req['body']) => new TextDecoder().decode(typeof b === 'string' ? enc.encode(b) : b);
    const same = text(c.req.body) === text(c.reuse.body) && c.req.path === c.reuse.path;
    if (stored(first)) {
      const replayed = second.headers.get('idempotent-replayed') === 'true';
      // Another request under a stored key: refused as a reuse, unless its body is refused first
      // (unreadable bodies are answered before the key is looked at).
      const ok =
        BODY_REFUSALS.includes(second.body?.code) ||
        (same ? replayed : !replayed && second.body?.code === 'idempotency_key_reused');
      if (!ok)
        failures.push(
          `${c.label}: a stored key sent again answered ${second.status} ${second.body?.code}${where}`,
        );
    }
    return 2;
  }
  if (!c.replay) {
    const res = await send(api, c.req);
    count(res.status);
    const f = fault(res, false);
    if (f) failures.push(`${c.label}: ${f}\n    ${describeReq(c.req, scene)}`);
    return 1;
  }
  const key = `fuzz-${++keySeq}-${c.label.length}`;
  const idem: [string, string][] = [['idempotency-key', key]];
  const first = await send(api, c.req, idem);
  const second = await send(api, c.req, idem);
  count(first.status);
  count(second.status);
  const where = `\n    ${describeReq(c.req, scene, key)} (sent twice)`;
  const f1 = fault(first, false);
  if (f1) failures.push(`${c.label} (first): ${f1}${where}`);
  const wasReplayed = second.headers.get('idempotent-replayed') === 'true';
  if (wasReplayed) tally.replayed++;
  const f2 = fault(second, wasReplayed);
  if (f2) failures.push(`${c.label} (second): ${f2}${where}`);
  if (wasReplayed && (second.status !== first.status || second.text !== first.text))
    failures.push(
      `${c.label}: replay ${second.status} differs from the first answer ${first.status}${where}`,
    );
  if (stored(first) && !wasReplayed)
    failures.push(`${c.label}: first answer ${first.status} was not replayed (got ${second.status})${where}`);
  if ([400, 401, 413, 415].includes(first.status) && wasReplayed)
    failures.push(`${c.label}: a ${first.status} was stored and replayed${where}`);
  return 2;
}

describe('input fuzzer generated from the OpenAPI document', () => {
  it('fuzzes exactly the operations of the router', () => {
    const routes = routeInventory(createClient().app);
    expect(routes.length).toBeGreaterThan(30);
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  it('answers the methods a path does not have with 4xx problem+json', async () => {
    const api = createClient();
    const scene = await buildScene(api);
    const failures: string[] = [];
    let sent = 0;
    for (const path of Object.keys(doc.paths)) {
      const defined = Object.keys(doc.paths[path]).map((m) => m.toUpperCase());
      const concrete = concretePath(path, scene, (_n, real) => real);
      for (const method of [
        'GET',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'OPTIONS',
        'HEAD',
        'TRACE',
        'PROPFIND',
      ]) {
        if (defined.includes(method)) continue;
        for (const token of [scene.tokens.operator, scene.tokens.clinic, scene.tokens.partner, '']) {
          const body = ['GET', 'HEAD'].includes(method) ? undefined : '{"a":1}';
          const req: Req = {
            method,
            path: concrete,
            query: '',
            headers: [
              ...(token ? ([['authorization', `Bearer ${token}`]] as [string, string][]) : []),
              ['content-type', 'application/json'],
            ],
            ...(body ? { body } : {}),
          };
          const res = await send(api, req);
          sent++;
          // A HEAD answer has no body to carry the problem document.
          const f =
            method === 'HEAD' ? (res.status >= 500 ? `status ${res.status}` : null) : fault(res, false);
          if (f) failures.push(`${method} ${path}: ${f}\n    ${describeReq(req, scene)}`);
        }
      }
    }
    expect(failures.slice(0, 20), `${failures.length} faults of ${sent} requests`).toEqual([]);
  }, 180_000);

  for (const { method, path, op, route } of operations) {
    it(`${method} ${path}: ${MIN_REQUESTS}+ malformed requests, no 5xx, every refusal problem+json`, async () => {
      const api = createClient();
      const scene = await buildScene(api);
      const cases = generateCases(method, path, op, route, scene);
      const failures: string[] = [];
      const tally: Tally = { statuses: new Map(), replayed: 0 };
      let sent = 0;
      // The app's event log (a line per refused verification, per redemption...) would drown the
      // output; errors (console.error) still show.
      const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        for (let i = 0; i < cases.length; i += CONCURRENCY) {
          // Failed guesses lock the key after 20 (abuse limits): reset them so that the parser, not the
          // limiter, answers (the limiter has its own suite, abuse-limits.test.ts).
          await env.DB.prepare('DELETE FROM abuse_counters').run();
          const batch = cases.slice(i, i + CONCURRENCY);
          const counts = await Promise.all(batch.map((c) => runCase(api, scene, c, failures, tally)));
          sent += counts.reduce((a, b) => a + b, 0);
        }
      } finally {
        quiet.mockRestore();
      }
      const histogram = Object.fromEntries([...tally.statuses].sort(([a], [b]) => a - b));
      if (VERBOSE) console.log(`${method} ${path}: ${sent} requests, ${tally.replayed} replays`, histogram);
      expect(failures.slice(0, 20), `${failures.length} faults of ${sent} requests`).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
      // The fuzzer itself still works: most requests get past authentication (to validation, the use
      // case, or a not-found), and the keyed POSTs really are replayed.
      const refusedAtTheDoor = (tally.statuses.get(401) ?? 0) + (tally.statuses.get(403) ?? 0);
      expect(refusedAtTheDoor / sent, JSON.stringify(histogram)).toBeLessThan(0.5);
      if (route?.idempotent) expect(tally.replayed).toBeGreaterThan(0);
    }, 180_000);
  }
});
