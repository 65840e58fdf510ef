// `pnpm bench`: for each network size (BENCH_SIZES, default "1,100": the seeded size and one 100 times
// larger), starts the Worker under `wrangler dev` on a fresh local D1, builds the network straight into
// its SQLite file (bench/build-network.mjs), and measures each hot request against GET /health on the
// same stack: throughput, p50/p99, CPU ms, D1 round trips and rows. Then prints how each figure grows
// from one size to the next. Prints figures; never fails on a number. The scenario modules in
// scripts/bench/scenarios/ (their own data, through the API) run on the first size.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildNetwork, d1SqlitePath } from './bench/build-network.mjs';
import { measure, printGrowth, printTable } from './bench/harness.mjs';
import { hotPaths } from './bench/hot-paths.mjs';
import { ROOT, startLocalServer } from './lib/local-server.mjs';

const OPERATOR_TOKEN = `bench-${crypto.randomUUID()}`;
// The page cookies' signing secret (the bench signs the cookies of the sessions it builds).
const SESSION_SECRET = `bench-session-${crypto.randomUUID()}`;
const durationMs = Number(process.env.BENCH_MS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);

const SIZES = (process.env.BENCH_SIZES ?? '1,100').split(',').map(Number);
const vars = { OPERATOR_TOKEN, SESSION_SECRET, EXPOSE_D1_METRICS: '1' };
const keys = await import(pathToFileURL(path.join(ROOT, 'scripts/lib/voucher-keys.mjs')).href);
vars.VOUCHER_SIGNING_KEYS = JSON.stringify([await keys.generateSigningKey('bench-1')]);

async function call(base, method, p, token, body, headers = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  if (res.status >= 400) throw new Error(`${method} ${p} -> ${res.status} ${text}`);
  return json;
}

function context(server) {
  const base = server.baseUrl;
  const ctx = {
    base,
    server,
    OPERATOR_TOKEN,
    SESSION_SECRET,
    call: (...a) => call(base, ...a),
    durationMs,
    concurrency,
    async org(kind, extra = {}) {
      const o = await ctx.call('POST', '/v1/organizations', OPERATOR_TOKEN, {
        kind,
        name: `Bench ${kind} ${crypto.randomUUID().slice(0, 6)}`,
        currency: 'EUR',
        timezone: 'Europe/Berlin',
        ...(kind === 'partner' ? { category: 'massage' } : {}),
        ...extra,
      });
      const k = await ctx.call('POST', `/v1/organizations/${o.id}/api_keys`, OPERATOR_TOKEN, {
        name: 'bench',
      });
      // One request so the key's last_used_at refresh (once per 5 minutes) is not in the measurements.
      await fetch(`${base}/v1/patients`, { headers: { authorization: `Bearer ${k.secret}` } });
      return { ...o, key: k.secret };
    },
    req: (method, p, token, body) => ({
      url: `${base}${p}`,
      init: {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      },
    }),
    measure: (opts) => measure({ durationMs, concurrency, serverPid: server.pid, ...opts }),
  };
  return ctx;
}

const health = (ctx) =>
  ctx.measure({
    name: 'GET /health',
    makeRequest: () => ({ url: `${ctx.base}/health`, init: {} }),
    expectStatus: [200],
  });

const bySize = new Map();
for (const factor of SIZES) {
  const persistTo = mkdtempSync(path.join(tmpdir(), 'gratia-bench-'));
  try {
    // Organisations and keys through the API; the network itself straight into the D1 file.
    let server = await startLocalServer({ persistTo, vars });
    let ctx = context(server);
    const clinic = await ctx.org('clinic');
    const partner = await ctx.org('partner');
    await server.stop();
    const built = await buildNetwork({
      sqlitePath: d1SqlitePath(persistTo),
      factor,
      clinics: [clinic.id],
      partners: [partner.id],
      kid: 'bench-1',
    });
    const c = built.counts;
    console.log(
      `gratia bench, network ${factor}x: ${c.patients?.toLocaleString('en')} patients, ${c.vouchers?.toLocaleString('en')} vouchers, ${c.point_entries?.toLocaleString('en')} ledger entries, built in ${(built.ms / 1000).toFixed(1)} s (${(built.bytes / 1e6).toFixed(0)} MB)`,
    );
    server = await startLocalServer({ port: server.port, persistTo, vars });
    ctx = context(server);
    console.log(
      `wrangler dev at ${ctx.base}, ${concurrency} concurrent clients, ${durationMs} ms per scenario`,
    );
    const results = [await health(ctx), ...(await hotPaths(ctx, { clinic, partner, built }))];
    // The scenario files (each builds its own data through the API) run once, on the first size.
    if (factor === SIZES[0] && process.env.BENCH_SCENARIOS !== '0') {
      const dir = path.join(ROOT, 'scripts/bench/scenarios');
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith('.mjs') && (!process.env.BENCH_ONLY || f.includes(process.env.BENCH_ONLY)))
        .sort()) {
        const mod = await import(pathToFileURL(path.join(dir, file)).href);
        for (const r of await mod.run(ctx)) results.push(r);
      }
    }
    printTable(results);
    bySize.set(factor, results);
    await server.stop();
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}
if (bySize.size > 1) printGrowth(bySize);
