#!/usr/bin/env node
// The write rate a Gratia network puts on its one D1 database at peak, on paper.
//
//   node scripts/scaling/write-rate-sim.mjs                      the default network (500 clinics, 5,000 partners)
//   node scripts/scaling/write-rate-sim.mjs --clinics=2000 --partners=20000 --peak=4
//   node scripts/scaling/write-rate-sim.mjs --json               the figures as JSON
//
// Plain Node, no dependencies, deterministic (seeded). What it models:
// - yearly activity per active card (visits, vouchers, redemptions, spends), spread over the opening
//   hours of clinics and partners, times a peak factor (a Saturday late morning in December);
// - what each operation costs D1: round trips, statements, rows written (the README's `pnpm bench`
//   figures for the hot paths; the others counted from the schema the same way D1 counts: the row
//   plus one per index entry it touches);
// - the reads around them (patient lookups, balance, verify, the counter page) and the cron;
// - per-second arrivals as Poisson, so the busiest second of the hour is shown, not just the mean;
// - D1's one thread per database: busy time = sum of each round trip's duration, for a few assumed
//   durations per kind of round trip. Utilisation above ~50% means requests queue noticeably; at
//   100% the database answers "overloaded".

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v === undefined ? true : Number.isNaN(Number(v)) ? v : Number(v)];
  }),
);

const NET = {
  clinics: args.clinics ?? 500,
  partners: args.partners ?? 5000,
  /** Active cards per clinic (patients with at least one visit a year). */
  cardsPerClinic: args.cards ?? 2000,
  /** Opening hours a year (10 h x 6 days x 50 weeks), clinics and partners alike. */
  openHoursPerYear: 3000,
  /** Peak hour over an average opening hour: December (x1.5) times Saturday late morning (x2). */
  peakFactor: args.peak ?? 3,
  /** Every clinic and partner in one timezone (worst case: their peaks coincide). */
};

/** A typical active card's year (the same assumptions as the size measurement). */
const PER_CARD_YEAR = {
  visits: 6,
  vouchersIssued: 1.5,
  voucherRedemptions: 1.26, // 70% of vouchers redeemed; half the stored-value ones in two parts
  spends: 0.8, // points spends: 70% at partners, 30% at clinics (all counted on the partners' side)
  newCards: 0.25, // registrations a year per active card (growth and churn)
  patientUpdates: 0.6, // contact or consent changes
  reversals: 0.04, // 2% of redemptions and spends
};

/** Share of mutating API calls that carry an Idempotency-Key (the counter page's forms always do). */
const IDEMPOTENCY_SHARE = args.idem ?? 1;

// What one operation costs D1. trips: round trips by kind (W: a multi-statement write batch, w: a
// one-row write, R: a read). rowsWritten as D1 meters it (index entries included). The three hot
// write paths are the README's measured figures (`pnpm bench`): redemption 1 batch / 14 rows,
// visit 2 round trips / 19 rows, spend 1 batch / 28 rows; verify reads 5 rows and writes none.
// `idem`: the operation goes through the idempotency middleware (claim + store the answer: two
// one-row writes, 3 + 1 rows written; the hourly purge deletes the row later, 3 more).
// `auth`: authorize() looks the key up in its own round trip, counted in trips.R (deferred routes
// look it up inside their batch, or in the idempotency claim).
const OPS = {
  visit: { trips: { R: 1, W: 1 }, statements: 12, rowsWritten: 19, idem: true },
  voucherRedemption: { trips: { W: 1 }, statements: 8, rowsWritten: 14, idem: true },
  pointsSpend: { trips: { W: 1 }, statements: 12, rowsWritten: 28, idem: true },
  verify: { trips: { R: 1 }, statements: 2, rowsWritten: 0, idem: false },
  voucherIssue: { trips: { R: 2, w: 1 }, statements: 5, rowsWritten: 4, idem: true, auth: true },
  registration: { trips: { R: 1, W: 1 }, statements: 3, rowsWritten: 12, idem: true, auth: true },
  patientUpdate: { trips: { R: 2, W: 1 }, statements: 4, rowsWritten: 3, idem: false, auth: true },
  reversal: { trips: { R: 1, W: 1 }, statements: 8, rowsWritten: 12, idem: true, auth: true },
  // Reads around the writes (each one round trip on the deferred routes, two with authorize()).
  patientLookup: { trips: { R: 2 }, statements: 3, rowsWritten: 0 }, // search or GET at the front desk
  balanceRead: { trips: { R: 1 }, statements: 3, rowsWritten: 0 },
  counterPage: { trips: { R: 1 }, statements: 3, rowsWritten: 0 }, // the partner's activity list
  report: { trips: { R: 2 }, statements: 4, rowsWritten: 0 }, // statements, call lists, exports (pages)
  // A key's last_used_at, refreshed at most once per key per 5 minutes, deferred off the response.
  touchKey: { trips: { w: 1 }, statements: 1, rowsWritten: 1 },
};

