// Builds a network of a given size straight into the local D1's SQLite file, for `pnpm bench` to
// measure the hot paths on the seeded size (factor 1) and on one 100 times larger. Building 100x
// through the API would take hours; this writes the same rows the use cases would have written, in one
// transaction with prepared statements: patients with their cards and consent history, a history of
// paid visits (visits, lots, the card's summary row, double entries with running balances), spends at
// the card's clinic, at partners and at other clinics (allocations oldest lot first, reversals within
// 24 hours), expiry booked as the hourly cron would have booked it, vouchers issued, redeemed (whole
// or in parts), reversed, voided or left to lapse, the settlement lines of every redemption and
// reversal with their monthly running totals, the months the cron would have closed, and the audit
// entry of every change; then it signs in an owner of each organisation (the pages' sessions). The
// clinics' monthly report figures are written by the database itself as the rows go in (the triggers
// of migration 0010), exactly as for the API's writes; reconcile() adds them up against the records.
//
// Per factor 1: 1,000 patients, 1,000 vouchers and 10,000 point_entries rows (5,000 transactions of
// two entries each), scaled linearly; three cards have a long history (min(10,000, 300 x factor)
// transactions each). The organisations must exist already (created through the API, so their keys
// work); the voucher signer's kid is the one the Worker runs with (vouchers store only the kid: their
// tokens are signed again from the row when read). Run it while no wrangler dev has the file open:
// workerd keeps its own SQLite connection and page cache, so build before the server starts (or stop
// it, build, start it again on the same --persist-to).
//
//   import { buildNetwork, d1SqlitePath } from './bench/build-network.mjs';
//   const stats = await buildNetwork({ sqlitePath: d1SqlitePath(persistTo), factor: 100,
//     clinics: [clinic.id], partners: [partner.id], kid: 'bench-1' });
//
// CLI: node scripts/bench/build-network.mjs --persist-to DIR --factor 100 --clinic org_... \
//        --partner org_... --kid bench-1 [--check]
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The SQLite file of the local D1 under wrangler's --persist-to directory (miniflare v3 layout). */
export function d1SqlitePath(persistTo) {
  const dir = path.join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
    : [];
  if (files.length !== 1)
    throw new Error(`expected one D1 database in ${dir}, found ${files.length}: apply the migrations first`);
  return path.join(dir, files[0]);
}

// ---------------------------------------------------------------------------------------------
// What the application computes, ported from packages/*: ids, card numbers, calendar, money.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let randomBuf = new Uint8Array(0);
let randomPos = 0;
function randomByte() {
  if (randomPos >= randomBuf.length) {
    randomBuf = crypto.getRandomValues(new Uint8Array(65_536));
    randomPos = 0;
  }
  return randomBuf[randomPos++];
}

/** packages/core/src/ids.ts newId: 48-bit millisecond time, then 80 random bits, Crockford base32. */
function newId(prefix, nowMs) {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[randomByte() % 32];
  return `${prefix}_${time}${rand}`;
}

/** packages/core/src/card-number.ts */
function luhnCheckDigit(payload) {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

// packages/points/src/calendar.ts, with caches (the same answers, computed once per quarter hour or
// per calendar day instead of once per row).
const formatters = new Map();
function formatter(timeZone) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}
function wallClock(ms, timeZone) {
  const parts = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts;
}
function offsetAt(ms, timeZone) {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}
function exactLocalDate(ms, timeZone) {
  const w = wallClock(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}
const QUARTER = 15 * MINUTE;
const offsetCache = new Map();
/** The local day of `ms` in `timeZone`, as days since 1970-01-01 (offsets change only on quarter hours: cached per quarter hour). */
function localDayNumber(ms, timeZone) {
  let zone = offsetCache.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const bucket = Math.floor(ms / QUARTER);
  let off = zone.get(bucket);
  if (off === undefined) {
    off = offsetAt(bucket * QUARTER, timeZone);
    zone.set(bucket, off);
  }
  return Math.floor((ms + off) / DAY);
}
const dayStrings = new Map();
function dayString(n) {
  let s = dayStrings.get(n);
  if (s === undefined) {
    s = new Date(n * DAY).toISOString().slice(0, 10);
    dayStrings.set(n, s);
  }
  return s;
}
/** The calendar date of the instant `ms` in `timeZone`. */
const localDate = (ms, timeZone) => dayString(localDayNumber(ms, timeZone));
function addDays(date, days) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY).toISOString().slice(0, 10);
}
const dayStartCache = new Map();
function startOfLocalDay(date, timeZone) {
  const key = `${timeZone}|${date}`;
  const hit = dayStartCache.get(key);
  if (hit !== undefined) return hit;
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetAt(guess, timeZone);
  const again = guess - offsetAt(t, timeZone);
  if (again !== t && exactLocalDate(again, timeZone) === date) t = again;
  while (exactLocalDate(t, timeZone) !== date) t += 15 * 60_000;
  dayStartCache.set(key, t);
  return t;
}
const expiryCache = new Map();
/** calendar.ts lotExpiry: spendable through the whole day `expiryDays` after the day earned (clinic time). */
function lotExpiry(earnedAt, expiryDays, timeZone) {
  const day = localDayNumber(earnedAt, timeZone);
  const key = `${timeZone}|${day}|${expiryDays}`;
  let hit = expiryCache.get(key);
  if (!hit) {
    const expiresOn = addDays(dayString(day), expiryDays);
    hit = { expiresOn, expiresAt: startOfLocalDay(addDays(expiresOn, 1), timeZone) };
    expiryCache.set(key, hit);
  }
  return hit;
}
/** packages/settlement/src/period.ts periodOf */
const periodOf = (ms, timeZone) => localDate(ms, timeZone).slice(0, 7);
function nextPeriod(period) {
  const [y, m] = period.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
function periodStart(period, timeZone) {
  // The first instant whose local date is the 1st of the month.
  return startOfLocalDay(`${period}-01`, timeZone);
}

const applyBps = (amount, bps) => Math.floor((amount * bps) / 10_000);
const accrualPoints = (amount, bps, pointValue) => Math.floor(applyBps(amount, bps) / pointValue);

const moneyFormats = new Map();
/** packages/core/src/money.ts formatMoney (en-GB), for the title of a stored-value voucher. */
function formatMoney(amount, currency) {
  let f = moneyFormats.get(currency);
  if (!f) {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
    f = {
      digits,
      fmt: new Intl.NumberFormat('en-GB', {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }),
    };
    moneyFormats.set(currency, f);
  }
  return f.fmt.format(amount / 10 ** f.digits);
}

/** The hourly cron ("5 * * * *"): the first run at or after `t` (its scheduledTime is the run's now). */
function cronAtOrAfter(t) {
  let c = Math.floor(t / HOUR) * HOUR + 5 * MINUTE;
  if (c < t) c += HOUR;
  return c;
}

/** The discount tier reached by a lifetime spend (accrue.ts discountCase). */
function tierOf(tiers, lifetime) {
  let best = 0;
  let bestMin = -1;
  for (const t of tiers)
    if (lifetime >= t.min_lifetime_spend && t.min_lifetime_spend > bestMin) {
      best = t.discount_bps;
      bestMin = t.min_lifetime_spend;
    }
  return best;
}

/**
 * An INSERT of many rows per statement (node:sqlite's cost is mostly per call): `run` buffers a row,
 * `flush` writes what is left. Rows are written in the order given.
 */
function batched(db, sql, rows = 50) {
  const m = /^([\s\S]*?values\s*)(\([^)]*\))\s*$/i.exec(sql.trim());
  if (!m) throw new Error(`not a single-row INSERT: ${sql}`);
  const width = (m[2].match(/\?/g) ?? []).length;
  const one = db.prepare(sql);
  const many = db.prepare(m[1] + Array(rows).fill(m[2]).join(', '));
  const buf = [];
  return {
    run(...args) {
      for (const a of args) buf.push(a);
      if (buf.length === width * rows) {
        many.run(...buf);
        buf.length = 0;
      }
    },
    flush() {
      for (let i = 0; i < buf.length; i += width) one.run(...buf.slice(i, i + width));
      buf.length = 0;
    },
  };
}

