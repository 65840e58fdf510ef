// Load generation and measurement for `pnpm bench`. Figures, never pass/fail: throughput relative to
// GET /health on the same stack in the same run, latency p50/p99, the CPU the workerd process spent
// per request (from /proc: it includes local D1's SQLite work, so it over-states the Worker's own
// share; the difference to GET /health is what the route adds), and the D1 cost of each request as
// the Worker itself reports it (Server-Timing with EXPOSE_D1_METRICS=1: round trips, statements, rows
// read/written).
import { readdirSync, readFileSync } from 'node:fs';

/** The workerd processes of the local server (in wrangler's process group). */
export function workerdPids(pgid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && stat.includes('(workerd)')) out.push(Number(name));
    } catch {}
  }
  return out;
}

const TICK_MS = 1000 / 100; // USER_HZ
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
  } catch {
    return 0;
  }
}
export const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const D1 = /round_trips=(\d+) statements=(\d+) rows_read=(\d+) rows_written=(\d+)/;

export function parseD1(header) {
  const m = D1.exec(header ?? '');
  return m ? { roundTrips: +m[1], statements: +m[2], rowsRead: +m[3], rowsWritten: +m[4] } : null;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * Runs `makeRequest(i)` (returns { url, init }) with `concurrency` workers for `durationMs` (bounded by
 * `maxRequests`), and summarises statuses, latency, throughput and the D1 cost per request.
 */
export async function measure({
  name,
  makeRequest,
  concurrency = 8,
  durationMs = 3000,
  maxRequests = 5000,
  probes = 5,
  expectStatus,
  serverPid,
}) {
  const pids = serverPid ? workerdPids(serverPid) : [];
  const cpuBefore = pids.reduce((t, p) => t + cpuMs(p), 0);
  const latencies = [];
  const statuses = new Map();
  const d1 = { roundTrips: [], statements: [], rowsRead: [], rowsWritten: [] };
  let issued = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  async function worker() {
    while (performance.now() < deadline && issued < maxRequests) {
      const i = issued++;
      const { url, init } = await makeRequest(i);
      const t = performance.now();
      const res = await fetch(url, init);
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = pids.length ? (pids.reduce((t, p) => t + cpuMs(p), 0) - cpuBefore) / latencies.length : null;
  // Then a few probes, one at a time, that ask the Worker for their D1 cost (metering runs a SELECT's
  // meta query twice, so it stays out of the throughput run).
  for (let p = 0; p < probes; p++) {
    const { url, init } = await makeRequest(issued++);
    const res = await fetch(url, { ...init, headers: { ...(init.headers ?? {}), 'x-debug-d1': '1' } });
    await res.arrayBuffer();
    const cost = parseD1(res.headers.get('server-timing'));
    if (cost) for (const k of Object.keys(d1)) d1[k].push(cost[k]);
  }
  latencies.sort((a, b) => a - b);
  const med = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : null;
  };
  const max = (xs) => (xs.length ? Math.max(...xs) : null);
  const unexpected = expectStatus ? [...statuses].filter(([s]) => !expectStatus.includes(s)) : [];
  return {
    name,
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    cpuMs: cpu,
    statuses: Object.fromEntries(statuses),
    unexpected,
    d1: {
      roundTrips: { median: med(d1.roundTrips), max: max(d1.roundTrips) },
      statements: { median: med(d1.statements), max: max(d1.statements) },
      rowsRead: { median: med(d1.rowsRead), max: max(d1.rowsRead) },
      rowsWritten: { median: med(d1.rowsWritten), max: max(d1.rowsWritten) },
    },
  };
}

export function printTable(results, baselineName = 'GET /health') {
  const base = results.find((r) => r.name === baselineName)?.rps ?? null;
  const rows = results.map((r) => ({
    scenario: r.name,
    requests: r.requests,
    'req/s': r.rps.toFixed(0),
    'vs /health': base ? `${((r.rps / base) * 100).toFixed(0)}%` : '',
    'p50 ms': r.p50.toFixed(1),
    'p99 ms': r.p99.toFixed(1),
    'CPU ms': r.cpuMs === null || r.cpuMs === undefined ? '-' : r.cpuMs.toFixed(2),
    'D1 trips':
      r.d1.roundTrips.median === null ? '-' : `${r.d1.roundTrips.median} (max ${r.d1.roundTrips.max})`,
    'rows read': r.d1.rowsRead.median === null ? '-' : `${r.d1.rowsRead.median} (max ${r.d1.rowsRead.max})`,
    'rows written':
      r.d1.rowsWritten.median === null ? '-' : `${r.d1.rowsWritten.median} (max ${r.d1.rowsWritten.max})`,
    statuses: JSON.stringify(r.statuses),
  }));
  console.table(rows);
  for (const r of results)
    if (r.unexpected.length)
      console.log(`note: ${r.name} had unexpected statuses ${JSON.stringify(r.unexpected)}`);
}

/** How each hot path's figures grow from one network size to the next. */
export function printGrowth(bySize) {
  const sizes = [...bySize.keys()];
  const names = [...new Set(bySize.get(sizes[0]).map((r) => r.name))];
  const rows = [];
  for (const name of names) {
    const at = sizes.map((s) => bySize.get(s).find((r) => r.name === name));
    if (at.some((r) => !r)) continue;
    const base = sizes.map((s) => bySize.get(s).find((r) => r.name === 'GET /health')?.rps ?? null);
    const fmt = (f) => at.map(f).join(' / ');
    rows.push({
      scenario: name,
      'D1 trips': fmt((r) => r.d1.roundTrips.median ?? '-'),
      'rows read': fmt((r) => r.d1.rowsRead.median ?? '-'),
      'rows written': fmt((r) => r.d1.rowsWritten.median ?? '-'),
      'CPU ms': fmt((r) => (r.cpuMs == null ? '-' : r.cpuMs.toFixed(2))),
      'p50 ms': fmt((r) => r.p50.toFixed(1)),
      'p99 ms': fmt((r) => r.p99.toFixed(1)),
      'vs /health': at.map((r, i) => (base[i] ? `${((r.rps / base[i]) * 100).toFixed(0)}%` : '')).join(' / '),
    });
  }
  console.log(`\nHow each figure grows, network ${sizes.map((s) => `${s}x`).join(' / ')}:`);
  console.table(rows);
}