/** Assumed D1 time per round trip, in ms, by kind: one scenario per column of the output. */
const SCENARIOS = [
  { name: 'fast', W: 0.5, w: 0.25, R: 0.25 },
  { name: 'typical', W: 1, w: 0.5, R: 0.5 },
  { name: 'slow', W: 2, w: 1, R: 1 },
  { name: 'very slow', W: 5, w: 2, R: 2 },
];

// ---------------------------------------------------------------------------------------------
// Rates
// ---------------------------------------------------------------------------------------------
const cards = NET.clinics * NET.cardsPerClinic;
const perOpenHour = (perYear, places) => perYear / (places * NET.openHoursPerYear);

/** Operations per second across the network, in an average opening hour (factor 1) or the peak. */
function rates(factor) {
  const f = factor;
  const clinicH = (perCardYear) => perOpenHour(perCardYear * cards, NET.clinics) * NET.clinics * f;
  const partnerH = (perCardYear) => perOpenHour(perCardYear * cards, NET.partners) * NET.partners * f;
  const perHour = {
    visit: clinicH(PER_CARD_YEAR.visits),
    voucherIssue: clinicH(PER_CARD_YEAR.vouchersIssued),
    registration: clinicH(PER_CARD_YEAR.newCards),
    patientUpdate: clinicH(PER_CARD_YEAR.patientUpdates),
    voucherRedemption: partnerH(PER_CARD_YEAR.voucherRedemptions),
    pointsSpend: partnerH(PER_CARD_YEAR.spends),
    reversal: partnerH(PER_CARD_YEAR.reversals),
  };
  // Reads that go with them.
  perHour.verify = perHour.voucherRedemption * 1.5; // scanned once or twice before redeeming
  perHour.patientLookup = perHour.visit * 2 + perHour.voucherIssue + perHour.patientUpdate;
  perHour.balanceRead = perHour.pointsSpend + perHour.visit * 0.5;
  perHour.counterPage = (perHour.voucherRedemption + perHour.pointsSpend * 0.5) * 2;
  perHour.report = (NET.clinics + NET.partners) * 0.05 * f; // one statement, list or export page per 20 h each
  // last_used_at: refreshed when the last refresh is 5 minutes old, so a key used r times an hour
  // (Poisson) writes 1 / (5 min + 1/r) times an hour: r * 12 / (r + 12), never more than 12.
  const keyRate = (r) => (r * 12) / (r + 12);
  const clinicOps =
    (perHour.visit * 2 +
      perHour.voucherIssue +
      perHour.registration +
      perHour.patientUpdate +
      perHour.balanceRead) /
    NET.clinics;
  const partnerOps =
    (perHour.voucherRedemption + perHour.verify + perHour.pointsSpend + perHour.counterPage) / NET.partners;
  perHour.touchKey = NET.clinics * keyRate(clinicOps) + NET.partners * keyRate(partnerOps);
  return Object.fromEntries(Object.entries(perHour).map(([k, v]) => [k, v / 3600]));
}

/** Round trips, statements and rows written per second for a set of operation rates. */
function load(perSecond) {
  const out = { ops: 0, writeOps: 0, trips: { W: 0, w: 0, R: 0 }, statements: 0, rowsWritten: 0 };
  for (const [name, lambda] of Object.entries(perSecond)) {
    const op = OPS[name];
    const idem = op.idem ? IDEMPOTENCY_SHARE : 0;
    out.ops += lambda;
    if (op.rowsWritten > 0 && name !== 'touchKey') out.writeOps += lambda;
    for (const [k, n] of Object.entries(op.trips)) out.trips[k] += lambda * n;
    out.trips.w += lambda * idem * 2; // claim (it settles a deferred key), store the answer
    out.statements += lambda * (op.statements + idem * 3);
    out.rowsWritten += lambda * (op.rowsWritten + idem * (3 + 1 + 3)); // claim, answer, purge
  }
  out.roundTrips = out.trips.W + out.trips.w + out.trips.R;
  return out;
}

const busyMs = (l, s) => l.trips.W * s.W + l.trips.w * s.w + l.trips.R * s.R;

