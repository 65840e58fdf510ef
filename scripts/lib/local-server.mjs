// Starts the API Worker under `wrangler dev` on a local D1 with the migrations applied, for the
// benchmarks and the Node-side end-to-end tests, and the wrangler helpers `pnpm dev` uses. Everything
// stays on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Wrangler runs on the repository's pinned Node, started directly rather than through the
// node_modules/.bin shell shims: a shim is a shell that neither forwards SIGINT/SIGTERM to wrangler
// nor waits for it once signalled, so wrangler could not be stopped cleanly through it.
const NODE = [path.join(ROOT, 'node_modules', 'node', 'bin', 'node')].find(existsSync) ?? process.execPath;
const WRANGLER_JS = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/**
 * The environment of every wrangler we start, so that it stays off the network: no telemetry, and no
 * download of Cloudflare's sample `request.cf` object (https://workers.cloudflare.com/cf.json), which
 * miniflare does on each (re)start and which, offline, prints a warning with a stack trace. Wrangler
 * then uses its built-in placeholder; the Worker does not read `request.cf`. Set
 * CLOUDFLARE_CF_FETCH_ENABLED=true to have the real one again.
 */
const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
};
const ENV = { ...WRANGLER_ENV, CI: process.env.CI ?? 'true', NO_COLOR: '1' };

/** A one-off wrangler command (e.g. `d1 execute`) on the pinned Node, in the quiet environment. */
export function runWrangler(args) {
  const r = spawnSync(NODE, [WRANGLER_JS, ...args], {
    cwd: ROOT,
    env: ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0)
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** The arguments of `wrangler d1 migrations apply DB --local`, into `persistTo` if given. */
export function migrationArgs(persistTo) {
  return ['d1', 'migrations', 'apply', 'DB', '--local', ...(persistTo ? ['--persist-to', persistTo] : [])];
}

/** `wrangler d1 migrations apply DB --local` into `persistTo`; throws with wrangler's output on failure. */
export function applyMigrations(persistTo) {
  const r = spawnSync(NODE, [WRANGLER_JS, ...migrationArgs(persistTo)], {
    cwd: ROOT,
    env: ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`migrations failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Starts wrangler with `args` in its own process group (with everything it starts: workerd, esbuild),
 * so that stopProcessGroup can stop all of it. A Ctrl-C in the terminal then reaches only the script
 * that started it, which stops wrangler, and wrangler its helpers, in order: were esbuild to get the
 * SIGINT too, a wrangler still starting up would report "The service was stopped: write EPIPE".
 */
export function spawnWrangler(args, { env = WRANGLER_ENV, stdio = ['ignore', 'inherit', 'inherit'] } = {}) {
  return spawn(NODE, [WRANGLER_JS, ...args], { cwd: ROOT, env, stdio, detached: true });
}

/**
 * `wrangler d1 migrations apply` like applyMigrations, but interruptible (see spawnWrangler).
 * Returns { child, done }; `done` resolves to { code, signal, output } when it has exited.
 */
export function spawnMigrations(persistTo) {
  const child = spawnWrangler(migrationArgs(persistTo), { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const done = new Promise((resolve) => {
    child.on('error', (e) => resolve({ code: null, signal: null, output: `${output}${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
  return { child, done };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a child started by spawnWrangler and everything it started: sends `signal` to wrangler (which
 * then stops workerd and esbuild itself), sends SIGTERM to what is left of its process group a second
 * after wrangler has exited, and SIGKILLs the group if it is not empty after `graceMs`. Resolves once
 * the group is empty (or killed).
 */
export async function stopProcessGroup(child, signal = 'SIGTERM', graceMs = 5000) {
  if (!child.pid) return; // it never started
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const signalGroup = (sig) => {
    try {
      process.kill(-child.pid, sig);
      return true;
    } catch {
      return false; // ESRCH: every process of the group has exited (or no process groups: Windows)
    }
  };
  if (!exited()) child.kill(signal);
  else if (!signalGroup(signal)) return;
  const deadline = Date.now() + graceMs;
  let leftoversAt = null;
  while (Date.now() < deadline) {
    await sleep(100);
    if (!exited()) continue;
    if (!signalGroup(0)) return;
    leftoversAt ??= Date.now() + 1000;
    if (Date.now() >= leftoversAt) {
      signalGroup('SIGTERM');
      leftoversAt = Number.POSITIVE_INFINITY;
    }
  }
  signalGroup('SIGKILL');
  await Promise.race([exited() ? null : once(child, 'exit'), sleep(500)]);
}

export async function waitForHealth(baseUrl, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not become healthy at ${baseUrl}: ${last}`);
}

/**
 * Starts `wrangler dev`; resolves when /health answers. `vars` are passed with --var (secrets for
 * tests and benchmarks); `persistTo` is the local D1 directory (migrations are applied to it first).
 * Returns { baseUrl, port, stop(), output() }.
 */
export async function startLocalServer({
  port,
  persistTo,
  vars = {},
  inheritOutput = false,
  extraArgs = [],
} = {}) {
  const p = port ?? (await freePort());
  applyMigrations(persistTo);
  const args = [
    'dev',
    '--port',
    String(p),
    '--ip',
    '127.0.0.1',
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
    // Its own inspector port: two local servers at once (the e2e suite's and a test's own) must not collide.
    '--inspector-port',
    String(await freePort()),
  ];
  if (persistTo) args.push('--persist-to', persistTo);
  args.push(...extraArgs);
  // The server's own origin is the vouchers' issuer unless told otherwise (and overrides .dev.vars).
  // localhost, not 127.0.0.1: passkeys (WebAuthn) need a domain for their relying party.
  const baseUrl = `http://localhost:${p}`;
  for (const [k, v] of Object.entries({ PUBLIC_BASE_URL: baseUrl, ...vars })) args.push('--var', `${k}:${v}`);
  const child = spawnWrangler(args, {
    env: ENV,
    stdio: inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`wrangler dev exited early (${code}):\n${log}`);
  });
  exited.catch(() => {});
  try {
    await Promise.race([waitForHealth(baseUrl), exited]);
  } catch (e) {
    await stopProcessGroup(child, 'SIGTERM');
    throw e;
  }
  return {
    baseUrl,
    port: p,
    /** wrangler's pid, also its process group (workerd runs inside it). */
    pid: child.pid,
    persistTo,
    output: () => log,
    stop: () => stopProcessGroup(child, 'SIGTERM'),
  };
}
