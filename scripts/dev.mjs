// `pnpm dev`: the whole platform on this machine. Creates .dev.vars if missing (random operator
// token, fresh voucher signing key), applies the migrations to the local D1, starts `wrangler dev`,
// seeds the demo network through the API, and prints where to go and the demo keys.
//
// Ctrl-C (SIGINT), SIGTERM or SIGHUP at any step (migrations, start-up, seeding, serving) stops
// wrangler with everything it started (workerd, esbuild: they run in their own process group), waits
// for them to exit (SIGKILL after a few seconds) and exits 0. A second Ctrl-C kills them at once.
//
// Environment: PORT (default 8787); GRATIA_STATE_DIR, a directory to keep the local D1, the .dev.vars
// and the demo keys in instead of the repository's .wrangler/state, .dev.vars and
// .wrangler/demo-keys.json (for a throwaway platform, as the tests use).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEV_VARS, ensureDevVars, readDevVars } from './lib/dev-vars.mjs';
import {
  ROOT,
  spawnMigrations,
  spawnWrangler,
  stopProcessGroup,
  waitForHealth,
} from './lib/local-server.mjs';
import { seedDemoNetwork } from './lib/seed.mjs';

const port = Number(process.env.PORT ?? 8787);
const baseUrl = `http://localhost:${port}`;
const stateDir = process.env.GRATIA_STATE_DIR ? path.resolve(process.env.GRATIA_STATE_DIR) : undefined;
const devVarsFile = stateDir ? path.join(stateDir, '.dev.vars') : DEV_VARS;
const keysFile = path.join(stateDir ?? path.join(ROOT, '.wrangler'), 'demo-keys.json');

/** The wrangler process group running now: the migrations, then `wrangler dev`. */
let child = null;
let stopping = false;
let stoppingSince = 0;

async function stop(signal, exitCode = 0) {
  if (stopping) {
    // Asked again while stopping: do not wait any longer. (A signal within the first second is the
    // same Ctrl-C passed on by a script runner, such as pnpm, that got it too.)
    if (Date.now() - stoppingSince < 1000) return;
    if (child) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    process.exit(exitCode);
  }
  stopping = true;
  stoppingSince = Date.now();
  if (child) await stopProcessGroup(child, signal);
  process.exit(exitCode);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGTERM'));
// Should this script die some other way, do not leave wrangler and workerd running.
process.on('exit', () => {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
});

/** Fails the start-up: prints why (never when the user asked to stop) and stops wrangler. */
async function fail(message) {
  if (stopping) return;
  console.error(`pnpm dev: ${message}`);
  await stop('SIGTERM', 1);
}

async function main() {
  if (stateDir) mkdirSync(stateDir, { recursive: true });
  const devVarsName = stateDir ? devVarsFile : '.dev.vars';
  const vars = ensureDevVars(devVarsFile);
  if (vars.created)
    console.log(`Created ${devVarsName} with a random OPERATOR_TOKEN and a local voucher signing key.`);
  else if (vars.filled.length) console.log(`Filled ${vars.filled.join(', ')} in ${devVarsName}.`);
  const { OPERATOR_TOKEN } = readDevVars(devVarsFile);

  console.log('Applying migrations to the local D1...');
  const migrations = spawnMigrations(stateDir);
  child = migrations.child;
  const migrated = await migrations.done;
  if (stopping) return;
  if (migrated.code !== 0) return fail(`migrations failed:\n${migrated.output}`);

  const stateArgs = stateDir ? ['--persist-to', stateDir, '--env-file', devVarsFile] : [];
  const wrangler = spawnWrangler([
    'dev',
    '--port',
    String(port),
    '--show-interactive-dev-session=false',
    ...stateArgs,
    '--var',
    `PUBLIC_BASE_URL:${baseUrl}`,
  ]);
  child = wrangler;
  const exited = new Promise((resolve) => wrangler.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(async ({ code, signal }) => {
    if (stopping) return;
    // wrangler has said why; leave nothing of it behind and pass its status on.
    stopping = true;
    await stopProcessGroup(wrangler, 'SIGTERM');
    process.exit(code || (signal ? 1 : 0));
  });

  await Promise.race([waitForHealth(baseUrl, 120_000), exited.then(() => new Promise(() => {}))]);
  if (stopping) return;
  const { organizations, created } = await seedDemoNetwork({
    baseUrl,
    operatorToken: OPERATOR_TOKEN,
    keysFile,
    log: console.log,
  });
  if (stopping) return;
  const clinic = organizations.find((o) => o.kind === 'clinic');
  const partner = organizations.find((o) => o.kind === 'partner');
  // Fresh one-time links every start (each works once, for 72 hours): the demo clinic's owner signs in
  // to the console with them, the demo partner's staff to the counter page.
  const invite = async (org, name) => {
    const res = await fetch(`${baseUrl}/v1/organizations/${org.id}/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'owner', name }),
    });
    if (res.status !== 201) throw new Error(`inviting ${name} answered ${res.status}: ${await res.text()}`);
    return (await res.json()).url;
  };
  const clinicInvite = await invite(clinic, 'Clara Weiss');
  const partnerInvite = await invite(partner, 'Marta Lange');
  const lines = [
    '',
    '━━ Gratia is running ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    `  Clinic console ${baseUrl}/console`,
    `    Open this invitation link to create your passkey as the owner of ${clinic.name}:`,
    `    ${clinicInvite}`,
    `  Counter page   ${baseUrl}/partner`,
    `    Open this one (another browser profile) as the staff of ${partner.name}:`,
    `    ${partnerInvite}`,
    '    (Each link works once, for 72 hours; every `pnpm dev` prints new ones. Afterwards, sign in with the passkey.)',
    '',
    `  Start here    ${baseUrl}/  (links to everything below)`,
    `  API           ${baseUrl}/v1`,
    `  API reference ${baseUrl}/docs`,
    `  OpenAPI       ${baseUrl}/openapi.json`,
    `  JWKS          ${baseUrl}/.well-known/jwks.json`,
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
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    '',
  ];
  console.log(lines.join('\n'));
}

// A request of the seed that fails because Ctrl-C stopped the server is no error.
main().catch((e) => fail(e.message));
