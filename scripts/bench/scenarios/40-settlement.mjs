// Settlement: a month of 100,000 lines as CSV (wall time, the Worker process's CPU and peak memory
// while it streams), and the settlement statement of that month (read from the running totals, so
// its cost does not grow with the lines). The lines go straight into the local D1 with one SQL
// statement; building them through the API would take an hour.
import { runWrangler } from '../../lib/local-server.mjs';
import { cpuMs, rssMb, workerdPids } from '../harness.mjs';

const LINES = Number(process.env.BENCH_CSV_LINES ?? 100_000);
const PERIOD = '2030-01';

function insertLines(ctx, clinic, partner) {
  const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${LINES})
INSERT INTO settlement_lines SELECT printf('stl_BENCH%021d', i), '${PERIOD}', 'voucher', 'redemption',
  printf('red_BENCH%021d', i), printf('red_BENCH%021d', i), '${clinic.id}', '${partner.id}', printf('vch_BENCH%021d', i),
  NULL, 'Bench massage, "60 min"', NULL, 'EUR', 5000, 250, 125, 4875, 1, '', 1893456000000 + i * 1000 FROM n;
INSERT INTO settlement_totals VALUES ('${PERIOD}', '${clinic.id}', '${partner.id}', 'EUR', ${LINES}, 0,
  ${LINES * 5000}, ${LINES * 125}, ${LINES * 4875}, NULL);`;
  runWrangler(['d1', 'execute', 'DB', '--local', '--persist-to', ctx.server.persistTo, '--command', sql]);
}

export async function run(ctx) {
  const clinic = await ctx.org('clinic');
  const partner = await ctx.org('partner');
  const built = Date.now();
  insertLines(ctx, clinic, partner);
  console.log(
    `settlement: put ${LINES.toLocaleString('en')} lines into ${PERIOD} in ${((Date.now() - built) / 1000).toFixed(1)} s`,
  );

  const pids = workerdPids(ctx.server.pid);
  const cpuBefore = pids.reduce((s, p) => s + cpuMs(p), 0);
  const rssBefore = pids.reduce((s, p) => s + rssMb(p), 0);
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(
      peak,
      pids.reduce((s, p) => s + rssMb(p), 0),
    );
  }, 20);
  const started = performance.now();
  const res = await fetch(`${ctx.base}/v1/settlements/${PERIOD}/lines.csv`, {
    headers: { authorization: `Bearer ${partner.key}` },
  });
  let bytes = 0;
  let rows = -1;
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    bytes += chunk.length;
    rows += (decoder.decode(chunk, { stream: true }).match(/\r\n/g) ?? []).length;
  }
  const wall = performance.now() - started;
  clearInterval(sampler);
  const cpu = pids.reduce((s, p) => s + cpuMs(p), 0) - cpuBefore;

  // The month's statement, from the running totals: the same cost at 100,000 lines as at one.
  const statement = await ctx.measure({
    name: `GET /v1/settlements?period=${PERIOD} (${LINES.toLocaleString('en')} lines)`,
    makeRequest: () => ctx.req('GET', `/v1/settlements?period=${PERIOD}`, partner.key),
    expectStatus: [200],
  });
  console.table([
    {
      request: `GET /v1/settlements/${PERIOD}/lines.csv`,
      status: res.status,
      rows,
      'size MB': (bytes / 1024 / 1024).toFixed(1),
      'wall s': (wall / 1000).toFixed(2),
      'workerd CPU ms': Math.round(cpu),
      'workerd RSS MB before / peak': `${Math.round(rssBefore)} / ${Math.round(peak)}`,
    },
  ]);
  return [statement];
}