/** Rows in id order, which is time order: by the time the id was made from, then the id. */
const byTime = (at) => (a, b) => at(a) - at(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const WRITTEN_TABLES = [
  'offers',
  'patients',
  'consent_events',
  'vouchers',
  'redemptions',
  'voucher_reversals',
  'visits',
  'point_lots',
  'point_accounts',
  'point_redemptions',
  'point_redemption_lots',
  'point_reversals',
  'point_entries',
  'settlement_lines',
  'settlement_totals',
  'audit_events',
];

// ---------------------------------------------------------------------------------------------
// Deterministic randomness for the shape of the data (ids and nothing else use crypto).

/** A patient's search terms, as packages/network/src/patients.ts searchTerms writes them. */
function searchTerms(first, last, email, phone) {
  const fold = (x) => x.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const name = fold(`${first} ${last}`);
  const terms = new Set(name.split(/[\s'’-]+/));
  for (const word of name.split(/\s+/)) terms.add(word.replace(/['’-]/g, ''));
  if (email) {
    const e = fold(email);
    terms.add(e);
    terms.add(e.slice(0, e.indexOf('@')));
  }
  const digits = phone ? phone.replace(/\D/g, '') : '';
  for (let i = 0; i <= digits.length - 4; i++) terms.add(digits.slice(i));
  terms.delete('');
  return [...terms].slice(0, 40).map((t) => t.slice(0, 120));
}

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Names: 200 surnames x 120 first names, the mix of a large European city.

const SURNAMES =
  `Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer
Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner
Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs
Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler
Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer
Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler
Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer Kowalski Nowak
Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Yılmaz Kaya Demir Şahin
Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Rossi Russo Ferrari Esposito Bianchi Romano Colombo
Ricci Marino Greco Bruno Gallo Conti DeLuca Costa Giordano Mancini Rizzo Lombardi Moretti Dubois Bernard
Durand Leroy Moreau Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard
André Mercier Dupont Lambert Bonnet Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor
Moore Jackson White Harris Clark Lewis Walker Hall Young Allen Wright Scott Green Baker Adams Nelson Hill
Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy
Cook Rogers Morgan Petrović Jovanović Novak Horvat Kovačević Hansen Johansson Nielsen Andersson Jansen
DeJong Bakker Visser Smit Meijer Mulder`
    .split(/\s+/)
    .filter(Boolean);
const FIRST_NAMES =
  `Anna Emma Mia Sophia Hannah Emilia Lina Marie Lena Mila Ella Clara Leonie Lea Amelie Luisa
Johanna Nora Laura Sarah Julia Lisa Katharina Sabine Petra Claudia Andrea Susanne Nicole Stefanie Christina
Monika Birgit Ursula Karin Elena Sofia Giulia Chiara Francesca Martina Camille Chloé Léa Manon Inès Zoé
Olivia Charlotte Amelia Isla Grace Ava Ayşe Elif Zeynep Fatma Emine Merve Agnieszka Katarzyna Magdalena
Joanna Małgorzata Ewa Ana Marija Ivana Ingrid Astrid Freya Noah Leon Paul Elias Felix Jonas Luis Finn Ben
Lukas Maximilian Alexander Thomas Michael Andreas Stefan Christian Markus Daniel Martin Peter Jan Tobias
Matteo Lorenzo Marco Luca Giovanni Lucas Hugo Louis Jules Gabriel Oliver George Harry Jack James William
Mehmet Mustafa Ahmet Emre Can Piotr Tomasz Krzysztof Marek Luka Nikola Lars Erik Sven Mateo Diego Javier`
    .split(/\s+/)
    .filter(Boolean);
const MAIL_DOMAINS = [
  'example.com',
  'example.org',
  'example.net',
  'mail.example',
  'post.example',
  'inbox.example',
  'web.example',
  'online.example',
];
const MOBILE_PREFIXES = [
  '151',
  '152',
  '157',
  '159',
  '160',
  '162',
  '163',
  '170',
  '171',
  '172',
  '173',
  '174',
  '175',
  '176',
  '177',
  '178',
  '179',
];
const TAGS = [
  'massage',
  'photography',
  'wellness',
  'books',
  'young mother',
  'runner',
  'fragrance',
  'spa',
  'yoga',
  'vip',
];
const CONSENT_SOURCES = ['paper_form', 'front_desk', 'phone', 'api', 'website'];
const VOUCHER_MESSAGES = [
  'Thank you for your visit!',
  'A little something for you',
  'Happy birthday!',
  'Enjoy a treat on us',
  'For being with us for a year',
];
const VOID_REASONS = ['Issued in error', 'Patient asked to cancel', 'Duplicate', 'Wrong patient'];
const OFFER_TITLES = {
  massage: ['Hot stone massage, 60 min', 'Deep tissue massage, 45 min'],
  photography: ['Portrait session', 'Family photo shoot, 1 h'],
  pharmacy: ['Skincare consultation', 'Sun protection set'],
  wellness: ['Day spa pass', 'Sauna and pool, half day'],
  beauty: ['Manicure and pedicure', 'Facial treatment, 50 min'],
  other: ['Gift experience', 'Cinema for two'],
};

const ascii = (s) =>
  s
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .replace(/ł/g, 'l')
    .replace(/[^a-z]/g, '');

// ---------------------------------------------------------------------------------------------

/**
 * Builds `factor` x (1,000 patients, 1,000 vouchers, 10,000 point entries) into the D1 file at
 * `sqlitePath`, for the organisations given (ids of clinics and partners that exist in it).
 *
 * Options: `kid` the voucher signer's kid (required for vouchers and settlement lines); `now` the
 * build's present (default Date.now()); `historyDays` how far back the history goes (730);
 * `network` { timezone, currency, pointValue } as wrangler.toml's vars (Europe/Berlin, EUR, 1);
 * `bookExpiry` and `closePeriods` (true): what the hourly cron would have done by `now`; `seed`;
 * `staffSessions` (true): an owner of each organisation signed in for `sessionTtlMs` (30 days), for
 * the console and the counter page.
 * Returns { ms, counts (rows written per table), bytes (the file after the build), longest (the cards
 * with the long histories: { patientId, clinicId, cardNumber, entries } with their patient entries),
 * sessions (by organisation id: { kind, organizationId, staffId, keyId, sessionId, expiresAt }) }.
 */
export async function buildNetwork({
  sqlitePath,
  factor = 1,
  clinics,
  partners,
  kid,
  now = Date.now(),
  historyDays = 730,
  network = {},
  bookExpiry = true,
  closePeriods = true,
  seed = 1,
  analyze = false,
  dropIndexes = false,
  foreignKeys = true,
  staffSessions = true,
  sessionTtlMs = 30 * DAY,
  log = () => {},
}) {
  if (!sqlitePath || !existsSync(sqlitePath)) throw new Error(`no SQLite file at ${sqlitePath}`);
  if (!clinics?.length) throw new Error('buildNetwork needs at least one clinic id');
  if (!partners?.length) throw new Error('buildNetwork needs at least one partner id');
  if (!kid) throw new Error('buildNetwork needs the kid of the voucher signing key the Worker runs with');
  const started = performance.now();
  const net = { timezone: 'Europe/Berlin', currency: 'EUR', pointValue: 1, ...network };
  const rnd = prng((seed ^ Math.floor(now / 1000)) >>> 0);
  const between = (a, b) => a + Math.floor(rnd() * (b - a));
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const expGap = (mean) => -Math.log(1 - rnd()) * mean;

  const db = new DatabaseSync(sqlitePath);
  const journal = db.prepare('PRAGMA journal_mode').get().journal_mode;
  // One big transaction without WAL growth and fsyncs; the mode is restored after. Leaving WAL needs
  // the file to itself: with a wrangler dev on it, the build stays in WAL (and the server waits on it).
  let switched = false;
  try {
    db.exec('PRAGMA journal_mode = DELETE');
    switched = true;
  } catch (e) {
    log(`journal mode stays ${journal} (${e.message}): is a wrangler dev running on this file?`);
  }
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA synchronous = OFF');
  db.exec('PRAGMA cache_size = -1500000');
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec(`PRAGMA foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);

  // --- What exists: organisations, their keys, programmes, network settings, offers, cards.
  const orgStmt = db.prepare('select * from organizations where id = ?');
  const keyStmt = db.prepare(
    "select id from api_keys where organization_id = ? and kind = 'api' and revoked_at is null order by created_at, id limit 1",
  );
  const org = (id, kind) => {
    const o = orgStmt.get(typeof id === 'string' ? id : id.id);
    if (!o || o.kind !== kind) throw new Error(`no ${kind} ${typeof id === 'string' ? id : id.id}`);
    return { ...o, keyId: keyStmt.get(o.id)?.id ?? null };
  };
  const clinicOrgs = clinics.map((c) => org(c, 'clinic'));
  const partnerOrgs = partners.map((p) => org(p, 'partner'));
  for (const c of clinicOrgs) {
    c.programs = db
      .prepare('select * from loyalty_programs where clinic_id = ? order by version')
      .all(c.id)
      .map((r) => ({ ...r, discount_tiers: JSON.parse(r.discount_tiers) }));
    c.defaultRules = {
      version: 0,
      accrual_rate_bps: 500,
      expiry_days: 180,
      min_redemption_points: 0,
      max_bill_share_bps: null,
      discount_tiers: [],
    };
  }
  /** The programme in force at `t`: the latest version created by then (version 0 before any). */
  const rulesAt = (clinic, t) => {
    let r = clinic.defaultRules;
    for (const p of clinic.programs) if (p.created_at <= t) r = p;
    return r;
  };
  const settings = db.prepare('select * from network_settings order by version').all();
  const settingsAt = (t) => {
    let s = { version: 0, fee_bps: 0, closing_grace_days: 5 };
    for (const r of settings) if (r.created_at <= t) s = r;
    return s;
  };
  const closedPeriods = new Set(
    db
      .prepare('select period from settlement_periods')
      .all()
      .map((r) => r.period),
  );
  const lastClosed = [...closedPeriods].sort().pop() ?? null;
  /** lines.ts openPeriod: a closed month's line goes in the month after the last closed one. */
  const openPeriod = (p) => (closedPeriods.has(p) ? nextPeriod(lastClosed) : p);
  const cards = new Set(
    db
      .prepare('select card_number from patients')
      .all()
      .map((r) => r.card_number),
  );

  const counts = {};
  const bump = (table, n = 1) => {
    counts[table] = (counts[table] ?? 0) + n;
  };
  const historyStart = now - historyDays * DAY;
  let longest = [];
  const sessions = {};

  db.exec('BEGIN');
  // The plain secondary indexes of the tables written are dropped and created again, from the very
  // statements the migrations left in sqlite_schema, once the rows are in: sorting once is much
  // cheaper than a million random inserts into each. UNIQUE indexes stay (they are constraints, and
  // the settlement triggers look lines up through them). Inside the transaction, so a failure undoes it.
  const rebuilt = dropIndexes
    ? db
        .prepare(
          `select name, sql from sqlite_schema where type = 'index' and sql is not null and sql not like 'CREATE UNIQUE%'
           and tbl_name in (${WRITTEN_TABLES.map(() => '?').join(', ')})`,
        )
        .all(...WRITTEN_TABLES)
    : [];
  for (const ix of rebuilt) db.exec(`DROP INDEX "${ix.name}"`);
  try {
    // --- Offers: each partner's active catalogue in each clinic currency; two made up if it has none.
    const insertOffer = db.prepare(
      `insert into offers (id, partner_id, title, description, category, currency, price_amount, retail_amount,
        terms, active, created_at, updated_at) values (?, ?, ?, null, ?, ?, ?, ?, null, 1, ?, ?)`,
    );
    const offersOf = new Map();
    for (const p of partnerOrgs) {
      let list = db.prepare('select * from offers where partner_id = ? and active = 1').all(p.id);
      if (list.length === 0) {
        const at = historyStart - 30 * DAY;
        const currencies = [...new Set(clinicOrgs.map((c) => c.currency))];
        for (const currency of currencies)
          for (const [i, title] of (OFFER_TITLES[p.category] ?? OFFER_TITLES.other).entries()) {
            const id = newId('off', at + i);
            const price = [4500, 8000][i];
            insertOffer.run(
              id,
              p.id,
              title,
              p.category,
              currency,
              price,
              Math.round(price * 1.25),
              at + i,
              at + i,
            );
            bump('offers');
          }
        list = db.prepare('select * from offers where partner_id = ? and active = 1').all(p.id);
      }
      offersOf.set(p.id, list);
    }

    // --- Patients (registerPatient: the card, search text, consent and its history).
    const nPatients = Math.round(1000 * factor);
    const created = Array.from({ length: nPatients }, () => between(historyStart, now - DAY)).sort(
      (a, b) => a - b,
    );
    const patients = [];
    const byClinic = new Map(clinicOrgs.map((c) => [c.id, []]));
    const insertPatient = batched(
      db,
      `insert into patients (id, clinic_id, first_name, last_name, email, phone, birth_date, tags, notes,
        consent_email, consent_sms, card_number, search_text, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertConsent = batched(
      db,
      `insert into consent_events (id, patient_id, channel, granted, source, api_key_id, recorded_at)
       values (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTerm = batched(
      db,
      'insert or ignore into patient_search_terms (clinic_id, term, patient_id) values (?, ?, ?)',
    );
    const termRows = [];
    // The audit trail: the entry each use case writes in the batch of its change (packages/db/src/audit.ts),
    // by the organisation's API key (no staff member), collected as the changes are made.
    const audits = [];
    const audit = (at, organizationId, keyId, action, subject, patientId, detail = null) =>
      audits.push([
        newId('aud', at),
        organizationId,
        keyId,
        action,
        subject[0],
        subject[1],
        patientId,
        detail && JSON.stringify(detail),
        at,
      ]);
    const emailsSeen = new Map();
    const consentRows = [];
    for (let i = 0; i < nPatients; i++) {
      const clinic = clinicOrgs[i % clinicOrgs.length];
      const at = created[i] + i; // distinct, still ordered
      const first = pick(FIRST_NAMES);
      const last = pick(SURNAMES);
      let email = null;
      if (rnd() < 0.85) {
        const local = `${ascii(first)}.${ascii(last)}`;
        const n = (emailsSeen.get(local) ?? 0) + 1;
        emailsSeen.set(local, n);
        email = `${n === 1 ? local : `${local}${n}`}@${MAIL_DOMAINS[(n - 1) % MAIL_DOMAINS.length]}`;
      }
      // Unique mobile numbers: an odd multiplier is a permutation of 0..10^8-1.
      const phone =
        rnd() < 0.8
          ? `+49${MOBILE_PREFIXES[i % MOBILE_PREFIXES.length]}${String((i * 7_919_731 + 12_345_678) % 100_000_000).padStart(8, '0')}`
          : null;
      const birth =
        rnd() < 0.7
          ? `${between(1945, 2006)}-${String(between(1, 13)).padStart(2, '0')}-${String(between(1, 29)).padStart(2, '0')}`
          : null;
      const tags =
        rnd() < 0.2
          ? [pick(TAGS), ...(rnd() < 0.3 ? [pick(TAGS)] : [])].filter((t, k, a) => a.indexOf(t) === k)
          : [];
      const notes = rnd() < 0.05 ? 'Prefers late-afternoon appointments' : null;
      let card;
      do {
        let body = '8';
        for (let d = 0; d < 14; d++) body += String(Math.floor(rnd() * 10));
        card = body + String(luhnCheckDigit(body));
      } while (cards.has(card));
      cards.add(card);
      const consent =
        rnd() < 0.6 ? { email: rnd() < 0.8, sms: rnd() < 0.5, source: pick(CONSENT_SOURCES) } : null;
      const id = newId('pat', at);
      const searchText = [first, last, email ?? '', phone ?? ''].join(' ').toLowerCase();
      insertPatient.run(
        id,
        clinic.id,
        first,
        last,
        email,
        phone,
        birth,
        JSON.stringify(tags),
        notes,
        consent?.email ? 1 : 0,
        consent?.sms ? 1 : 0,
        card,
        searchText,
        at,
        at,
      );
      if (consent)
        for (const ch of ['email', 'sms']) {
          consentRows.push([newId('cns', at), id, ch, consent[ch] ? 1 : 0, consent.source, clinic.keyId, at]);
        }
      for (const term of searchTerms(first, last, email, phone)) termRows.push([clinic.id, term, id]);
      audit(at, clinic.id, clinic.keyId, 'patient.register', ['patient', id], id);
      const p = { id, clinic, card, createdAt: at };
      patients.push(p);
      byClinic.get(clinic.id).push(p);
    }
    insertPatient.flush();
    for (const row of termRows) insertTerm.run(...row);
    insertTerm.flush();
    bump('patient_search_terms', termRows.length);
    // The consent history after its patients (a batch of it must not reach a patient still buffered).
    for (const r of consentRows) insertConsent.run(...r);
    insertConsent.flush();
    bump('patients', nPatients);
    bump('consent_events', consentRows.length);
    log(`patients: ${nPatients} (${Math.round(performance.now() - started)} ms)`);

    // --- Settlement lines, collected as written; inserted with their running totals at the end.
    const lines = [];
    function addLine(l) {
      const s = settingsAt(l.occurredAt);
      const feeOf = (gross) => Math.floor((gross * s.fee_bps) / 10_000);
      const line = l.mirror
        ? {
            ...l.mirror,
            id: newId('stl', l.occurredAt),
            period: openPeriod(periodOf(l.occurredAt, net.timezone)),
            entry: 'reversal',
            sourceId: l.sourceId,
            gross: -l.mirror.gross,
            fee: -l.mirror.fee,
            net: -l.mirror.net,
            kid,
            occurredAt: l.occurredAt,
          }
        : {
            ...l,
            id: newId('stl', l.occurredAt),
            period: openPeriod(periodOf(l.occurredAt, net.timezone)),
            entry: 'redemption',
            feeBps: s.fee_bps,
            fee: feeOf(l.gross),
            net: l.gross - feeOf(l.gross),
            settingsVersion: s.version,
            kid,
          };
      lines.push(line);
      return line;
    }

    // --- Vouchers (issueVoucher, redeemStatements, reverseStatements, voidVoucher).
    const nVouchers = Math.round(1000 * factor);
    const vouchers = [];
    const vRedemptions = [];
    const vReversals = [];
    const categories = [...new Set(partnerOrgs.map((p) => p.category))];
    for (let i = 0; i < nVouchers; i++) {
      // Issued at any time of the last 400 days, to a patient registered by then.
      const issueNow = between(Math.max(patients[0].createdAt + MINUTE, now - 400 * DAY), now - 2 * MINUTE);
      let lo = 0;
      let hi = patients.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (patients[mid].createdAt < issueNow - MINUTE) lo = mid + 1;
        else hi = mid;
      }
      const p = patients[Math.floor(rnd() * Math.max(1, lo))];
      const clinic = p.clinic;
      const offerPool = partnerOrgs.flatMap((q) =>
        offersOf.get(q.id).filter((o) => o.currency === clinic.currency),
      );
      let v;
      if (offerPool.length && rnd() < 0.4) {
        const o = pick(offerPool);
        v = {
          kind: 'offer',
          offerId: o.id,
          partnerId: o.partner_id,
          category: null,
          title: o.title,
          amount: o.price_amount,
        };
      } else {
        const amount = pick([2500, 5000, 5000, 7500, 10_000, 10_000, 15_000, 20_000]);
        const title = `Gift credit of ${formatMoney(amount, clinic.currency)}`;
        v =
          rnd() < 0.7
            ? { kind: 'value', offerId: null, partnerId: pick(partnerOrgs).id, category: null, title, amount }
            : { kind: 'value', offerId: null, partnerId: null, category: pick(categories), title, amount };
      }
      const lifetime = rnd() < 0.8 ? 90 * DAY : between(30, 366) * DAY;
      const row = {
        id: newId('vch', issueNow),
        at: issueNow,
        clinicId: clinic.id,
        patientId: p.id,
        ...v,
        audience: v.partnerId ?? `category:${v.category}`,
        message: rnd() < 0.3 ? pick(VOUCHER_MESSAGES) : null,
        currency: clinic.currency,
        valueAmount: v.amount,
        remainingAmount: v.amount,
        status: 'issued',
        issuedAt: Math.floor(issueNow / 1000) * 1000,
        expiresAt: Math.floor((issueNow + lifetime) / 1000) * 1000,
        voidedAt: null,
        voidReason: null,
        lastRedemptionId: null,
        lastRedemptionAmount: null,
        updatedAt: issueNow,
      };
      vouchers.push(row);
      audit(issueNow, clinic.id, clinic.keyId, 'voucher.issue', ['voucher', row.id], p.id, {
        kind: row.kind,
        amount: row.valueAmount,
        currency: row.currency,
      });
      const usableUntil = Math.min(row.expiresAt, now) - MINUTE;
      const honourers = row.partnerId
        ? partnerOrgs.filter((q) => q.id === row.partnerId)
        : partnerOrgs.filter((q) => q.category === row.category);
      const r = rnd();
      if (r < 0.07 && usableUntil > issueNow) {
        row.status = 'voided';
        row.voidedAt = between(issueNow + MINUTE, usableUntil + MINUTE);
        row.voidReason = pick(VOID_REASONS);
        audit(row.voidedAt, clinic.id, clinic.keyId, 'voucher.void', ['voucher', row.id], p.id);
        row.updatedAt = row.voidedAt;
      } else if (r < 0.55 && usableUntil > issueNow + MINUTE) {
        // One redemption (an offer, or all the value), or two or three parts of the value.
        const parts = row.kind === 'value' && rnd() < 0.4 ? between(2, 4) : 1;
        let t = issueNow;
        for (let k = 0; k < parts && row.remainingAmount > 0; k++) {
          if (t + MINUTE >= usableUntil) break;
          t = between(t + MINUTE, Math.min(usableUntil, t + 60 * DAY));
          const last = k === parts - 1;
          const take =
            row.kind === 'offer' || (last && rnd() < 0.6)
              ? row.remainingAmount
              : Math.max(
                  100,
                  Math.min(
                    row.remainingAmount,
                    Math.round((row.remainingAmount * between(20, 70)) / 10_000) * 100,
                  ),
                );
          const partner = pick(honourers);
          const red = {
            id: newId('red', t),
            voucherId: row.id,
            clinicId: row.clinicId,
            partnerId: partner.id,
            apiKeyId: partner.keyId,
            amount: take,
            currency: row.currency,
            payableAmount: take,
            redeemedAt: t,
          };
          vRedemptions.push(red);
          audit(t, partner.id, partner.keyId, 'voucher.redeem', ['voucher', row.id], p.id, {
            redemption_id: red.id,
            amount: take,
            currency: row.currency,
          });
          row.remainingAmount -= take;
          row.status = row.remainingAmount === 0 ? 'redeemed' : 'issued';
          row.lastRedemptionId = red.id;
          row.lastRedemptionAmount = take;
          row.updatedAt = t;
          red.line = addLine({
            kind: 'voucher',
            redemptionId: red.id,
            sourceId: red.id,
            payerId: row.clinicId,
            payeeId: partner.id,
            voucherId: row.id,
            cardLast4: null,
            title: row.title,
            points: null,
            currency: red.currency,
            gross: red.payableAmount,
            occurredAt: t,
          });
          // Now and then the partner takes it back within the window.
          if (rnd() < 0.03) {
            const at = between(t + MINUTE, t + 23 * HOUR);
            if (at < now - MINUTE) {
              const rev = {
                id: newId('rev', at),
                redemptionId: red.id,
                voucherId: row.id,
                partnerId: partner.id,
                amount: take,
                currency: row.currency,
                reversedAt: at,
              };
              vReversals.push(rev);
              audit(at, partner.id, partner.keyId, 'redemption.reverse', ['redemption', red.id], p.id, {
                reversal_id: rev.id,
                amount: take,
                currency: row.currency,
              });
              row.remainingAmount += take;
              if (row.status === 'redeemed') row.status = 'issued';
              row.updatedAt = at;
              addLine({ mirror: red.line, sourceId: rev.id, occurredAt: at });
              t = at;
            }
          }
        }
      }
    }
    vouchers.sort(byTime((v) => v.at));
    const insertVoucher = batched(
      db,
      `insert into vouchers (id, clinic_id, patient_id, kind, offer_id, partner_id, category, audience, title,
        message, currency, value_amount, remaining_amount, status, kid, issued_at, expires_at, voided_at,
        void_reason, last_redemption_id, last_redemption_amount, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const v of vouchers)
      insertVoucher.run(
        v.id,
        v.clinicId,
        v.patientId,
        v.kind,
        v.offerId,
        v.partnerId,
        v.category,
        v.audience,
        v.title,
        v.message,
        v.currency,
        v.valueAmount,
        v.remainingAmount,
        v.status,
        kid,
        v.issuedAt,
        v.expiresAt,
        v.voidedAt,
        v.voidReason,
        v.lastRedemptionId,
        v.lastRedemptionAmount,
        v.updatedAt,
      );
    insertVoucher.flush();
    bump('vouchers', vouchers.length);
    vRedemptions.sort(byTime((r) => r.redeemedAt));
    const insertRedemption = batched(
      db,
      `insert into redemptions (id, voucher_id, clinic_id, partner_id, api_key_id, amount, currency,
        payable_amount, redeemed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of vRedemptions)
      insertRedemption.run(
        r.id,
        r.voucherId,
        r.clinicId,
        r.partnerId,
        r.apiKeyId,
        r.amount,
        r.currency,
        r.payableAmount,
        r.redeemedAt,
      );
    insertRedemption.flush();
    bump('redemptions', vRedemptions.length);
    const insertVReversal = batched(
      db,
      `insert into voucher_reversals (id, redemption_id, voucher_id, partner_id, amount, currency, reversed_at)
       values (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of vReversals.sort(byTime((r) => r.reversedAt)))
      insertVReversal.run(r.id, r.redemptionId, r.voucherId, r.partnerId, r.amount, r.currency, r.reversedAt);
    insertVReversal.flush();
    bump('voucher_reversals', vReversals.length);
    log(
      `vouchers: ${vouchers.length}, redemptions ${vRedemptions.length} (${Math.round(performance.now() - started)} ms)`,
    );

    // --- Points: each card's history simulated in time order, as the use cases would have booked it.
    const visits = [];
    const lots = [];
    const accounts = [];
    const pRedemptions = [];
    const pAllocations = [];
    const pReversals = [];
    /** One transaction = two entries; kept compact, sorted by booking time, then inserted. */
    const txns = [];
    const refCounter = new Map();
    const nextRef = (orgId, prefix) => {
      const n = (refCounter.get(orgId) ?? 0) + 1;
      refCounter.set(orgId, n);
      return `${prefix}-${String(n).padStart(7, '0')}`;
    };
    const otherClinics = (c) => clinicOrgs.filter((x) => x.id !== c.id);

    function cardState(p) {
      return { p, acct: null, live: [], txns: 0, last: p.createdAt };
    }
    function addTxn(st, t) {
      t.idx = txns.length;
      txns.push(t);
      st.txns++;
      st.last = Math.max(st.last, t.bookedAt);
    }
    /** Lots with points left whose expiry the cron books by `until`. */
    const pendingExpiry = (st, until) => (bookExpiry ? st.live.filter((l) => l.bookAt <= until).length : 0);
    /** expireLotStatements, for each lot the cron run at or before `t` finds lapsed. */
    function bookDue(st, t) {
      if (!bookExpiry) return;
      const due = st.live.filter((l) => l.bookAt <= t);
      if (!due.length) return;
      due.sort((a, b) => a.bookAt - b.bookAt || a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1));
      for (const lot of due) {
        const c = lot.bookAt;
        const r = lot.remaining;
        const a = st.acct;
        a.balance -= r;
        a.expired += r;
        a.updatedAt = c;
        lot.expired += r;
        lot.remaining = 0;
        st.live.splice(st.live.indexOf(lot), 1);
        addTxn(st, {
          id: newId('txn', c),
          type: 'expiry',
          patientId: st.p.id,
          sourceId: lot.id,
          points: -r,
          balanceAfter: a.balance,
          patientCounterparty: null,
          otherAccount: 'expiry',
          otherOwner: st.p.clinic.id,
          otherCounterparty: null,
          effectiveAt: lot.expiresAt,
          bookedAt: c,
        });
      }
    }
    /** accrualStatements: the visit, the summary row, the lot, the entries. Returns the txns it needs. */
    function visit(st, t, amount, { backdate = 0, dryRun = false } = {}) {
      const p = st.p;
      const clinic = p.clinic;
      const rules = rulesAt(clinic, t);
      const points = accrualPoints(amount, rules.accrual_rate_bps, net.pointValue);
      const occurredAt = Math.max(p.createdAt, t - backdate);
      const expiry = points > 0 ? lotExpiry(occurredAt, rules.expiry_days, clinic.timezone) : null;
      const bookAt = expiry ? cronAtOrAfter(expiry.expiresAt) : null;
      const needs = points > 0 ? 1 + (bookExpiry && bookAt <= now ? 1 : 0) : 0;
      if (dryRun) return needs;
      const id = newId('vis', t);
      visits.push({
        id,
        clinicId: clinic.id,
        patientId: p.id,
        reference: rnd() < 0.5 ? nextRef(clinic.id, 'INV') : null,
        amount,
        currency: clinic.currency,
        occurredAt,
        programVersion: rules.version,
        accrualRateBps: rules.accrual_rate_bps,
        pointsEarned: points,
        apiKeyId: clinic.keyId,
        recordedAt: t,
      });
      audit(t, clinic.id, clinic.keyId, 'visit.record', ['visit', id], p.id, {
        amount,
        currency: clinic.currency,
        points,
      });
      if (!st.acct) {
        st.acct = {
          patientId: p.id,
          clinicId: clinic.id,
          balance: points,
          earned: points,
          spent: 0,
          expired: 0,
          lifetimeSpend: amount,
          currency: clinic.currency,
          discountBps: tierOf(rules.discount_tiers, amount),
          updatedAt: t,
        };
        accounts.push(st.acct);
      } else {
        const a = st.acct;
        a.balance += points;
        a.earned += points;
        a.lifetimeSpend += amount;
        a.discountBps = Math.max(a.discountBps, tierOf(rules.discount_tiers, a.lifetimeSpend));
        a.updatedAt = t;
      }
      if (points > 0) {
        const lot = {
          id: newId('lot', t),
          at: t,
          patientId: p.id,
          clinicId: clinic.id,
          visitId: id,
          points,
          remaining: points,
          expired: 0,
          earnedAt: occurredAt,
          ...expiry,
          bookAt,
        };
        lots.push(lot);
        st.live.push(lot);
        addTxn(st, {
          id,
          type: 'accrual',
          patientId: p.id,
          sourceId: id,
          points,
          balanceAfter: st.acct.balance,
          patientCounterparty: null,
          otherAccount: 'liability',
          otherOwner: clinic.id,
          otherCounterparty: null,
          effectiveAt: occurredAt,
          bookedAt: t,
        });
      }
      return needs;
    }
    const spendable = (st, t) =>
      st.live
        .filter((l) => l.remaining > 0 && l.expiresAt > t)
        .sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : 1));
    /** spendStatements: the redemption, oldest lots first, the summary row, the entries, the line. */
    function spend(st, t, points, honour) {
      const p = st.p;
      const clinic = p.clinic;
      const id = newId('ptr', t);
      const value = points * net.pointValue;
      const own = honour.id === clinic.id;
      const red = {
        id,
        patientId: p.id,
        clinicId: clinic.id,
        honouredBy: honour.id,
        apiKeyId: honour.keyId,
        points,
        valueAmount: value,
        payableAmount: own ? 0 : value,
        currency: net.currency,
        billAmount: null,
        reference: !own && rnd() < 0.3 ? nextRef(honour.id, 'POS') : null,
        redeemedAt: t,
        allocations: [],
      };
      let need = points;
      for (const lot of spendable(st, t)) {
        if (need <= 0) break;
        const take = Math.min(lot.remaining, need);
        lot.remaining -= take;
        need -= take;
        red.allocations.push({ lot, points: take });
        pAllocations.push({ at: t, redemptionId: id, lotId: lot.id, points: take });
        if (lot.remaining === 0) st.live.splice(st.live.indexOf(lot), 1);
      }
      if (need !== 0) throw new Error('spend beyond the live balance');
      pRedemptions.push(red);
      audit(t, honour.id, honour.keyId, 'points.spend', ['point_redemption', id], p.id, { points });
      const a = st.acct;
      a.balance -= points;
      a.spent += points;
      a.updatedAt = t;
      addTxn(st, {
        id,
        type: 'redemption',
        patientId: p.id,
        sourceId: id,
        points: -points,
        balanceAfter: a.balance,
        patientCounterparty: honour.id,
        otherAccount: own ? 'liability' : 'receivable',
        otherOwner: honour.id,
        otherCounterparty: own ? null : clinic.id,
        effectiveAt: t,
        bookedAt: t,
      });
      if (!own)
        red.line = addLine({
          kind: 'points',
          redemptionId: id,
          sourceId: id,
          payerId: clinic.id,
          payeeId: honour.id,
          voucherId: null,
          cardLast4: p.card.slice(12, 16),
          title: `${points} points`,
          points,
          currency: red.currency,
          gross: red.payableAmount,
          occurredAt: t,
        });
      return red;
    }
    /** pointReversalStatements: the same lots get their points back (a lapsed one is booked by the next cron). */
    function reverse(st, red, at) {
      const id = newId('prv', at);
      audit(at, red.honouredBy, red.apiKeyId, 'points.reverse', ['point_redemption', red.id], red.patientId, {
        reversal_id: id,
        points: red.points,
      });
      pReversals.push({
        id,
        redemptionId: red.id,
        patientId: red.patientId,
        points: red.points,
        apiKeyId: red.apiKeyId,
        reversedAt: at,
      });
      for (const { lot, points } of red.allocations) {
        if (lot.remaining === 0 && !st.live.includes(lot)) st.live.push(lot);
        lot.remaining += points;
        if (lot.expiresAt <= at) lot.bookAt = cronAtOrAfter(at + 1);
      }
      const a = st.acct;
      a.balance += red.points;
      a.spent -= red.points;
      a.updatedAt = at;
      const own = red.honouredBy === red.clinicId;
      addTxn(st, {
        id,
        type: 'reversal',
        patientId: red.patientId,
        sourceId: id,
        points: red.points,
        balanceAfter: a.balance,
        patientCounterparty: red.honouredBy,
        otherAccount: own ? 'liability' : 'receivable',
        otherOwner: red.honouredBy,
        otherCounterparty: own ? null : red.clinicId,
        effectiveAt: at,
        bookedAt: at,
      });
      if (red.line) addLine({ mirror: red.line, sourceId: id, occurredAt: at });
    }
    const visitAmount = () =>
      pick([4_500, 8_000, 12_000, 15_000, 25_000, 25_000, 35_000, 48_000, 65_000, 90_000, 150_000]);
    const honourFor = (clinic) => {
      const r = rnd();
      const others = otherClinics(clinic);
      if (r < 0.55) return pick(partnerOrgs);
      if (r < 0.85 || others.length === 0) return clinic;
      return pick(others);
    };

    /** A card's life from registration to `now`, in at most `target` transactions. */
    function simulate(p, target, { heavy = false } = {}) {
      const st = cardState(p);
      const window = now - MINUTE - p.createdAt;
      const meanGap = window / (target + 1);
      let t = p.createdAt;
      let lastHonour = null;
      while (true) {
        t += heavy ? meanGap * (0.5 + rnd()) : expGap(meanGap);
        t = Math.floor(t);
        if (t >= now - MINUTE) break;
        bookDue(st, t);
        const budget = target - st.txns - pendingExpiry(st, now);
        if (budget < 1) break;
        const live = spendable(st, t);
        const liveBalance = live.reduce((s, l) => s + l.remaining, 0);
        const min = Math.max(1, rulesAt(p.clinic, t).min_redemption_points);
        const wantSpend = heavy
          ? st.acct && liveBalance >= min && st.txns % 2 === 1
          : liveBalance >= Math.max(min, 300) && rnd() < 0.4;
        if (wantSpend) {
          const points = heavy
            ? liveBalance
            : Math.max(
                min,
                Math.min(liveBalance, Math.round((liveBalance * (0.2 + 0.8 * rnd())) / 100) * 100),
              );
          if (heavy && !lastHonour) lastHonour = pick(partnerOrgs);
          const honour = heavy ? lastHonour : honourFor(p.clinic);
          const red = spend(st, t, points, honour);
          if (!heavy && rnd() < 0.03) {
            const at = between(t + MINUTE, t + 23 * HOUR);
            if (at < now - MINUTE) {
              bookDue(st, at);
              const lapsedBack = red.allocations.filter(
                (x) => x.lot.expiresAt <= at && x.lot.remaining === 0,
              ).length;
              if (target - st.txns - pendingExpiry(st, now) >= 1 + (bookExpiry ? lapsedBack : 0)) {
                reverse(st, red, at);
                t = at;
              }
            }
          }
        } else {
          const amount = heavy ? 10_000 : visitAmount();
          const backdate = !heavy && rnd() < 0.1 ? between(HOUR, 3 * DAY) : 0;
          if (visit(st, t, amount, { backdate, dryRun: true }) > budget) break;
          visit(st, t, amount, { backdate });
        }
      }
      bookDue(st, now);
      return st;
    }

    const entryRowsTarget = Math.round(10_000 * factor);
    const txnTarget = Math.floor(entryRowsTarget / 2);
    const heavyTxns = Math.min(10_000, Math.round(300 * factor));
    const heavyCount = Math.min(3, patients.length);
    // The long histories belong to the first cards registered (they have the longest windows).
    const heavy = patients.slice(0, heavyCount);
    const normal = patients.slice(heavyCount);
    const states = [];
    for (const p of heavy) states.push(simulate(p, heavyTxns, { heavy: true }));
    longest = states.slice();
    const spent = txns.length;
    // Normal cards: three in four have point activity, a skewed share each.
    const active = [];
    const idle = [];
    for (const p of normal) (rnd() < 0.75 ? active : idle).push(p);
    const weights = active.map((p) => Math.exp(rnd() * 2.2 - 1.1) * (now - p.createdAt));
    const wsum = weights.reduce((s, w) => s + w, 0);
    const remaining = txnTarget - spent;
    // In random order, so that what one card could not fit (its pending expiry is reserved) goes to
    // another with a window of any length, not always to the newest cards.
    const shuffled = active.map((_, i) => i);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    let carry = 0;
    const run = (p, want) => {
      const target = Math.min(txnTarget - txns.length, Math.max(1, want));
      if (target <= 0) return;
      const st = simulate(p, target);
      carry = target - st.txns;
      states.push(st);
    };
    for (const i of shuffled) run(active[i], Math.floor((weights[i] / wsum) * remaining) + carry);
    // Still short: cards that had no activity get some, then single visits after a card's last event.
    const mean = Math.max(2, Math.round(remaining / Math.max(1, active.length)));
    for (const p of idle) {
      if (txnTarget - txns.length < 2) break;
      run(p, mean);
    }
    let short = txnTarget - txns.length;
    const fillers = short;
    const fillable = states.filter((s) => s.acct && !heavy.includes(s.p));
    for (let tries = 0; short > 0 && fillable.length && tries < 100 * (short + 100); tries++) {
      const st = pick(fillable);
      const from = st.last + MINUTE;
      if (from >= now - 2 * MINUTE) continue;
      const t = between(from, now - MINUTE);
      const amount = visitAmount();
      const needs = visit(st, t, amount, { dryRun: true });
      if (needs < 1 || needs > short) continue;
      visit(st, t, amount);
      bookDue(st, now);
      short = txnTarget - txns.length;
    }
    log(`points: ${fillers} transactions short after the simulation, made up by single visits`);
    log(`points simulated: ${txns.length} transactions (${Math.round(performance.now() - started)} ms)`);

    // --- Write the points side in the order of its foreign keys, each table in id (time) order.
    visits.sort(byTime((v) => v.recordedAt));
    const insertVisit = batched(
      db,
      `insert into visits (id, clinic_id, patient_id, reference, amount, currency, occurred_at, program_version,
        accrual_rate_bps, points_earned, api_key_id, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const v of visits)
      insertVisit.run(
        v.id,
        v.clinicId,
        v.patientId,
        v.reference,
        v.amount,
        v.currency,
        v.occurredAt,
        v.programVersion,
        v.accrualRateBps,
        v.pointsEarned,
        v.apiKeyId,
        v.recordedAt,
      );
    insertVisit.flush();
    bump('visits', visits.length);
    lots.sort(byTime((l) => l.at));
    const insertLot = batched(
      db,
      `insert into point_lots (id, patient_id, clinic_id, visit_id, points, remaining, expired, earned_at,
        expires_on, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of lots)
      insertLot.run(
        l.id,
        l.patientId,
        l.clinicId,
        l.visitId,
        l.points,
        l.remaining,
        l.expired,
        l.earnedAt,
        l.expiresOn,
        l.expiresAt,
      );
    insertLot.flush();
    bump('point_lots', lots.length);
    accounts.sort((a, b) => (a.patientId < b.patientId ? -1 : 1));
    const insertAccount = batched(
      db,
      `insert into point_accounts (patient_id, clinic_id, balance, earned, spent, expired, lifetime_spend,
        currency, discount_bps, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const a of accounts)
      insertAccount.run(
        a.patientId,
        a.clinicId,
        a.balance,
        a.earned,
        a.spent,
        a.expired,
        a.lifetimeSpend,
        a.currency,
        a.discountBps,
        a.updatedAt,
      );
    insertAccount.flush();
    bump('point_accounts', accounts.length);
    pRedemptions.sort(byTime((r) => r.redeemedAt));
    const insertPRed = batched(
      db,
      `insert into point_redemptions (id, patient_id, clinic_id, honoured_by, api_key_id, points, value_amount,
        payable_amount, currency, bill_amount, reference, redeemed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of pRedemptions)
      insertPRed.run(
        r.id,
        r.patientId,
        r.clinicId,
        r.honouredBy,
        r.apiKeyId,
        r.points,
        r.valueAmount,
        r.payableAmount,
        r.currency,
        r.billAmount,
        r.reference,
        r.redeemedAt,
      );
    insertPRed.flush();
    bump('point_redemptions', pRedemptions.length);
    pAllocations.sort(
      (a, b) =>
        a.at - b.at ||
        (a.redemptionId < b.redemptionId
          ? -1
          : a.redemptionId > b.redemptionId
            ? 1
            : a.lotId < b.lotId
              ? -1
              : 1),
    );
    const insertAlloc = batched(
      db,
      'insert into point_redemption_lots (redemption_id, lot_id, points) values (?, ?, ?)',
    );
    for (const a of pAllocations) insertAlloc.run(a.redemptionId, a.lotId, a.points);
    insertAlloc.flush();
    bump('point_redemption_lots', pAllocations.length);
    pReversals.sort(byTime((r) => r.reversedAt));
    const insertPRev = batched(
      db,
      `insert into point_reversals (id, redemption_id, patient_id, points, api_key_id, reversed_at)
       values (?, ?, ?, ?, ?, ?)`,
    );
    for (const r of pReversals)
      insertPRev.run(r.id, r.redemptionId, r.patientId, r.points, r.apiKeyId, r.reversedAt);
    insertPRev.flush();
    bump('point_reversals', pReversals.length);

    // The ledger in booking order (an expiry run books its lots by expiry), so seq is time order.
    const order = Uint32Array.from(txns.keys()).sort((a, b) => {
      const x = txns[a];
      const y = txns[b];
      return (
        x.bookedAt - y.bookedAt ||
        (x.type === 'expiry' && y.type === 'expiry' ? x.effectiveAt - y.effectiveAt : 0) ||
        x.idx - y.idx
      );
    });
    const insertEntry = batched(
      db,
      `insert into point_entries (seq, txn_id, txn_type, account, owner_id, patient_id, counterparty_id, source_id,
        points, value_amount, currency, balance_after, effective_at, booked_at)
       values (null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const pv = net.pointValue;
    const cur = net.currency;
    for (const k of order) {
      const e = txns[k];
      insertEntry.run(
        e.id,
        e.type,
        'patient',
        e.patientId,
        e.patientId,
        e.patientCounterparty,
        e.sourceId,
        e.points,
        e.points * pv,
        cur,
        e.balanceAfter,
        e.effectiveAt,
        e.bookedAt,
      );
      insertEntry.run(
        e.id,
        e.type,
        e.otherAccount,
        e.otherOwner,
        e.patientId,
        e.otherCounterparty,
        e.sourceId,
        -e.points,
        -e.points * pv,
        cur,
        null,
        e.effectiveAt,
        e.bookedAt,
      );
    }
    insertEntry.flush();
    bump('point_entries', txns.length * 2);
    log(`points written (${Math.round(performance.now() - started)} ms)`);

    // --- Settlement: the lines, their running totals, and the months the cron would have closed.
    lines.sort(byTime((l) => l.occurredAt));
    const insertLine = batched(
      db,
      `insert into settlement_lines (id, period, kind, entry, redemption_id, source_id, payer_id, payee_id,
        voucher_id, card_last4, title, points, currency, gross, fee_bps, fee, net, settings_version, kid, occurred_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const totals = new Map();
    for (const l of lines) {
      insertLine.run(
        l.id,
        l.period,
        l.kind,
        l.entry,
        l.redemptionId,
        l.sourceId,
        l.payerId,
        l.payeeId,
        l.voucherId,
        l.cardLast4,
        l.title,
        l.points,
        l.currency,
        l.gross,
        l.feeBps,
        l.fee,
        l.net,
        l.settingsVersion,
        l.kid,
        l.occurredAt,
      );
      const key = `${l.period}|${l.payerId}|${l.payeeId}|${l.currency}`;
      let t = totals.get(key);
      if (!t) {
        t = {
          period: l.period,
          payerId: l.payerId,
          payeeId: l.payeeId,
          currency: l.currency,
          redemptions: 0,
          reversals: 0,
          gross: 0,
          fee: 0,
          net: 0,
        };
        totals.set(key, t);
      }
      if (l.entry === 'redemption') t.redemptions++;
      else t.reversals++;
      t.gross += l.gross;
      t.fee += l.fee;
      t.net += l.net;
    }
    insertLine.flush();
    bump('settlement_lines', lines.length);
    // closeSettlementPeriods, run by every hourly cron up to now: from the first month not closed.
    const closes = new Map();
    // The hourly job marks issued vouchers whose expiry has passed (they leave the live index).
    if (bookExpiry)
      db.prepare(
        "update vouchers set lapsed_at = expires_at where status = 'issued' and lapsed_at is null and expires_at <= ?",
      ).run(now);
    if (closePeriods) {
      const firstOpen =
        [
          ...[...totals.values()].map((t) => t.period),
          ...db
            .prepare('select period from settlement_totals where closed_at is null')
            .all()
            .map((r) => r.period),
        ].sort()[0] ?? null;
      let period = [lastClosed ? nextPeriod(lastClosed) : null, firstOpen].filter(Boolean).sort()[0];
      while (period) {
        // The first cron run at or after the month's end plus the grace in force then.
        const end = periodStart(nextPeriod(period), net.timezone);
        let at = cronAtOrAfter(end);
        while (at < end + settingsAt(at).closing_grace_days * DAY) at += HOUR;
        if (at > now) break;
        closes.set(period, { at, version: settingsAt(at).version });
        period = nextPeriod(period);
      }
    }
    const upsertTotal = db.prepare(
      `insert into settlement_totals (period, payer_id, payee_id, currency, redemptions, reversals, gross, fee, net, closed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (period, payer_id, payee_id, currency) do update set redemptions = redemptions + excluded.redemptions,
         reversals = reversals + excluded.reversals, gross = gross + excluded.gross, fee = fee + excluded.fee,
         net = net + excluded.net, closed_at = excluded.closed_at`,
    );
    for (const t of [...totals.values()].sort((a, b) => (a.period < b.period ? -1 : 1)))
      upsertTotal.run(
        t.period,
        t.payerId,
        t.payeeId,
        t.currency,
        t.redemptions,
        t.reversals,
        t.gross,
        t.fee,
        t.net,
        closes.get(t.period)?.at ?? null,
      );
    bump('settlement_totals', totals.size);
    const insertPeriod = db.prepare(
      'insert into settlement_periods (period, closed_at, settings_version) values (?, ?, ?)',
    );
    const stampOpen = db.prepare(
      'update settlement_totals set closed_at = ? where period = ? and closed_at is null',
    );
    for (const [period, c] of closes) {
      insertPeriod.run(period, c.at, c.version);
      stampOpen.run(c.at, period);
    }
    bump('settlement_periods', closes.size);

    audits.sort((a, b) => a[8] - b[8] || (a[0] < b[0] ? -1 : 1));
    const insertAudit = batched(
      db,
      `insert into audit_events (id, organization_id, actor_key_id, actor_staff_id, action, subject_type, subject_id,
        patient_id, detail, at) values (?, ?, ?, null, ?, ?, ?, ?, ?, ?)`,
    );
    for (const row of audits) insertAudit.run(...row);
    insertAudit.flush();
    bump('audit_events', audits.length);

    for (const ix of rebuilt) db.exec(ix.sql);
    log(`indexes built (${Math.round(performance.now() - started)} ms)`);
    if (staffSessions)
      for (const o of [...clinicOrgs, ...partnerOrgs]) sessions[o.id] = signedInOwner(db, o, sessionTtlMs);
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    db.close();
    throw e;
  }
  // No ANALYZE: a D1 built through the API has no planner statistics either (D1 runs none by itself).
  if (analyze) db.exec('ANALYZE');
  if (switched) db.exec(`PRAGMA journal_mode = ${journal}`);
  db.close();
  const ms = Math.round(performance.now() - started);
  return {
    ms,
    counts,
    bytes: statSync(sqlitePath).size,
    longest: longest.map((st) => ({
      patientId: st.p.id,
      clinicId: st.p.clinic.id,
      cardNumber: st.p.card,
      entries: st.txns,
    })),
    sessions,
  };
}

/**
 * An owner of the organisation, signed in: the rows a passkey sign-in leaves (test/helpers/staff.ts
 * staffSession): the staff member's console key, the staff member, and a page session bound to both.
 * Times are the wall clock, not the history's `now`: the server checks the session against its own
 * clock (live until `expires_at`, not idle for 30 minutes since `last_seen_at`). Returns what a
 * page cookie names (see sessionCookie in hot-paths.mjs).
 */
function signedInOwner(db, o, ttlMs) {
  const at = Date.now();
  const keyId = newId('key', at);
  const staffId = newId('stf', at);
  const sessionId = randomBytes(24).toString('base64url');
  const expiresAt = at + ttlMs;
  const name = `Bench owner ${staffId.slice(-6)}`;
  const secretHash = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('hex');
  db.prepare(
    `insert into api_keys (id, organization_id, name, prefix, secret_hash, created_at, kind)
     values (?, ?, ?, 'staff', ?, ?, 'staff')`,
  ).run(keyId, o.id, `Console: ${name}`, secretHash, at);
  db.prepare(
    'insert into staff_members (id, organization_id, name, role, key_id, created_at) values (?, ?, ?, ?, ?, ?)',
  ).run(staffId, o.id, name, 'owner', keyId, at);
  db.prepare(
    `insert into page_sessions (id, key_id, organization_id, created_at, expires_at, staff_id, last_seen_at)
     values (?, ?, ?, ?, ?, ?, ?)`,
  ).run(sessionId, keyId, o.id, at, expiresAt, staffId, at);
  return { kind: o.kind, organizationId: o.id, staffId, keyId, sessionId, expiresAt };
}

/**
 * What a reconciliation would check, as SQL over the whole file: each list names the rows that
 * disagree (empty lists: the books balance). Returns { problems: { check: count } , ms }.
 */
export function reconcile(sqlitePath, { now = Date.now(), pointValue = 1 } = {}) {
  const started = performance.now();
  const db = new DatabaseSync(sqlitePath);
  db.exec('PRAGMA temp_store = MEMORY');
  // Per-key sums first (temporary tables), then joins: no correlated scan of an unindexed column.
  db.exec(`
    create temp table e_sum as select owner_id id, sum(points) s, count(*) n from point_entries where account = 'patient' group by owner_id;
    create temp table e_last as select owner_id id, balance_after b from point_entries e
      where seq = (select max(seq) from point_entries x where x.account = 'patient' and x.owner_id = e.owner_id) and account = 'patient';
    create temp table l_sum as select patient_id id, sum(remaining) r, sum(points) p, sum(expired) x from point_lots group by patient_id;
    create temp table r_sum as select patient_id id, sum(points) p from point_redemptions group by patient_id;
    create temp table v_sum as select patient_id id, sum(points) p from point_reversals group by patient_id;
    create temp table a_net as select a.lot_id id, sum(a.points) p from point_redemption_lots a
      where a.redemption_id not in (select redemption_id from point_reversals) group by a.lot_id;
    create temp table a_red as select redemption_id id, sum(points) p from point_redemption_lots group by redemption_id;
    create temp table vr_sum as select voucher_id id, sum(amount) a from redemptions group by voucher_id;
    create temp table vv_sum as select voucher_id id, sum(amount) a from voucher_reversals group by voucher_id;
    create temp table line_src as select source_id id, kind, entry, gross from settlement_lines;
    create temp table a_subj as select action || ' ' || subject_id id from audit_events;
    create index temp.a_subj_i on a_subj (id);
    create unique index temp.e_sum_i on e_sum (id); create unique index temp.e_last_i on e_last (id);
    create unique index temp.l_sum_i on l_sum (id); create unique index temp.r_sum_i on r_sum (id);
    create unique index temp.v_sum_i on v_sum (id); create unique index temp.a_net_i on a_net (id);
    create unique index temp.a_red_i on a_red (id); create unique index temp.vr_sum_i on vr_sum (id);
    create unique index temp.vv_sum_i on vv_sum (id); create unique index temp.line_src_i on line_src (id);
  `);
  const checks = {
    // The summary row = the sum of the card's patient entries = its last running balance = its lots.
    'account balance vs entries': `select count(*) n from point_accounts a left join e_sum e on e.id = a.patient_id
      where a.balance <> coalesce(e.s, 0)`,
    'entries of cards with no summary row': `select count(*) n from e_sum e where not exists
      (select 1 from point_accounts a where a.patient_id = e.id)`,
    'account vs lots (balance, earned, expired)': `select count(*) n from point_accounts a left join l_sum l on l.id = a.patient_id
      where a.balance <> coalesce(l.r, 0) or a.earned <> coalesce(l.p, 0) or a.expired <> coalesce(l.x, 0)`,
    'account spent vs redemptions less reversals': `select count(*) n from point_accounts a left join r_sum r on r.id = a.patient_id
      left join v_sum v on v.id = a.patient_id where a.spent <> coalesce(r.p, 0) - coalesce(v.p, 0)`,
    'last running balance vs account': `select count(*) n from point_accounts a left join e_last e on e.id = a.patient_id
      where a.balance <> coalesce(e.b, 0)`,
    'running balance steps': `select count(*) n from (select balance_after, sum(points) over (partition by owner_id order by seq) s
      from point_entries where account = 'patient') where balance_after <> s`,
    'transactions not two entries summing to 0': `select count(*) n from (select txn_id from point_entries group by txn_id
      having count(*) <> 2 or sum(points) <> 0 or sum(value_amount) <> 0)`,
    'entry value vs points': `select count(*) n from point_entries where value_amount <> points * ${pointValue}`,
    'lot points vs its visit': `select count(*) n from point_lots l join visits v on v.id = l.visit_id where l.points <> v.points_earned
      or l.patient_id <> v.patient_id or l.earned_at <> v.occurred_at`,
    'visit points vs its rate': `select count(*) n from visits where points_earned <> (amount * accrual_rate_bps / 10000) / ${pointValue}`,
    'lot remaining vs allocations': `select count(*) n from point_lots l left join a_net a on a.id = l.id
      where l.points - l.expired - l.remaining <> coalesce(a.p, 0)`,
    'redemption vs its allocations': `select count(*) n from point_redemptions r left join a_red a on a.id = r.id
      where r.points <> coalesce(a.p, 0)`,
    'lapsed lots the cron would have booked': `select count(*) n from point_lots where remaining > 0 and expires_at <= ${now} - 3600000 - 300000`,
    'voucher remaining vs redemptions': `select count(*) n from vouchers v left join vr_sum r on r.id = v.id left join vv_sum x on x.id = v.id
      where v.value_amount - v.remaining_amount <> coalesce(r.a, 0) - coalesce(x.a, 0)`,
    'voucher status vs remaining': `select count(*) n from vouchers where (status = 'redeemed') <> (remaining_amount = 0 and status <> 'voided')`,
    'voucher redemptions without their line': `select count(*) n from redemptions r left join line_src l on l.id = r.id
      where r.payable_amount > 0 and (l.id is null or l.gross <> r.payable_amount or l.kind <> 'voucher' or l.entry <> 'redemption')`,
    'points redemptions elsewhere without their line': `select count(*) n from point_redemptions r left join line_src l on l.id = r.id
      where r.honoured_by <> r.clinic_id and (l.id is null or l.gross <> r.payable_amount or l.kind <> 'points')`,
    'points redemptions at the issuer with a line': `select count(*) n from point_redemptions r join line_src l on l.id = r.id
      where r.honoured_by = r.clinic_id`,
    'reversals without their line': `select count(*) n from (select id, redemption_id from voucher_reversals union all
      select id, redemption_id from point_reversals) v join line_src o on o.id = v.redemption_id left join line_src l on l.id = v.id
      where l.id is null or l.entry <> 'reversal' or l.gross <> -o.gross`,
    'lines vs totals': `select count(*) n from (select period, payer_id, payee_id, currency, sum(entry = 'redemption') r, sum(entry = 'reversal') v,
      sum(gross) g, sum(fee) f, sum(net) t from settlement_lines group by 1, 2, 3, 4) l full join settlement_totals s using (period, payer_id, payee_id, currency)
      where s.period is null or l.period is null or s.redemptions <> l.r or s.reversals <> l.v or s.gross <> l.g or s.fee <> l.f or s.net <> l.t`,
    'closed months with open totals': `select count(*) n from settlement_totals t join settlement_periods p using (period) where t.closed_at is null`,
    // The report figures (written by the triggers of migration 0010 as the rows above went in), added
    // up over all months, against the records: the totals do not depend on where months start.
    'clinic month figures vs records': `with f as (select clinic_id id, sum(visits) visits, sum(visit_revenue) revenue,
        sum(points_issued) issued, sum(points_spent) - sum(points_reversed) spent, sum(points_expired) expired,
        sum(vouchers_issued) gifts, sum(vouchers_redeemed) redeemed, sum(vouchers_lapsed_value) breakage
        from clinic_month_figures group by clinic_id),
      r as (select o.id,
        (select count(*) from visits v where v.clinic_id = o.id) visits,
        (select coalesce(sum(v.amount), 0) from visits v where v.clinic_id = o.id) revenue,
        (select coalesce(sum(v.points_earned), 0) from visits v where v.clinic_id = o.id) issued,
        (select coalesce(sum(p.points), 0) from point_redemptions p where p.clinic_id = o.id)
          - (select coalesce(sum(x.points), 0) from point_reversals x join point_redemptions p on p.id = x.redemption_id
            where p.clinic_id = o.id) spent,
        (select coalesce(sum(l.expired), 0) from point_lots l where l.clinic_id = o.id) expired,
        (select count(*) from vouchers g where g.clinic_id = o.id) gifts,
        (select count(*) from redemptions d where d.clinic_id = o.id)
          - (select count(*) from voucher_reversals x join redemptions d on d.id = x.redemption_id where d.clinic_id = o.id) redeemed,
        (select coalesce(sum(g.remaining_amount), 0) from vouchers g where g.clinic_id = o.id and g.lapsed_at is not null) breakage,
        (select coalesce(sum(a.balance), 0) from point_accounts a where a.clinic_id = o.id) balance,
        (select m.points_outstanding from clinic_month_figures m where m.clinic_id = o.id order by m.month desc limit 1) outstanding
        from organizations o where o.kind = 'clinic')
      select count(*) n from r left join f using (id) where coalesce(f.visits, 0) <> r.visits or coalesce(f.revenue, 0) <> r.revenue
        or coalesce(f.issued, 0) <> r.issued or coalesce(f.spent, 0) <> r.spent or coalesce(f.expired, 0) <> r.expired
        or coalesce(f.gifts, 0) <> r.gifts or coalesce(f.redeemed, 0) <> r.redeemed or coalesce(f.breakage, 0) <> r.breakage
        or coalesce(r.outstanding, 0) <> r.balance`,
    'card numbers not 16 digits': `select count(*) n from patients where card_number not glob '[0-9]*' or length(card_number) <> 16`,
    'search text vs name and contact': `select count(*) n from patients where search_text <> lower(first_name || ' ' || last_name || ' ' ||
      coalesce(email, '') || ' ' || coalesce(phone, '')) and first_name || last_name not glob '*[^ -~]*'`,
    'changes without their audit entry': `select count(*) n from (select 'patient.register ' || id s from patients
      union all select 'visit.record ' || id from visits union all select 'voucher.issue ' || id from vouchers
      union all select 'voucher.void ' || id from vouchers where status = 'voided'
      union all select 'voucher.redeem ' || voucher_id from redemptions
      union all select 'points.spend ' || id from point_redemptions
      union all select 'points.reverse ' || redemption_id from point_reversals
      union all select 'redemption.reverse ' || redemption_id from voucher_reversals) c
      where not exists (select 1 from a_subj a where a.id = c.s)`,
    'foreign keys': 'select count(*) n from pragma_foreign_key_check',
  };
  const problems = {};
  for (const [name, q] of Object.entries(checks)) problems[name] = db.prepare(q).get().n;
  // The Luhn digit, in JS (SQLite has no string reversal).
  let luhn = 0;
  for (const { card_number: c } of db.prepare('select card_number from patients').iterate())
    if (luhnCheckDigit(c.slice(0, 15)) !== c.charCodeAt(15) - 48) luhn++;
  problems['card numbers failing Luhn'] = luhn;
  db.close();
  return { problems, ms: Math.round(performance.now() - started) };
}

// CLI
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const all = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
  const one = (name) => all(name)[0];
  const sqlitePath = one('--sqlite') ?? d1SqlitePath(one('--persist-to') ?? '.wrangler/state');
  const stats = await buildNetwork({
    sqlitePath,
    factor: Number(one('--factor') ?? 1),
    clinics: all('--clinic'),
    partners: all('--partner'),
    kid: one('--kid'),
    ...(one('--now') ? { now: Date.parse(one('--now')) } : {}),
    dropIndexes: args.includes('--drop-indexes'),
    foreignKeys: !args.includes('--no-foreign-keys'),
    log: (m) => console.error(m),
  });
  console.log(JSON.stringify(stats, null, 2));
  if (args.includes('--check')) console.log(JSON.stringify(reconcile(sqlitePath), null, 2));
}
