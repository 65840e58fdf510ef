// Load generation and measurement for `pnpm bench`. Figures, never pass/fail: throughput relative to
// GET /health on the same stack in the same run, and the D1 cost of each request as the Worker itself
// reports it (Server-Timing with EXPOSE_D1_METRICS=1: round trips, statements, rows read/written).

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
}) {
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
    'p95 ms': r.p95.toFixed(1),
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