// ---------------------------------------------------------------------------------------------
// Poisson seconds: the busiest seconds of the peak hour
// ---------------------------------------------------------------------------------------------
let seed = 20261201;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return (seed + 0.5) / 2 ** 32;
};
function poisson(lambda) {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss()));
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > L);
  return k - 1;
}
function gauss() {
  return Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
}
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** Simulates `hours` peak hours second by second: per-second round trips and busy ms per scenario. */
function simulateSeconds(perSecond, hours = 10) {
  const trips = [];
  const writeOps = [];
  const busy = SCENARIOS.map(() => []);
  for (let s = 0; s < hours * 3600; s++) {
    const counts = Object.fromEntries(Object.entries(perSecond).map(([k, l]) => [k, poisson(l)]));
    const l = load(counts);
    trips.push(l.roundTrips);
    writeOps.push(l.writeOps);
    SCENARIOS.forEach((sc, i) => {
      busy[i].push(busyMs(l, sc));
    });
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const t = sorted(trips);
  const w = sorted(writeOps);
  return {
    trips: { p50: pct(t, 0.5), p99: pct(t, 0.99), p999: pct(t, 0.999), max: t[t.length - 1] },
    writeOps: { p50: pct(w, 0.5), p99: pct(w, 0.99), p999: pct(w, 0.999), max: w[w.length - 1] },
    busy: busy.map((b) => {
      const x = sorted(b);
      return { p99: pct(x, 0.99), p999: pct(x, 0.999), max: x[x.length - 1] };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The hourly cron at :05 (same database, same thread)
// ---------------------------------------------------------------------------------------------
/** Idempotency records past 24 h, deleted in one statement: those of the same hour yesterday. */
function purgeRows(perSecondPeak) {
  let mutating = 0;
  for (const [name, lambda] of Object.entries(perSecondPeak))
    if (OPS[name].idem) mutating += lambda * IDEMPOTENCY_SHARE;
  return mutating * 3600;
}
/** Lots lapsing per day (nearly every lot lapses with points left), against what the cron books. */
const lotsLapsingPerDay = (cards * PER_CARD_YEAR.visits) / 365;
const EXPIRY_CAPACITY_PER_DAY = 2000 * 24; // bookExpiredPoints: maxLots 2,000 per hourly run

// ---------------------------------------------------------------------------------------------
// A synchronised bulk import: every clinic's practice software posts its day's visits at closing
// time, within the same window. Organic traffic spreads; a scheduled sync does not.
// ---------------------------------------------------------------------------------------------
const SYNC = {
  windowSeconds: args.syncWindow ?? 300,
  visitsPerClinicDay: (PER_CARD_YEAR.visits * NET.cardsPerClinic) / (NET.openHoursPerYear / 10),
};
function bulkSync() {
  const visits = NET.clinics * SYNC.visitsPerClinicDay;
  const perSecond = { visit: visits / SYNC.windowSeconds };
  const l = load(perSecond);
  return {
    visits,
    windowSeconds: SYNC.windowSeconds,
    visitsPerSecond: perSecond.visit,
    utilisation: SCENARIOS.map((s) => busyMs(l, s) / 1000),
    // The shortest window that keeps the database under 50% busy, per scenario.
    minWindowFor50: SCENARIOS.map((s) => busyMs(load({ visit: visits }), s) / 1000 / 0.5),
  };
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------
const avg = rates(1);
const peak = rates(NET.peakFactor);
const L = { average: load(avg), peak: load(peak) };
const sim = simulateSeconds(peak);
const fmt = (x, d = 1) =>
  x >= 100
    ? Math.round(x).toLocaleString('en-US')
    : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pctFmt = (x) => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;

const result = {
  network: { ...NET, cards },
  perCardYear: PER_CARD_YEAR,
  perSecond: { average: avg, peak },
  load: L,
  seconds: sim,
  scenarios: SCENARIOS.map((s, i) => {
    const mean = busyMs(L.peak, s) / 1000;
    return {
      ...s,
      utilisationAverage: busyMs(L.average, s) / 1000,
      utilisationPeak: mean,
      busiestSecondP999: sim.busy[i].p999 / 1000,
      busiestSecondMax: sim.busy[i].max / 1000,
      // How many times the peak one database takes before its mean utilisation reaches 50% / 100%.
      headroomTo50: 0.5 / mean,
      headroomTo100: 1 / mean,
      // M/D/1 mean wait in the queue at the peak, in ms (every round trip as the mean trip).
      meanQueueMs: (() => {
        const service = busyMs(L.peak, s) / L.peak.roundTrips;
        return (mean * service) / (2 * (1 - mean));
      })(),
    };
  }),
  bulkSync: bulkSync(),
  cron: {
    purgeRowsAtPeakHour: purgeRows(peak),
    lotsLapsingPerDay,
    expiryCapacityPerDay: EXPIRY_CAPACITY_PER_DAY,
  },
};

if (args.json) {
  console.log(JSON.stringify(result, null, 1));
  process.exit(0);
}

const lines = [];
const p = (s = '') => lines.push(s);
p(
  `Network: ${NET.clinics.toLocaleString('en-US')} clinics, ${NET.partners.toLocaleString('en-US')} partners, ${cards.toLocaleString('en-US')} active cards (${NET.cardsPerClinic.toLocaleString('en-US')} a clinic)`,
);
p(
  `Peak hour = ${NET.peakFactor} x an average opening hour (${NET.openHoursPerYear.toLocaleString('en-US')} opening hours a year); Idempotency-Key on ${pctFmt(IDEMPOTENCY_SHARE)} of mutating calls`,
);
p();
p('Operations per second across the network');
p();
p('| operation | average hour | peak hour | per clinic or partner, peak hour |');
p('|---|---:|---:|---:|');
const perPlace = {
  visit: 'clinic',
  voucherIssue: 'clinic',
  registration: 'clinic',
  patientUpdate: 'clinic',
  patientLookup: 'clinic',
  balanceRead: 'clinic',
  voucherRedemption: 'partner',
  verify: 'partner',
  counterPage: 'partner',
  reversal: 'partner',
};
for (const k of Object.keys(peak)) {
  const place = perPlace[k];
  const per = place
    ? `${fmt((peak[k] * 3600) / (place === 'clinic' ? NET.clinics : NET.partners), 2)} / ${place} / h`
    : '';
  p(`| ${k} | ${fmt(avg[k], 2)} | ${fmt(peak[k], 2)} | ${per} |`);
}
p();
p('What that costs the database');
p();
p('| per second | average hour | peak hour (mean) | peak hour, busiest second of 10 h (p99.9 / max) |');
p('|---|---:|---:|---:|');
p(
  `| write operations | ${fmt(L.average.writeOps)} | ${fmt(L.peak.writeOps)} | ${sim.writeOps.p999} / ${sim.writeOps.max} |`,
);
p(
  `| round trips | ${fmt(L.average.roundTrips)} | ${fmt(L.peak.roundTrips)} | ${sim.trips.p999} / ${sim.trips.max} |`,
);
p(`| of which write batches (W) | ${fmt(L.average.trips.W)} | ${fmt(L.peak.trips.W)} | |`);
p(`| of which one-row writes (w) | ${fmt(L.average.trips.w)} | ${fmt(L.peak.trips.w)} | |`);
p(`| of which reads (R) | ${fmt(L.average.trips.R)} | ${fmt(L.peak.trips.R)} | |`);
p(`| statements | ${fmt(L.average.statements)} | ${fmt(L.peak.statements)} | |`);
p(`| rows written | ${fmt(L.average.rowsWritten)} | ${fmt(L.peak.rowsWritten)} | |`);
p();
p("Utilisation of the database's one thread (busy time / wall time), by assumed time per round trip");
p();
p(
  '| scenario (ms per W / w / R) | average hour | peak hour | busiest second (p99.9 / max) | mean queue wait at peak | peak x before 50% / 100% |',
);
p('|---|---:|---:|---:|---:|---:|');
for (const s of result.scenarios)
  p(
    `| ${s.name} (${s.W} / ${s.w} / ${s.R}) | ${pctFmt(s.utilisationAverage)} | ${pctFmt(s.utilisationPeak)} | ${pctFmt(s.busiestSecondP999)} / ${pctFmt(s.busiestSecondMax)} | ${s.meanQueueMs.toFixed(3)} ms | ${fmt(s.headroomTo50, 0)} / ${fmt(s.headroomTo100, 0)} |`,
  );
p();
const b = result.bulkSync;
p(
  `A synchronised bulk import: all ${NET.clinics.toLocaleString('en-US')} clinics post their day's ${fmt(SYNC.visitsPerClinicDay, 0)} visits each (${fmt(b.visits, 0)} in all) within ${b.windowSeconds} s`,
);
p();
p('| scenario | visits / s | utilisation during the window | shortest window under 50% |');
p('|---|---:|---:|---:|');
for (const [i, s] of SCENARIOS.entries())
  p(
    `| ${s.name} | ${fmt(b.visitsPerSecond)} | ${pctFmt(b.utilisation[i])} | ${fmt(b.minWindowFor50[i], 0)} s |`,
  );
p();
p('The hourly cron (at :05, on the same database)');
p();
p(
  `- Idempotency purge at the peak hour: one DELETE of ~${fmt(result.cron.purgeRowsAtPeakHour, 0)} rows (yesterday's same hour).`,
);
p(
  `- Point expiry: ~${fmt(lotsLapsingPerDay, 0)} lots lapse a day; the cron books at most ${EXPIRY_CAPACITY_PER_DAY.toLocaleString('en-US')} a day (2,000 an hour), ${fmt(EXPIRY_CAPACITY_PER_DAY / lotsLapsingPerDay, 1)}x the need.`,
);
console.log(lines.join('\n'));
