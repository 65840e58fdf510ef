// `pnpm bench`: starts the Worker under `wrangler dev` on a fresh local D1, builds a small network
// through the public API, and measures each hot request against GET /health on the same stack.
// Prints figures; never fails on a number. Every scenario module in scripts/bench/scenarios/ adds rows.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measure, printTable } from './bench/harness.mjs';
import { ROOT, startLocalServer } from './lib/local-server.mjs';

const OPERATOR_TOKEN = `bench-${crypto.randomUUID()}`;
const durationMs = Number(process.env.BENCH_MS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);

const persistTo = mkdtempSync(path.join(tmpdir(), 'gratia-bench-'));
const vars = { OPERATOR_TOKEN, EXPOSE_D1_METRICS: '1' };
try {
  const keys = await import(pathToFileURL(path.join(ROOT, 'scripts/lib/voucher-keys.mjs')).href);
  vars.VOUCHER_SIGNING_KEYS = JSON.stringify([await keys.generateSigningKey('bench-1')]);
} catch {
  // vouchers not present in this build
}
const server = await startLocalServer({ persistTo, vars });
const base = server.baseUrl;

async function call(method, p, token, body, headers = {}) {
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

const ctx = {
  base,
  server,
  OPERATOR_TOKEN,
  call,
  durationMs,
  concurrency,
  async org(kind, extra = {}) {
    const o = await call('POST', '/v1/organizations', OPERATOR_TOKEN, {
      kind,
      name: `Bench ${kind} ${crypto.randomUUID().slice(0, 6)}`,
      currency: 'EUR',
      timezone: 'Europe/Berlin',
      ...(kind === 'partner' ? { category: 'massage' } : {}),
      ...extra,
    });
    const k = await call('POST', `/v1/organizations/${o.id}/api_keys`, OPERATOR_TOKEN, { name: 'bench' });
    // One request so the key's last_used_at refresh (once per 5 minutes) is not in the measurements.
    await fetch(`${base}/v1/patients`, { headers: { authorization: `Bearer ${k.secret}` } });
    return { ...o, key: k.secret };
  },
  req: (method, p, token, body) => ({
    url: `${base}${p}`,
    init: {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    },
  }),
  measure: (opts) => measure({ durationMs, concurrency, ...opts }),
};

const results = [];
try {
  console.log(
    `gratia bench: wrangler dev at ${base}, ${concurrency} concurrent clients, ${durationMs} ms per scenario`,
  );
  results.push(
    await ctx.measure({
      name: 'GET /health',
      makeRequest: () => ({ url: `${base}/health`, init: {} }),
      expectStatus: [200],
    }),
  );
  const dir = path.join(ROOT, 'scripts/bench/scenarios');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.mjs') && (!process.env.BENCH_ONLY || f.includes(process.env.BENCH_ONLY)))
    .sort()) {
    const mod = await import(pathToFileURL(path.join(dir, file)).href);
    for (const r of await mod.run(ctx)) results.push(r);
  }
  printTable(results);
} finally {
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
