// `pnpm dev`: the whole platform on this machine. Creates .dev.vars if missing (random operator
// token, fresh voucher signing key), applies the migrations to the local D1, starts `wrangler dev`,
// seeds the demo network through the API, and prints where to go and the demo keys.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureDevVars, readDevVars } from './lib/dev-vars.mjs';
import { applyMigrations, ROOT, waitForHealth } from './lib/local-server.mjs';
import { seedDemoNetwork } from './lib/seed.mjs';

const port = Number(process.env.PORT ?? 8787);
const baseUrl = `http://localhost:${port}`;
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

const vars = ensureDevVars();
if (vars.created)
  console.log('Created .dev.vars with a random OPERATOR_TOKEN and a local voucher signing key.');
else if (vars.filled.length) console.log(`Filled ${vars.filled.join(', ')} in .dev.vars.`);
const { OPERATOR_TOKEN } = readDevVars();

console.log('Applying migrations to the local D1...');
applyMigrations();

const wrangler = spawn(
  path.join(ROOT, 'node_modules', '.bin', 'wrangler'),
  [
    'dev',
    '--port',
    String(port),
    '--show-interactive-dev-session=false',
    '--var',
    `PUBLIC_BASE_URL:${baseUrl}`,
  ],
  { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
);
const stop = (code = 0) => {
  if (wrangler.exitCode === null) wrangler.kill('SIGTERM');
  process.exitCode = code;
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
wrangler.on('exit', (code) => process.exit(code ?? 0));

try {
  await waitForHealth(baseUrl, 120_000);
  const { organizations, created } = await seedDemoNetwork({
    baseUrl,
    operatorToken: OPERATOR_TOKEN,
    keysFile: path.join(ROOT, '.wrangler', 'demo-keys.json'),
    log: console.log,
  });
  const clinic = organizations.find((o) => o.kind === 'clinic');
  const lines = [
    '',
    '━━ Gratia is running ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    `  API           ${baseUrl}`,
    `  API reference ${baseUrl}/docs`,
    `  OpenAPI       ${baseUrl}/openapi.json`,
    `  JWKS          ${baseUrl}/.well-known/jwks.json`,
    `  Partner page  ${baseUrl}/partner`,
    '',
    `  Operator token   ${OPERATOR_TOKEN}`,
    ...organizations.map((o) => `  ${o.kind.padEnd(7)} ${o.name.padEnd(28)} ${o.key}`),
    '',
    `  Seeded now: ${Object.entries(created)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')} (seeding is idempotent)`,
    '',
    '  Try:',
    `  curl -H "Authorization: Bearer ${clinic.key}" ${baseUrl}/v1/patients`,
    `  curl -H "Authorization: Bearer ${clinic.key}" "${baseUrl}/v1/points/expiring?within_days=30"`,
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    '',
  ];
  console.log(lines.join('\n'));
} catch (e) {
  console.error(`pnpm dev: ${e.message}`);
  stop(1);
}
