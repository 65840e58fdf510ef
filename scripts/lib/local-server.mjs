// Starts the API Worker under `wrangler dev` on a local D1 with the migrations applied, for the
// benchmarks and the Node-side end-to-end tests. Everything stays on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRANGLER = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
const ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? 'true', NO_COLOR: '1' };

export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** `wrangler d1 migrations apply DB --local` into `persistTo`; throws with wrangler's output on failure. */
export function applyMigrations(persistTo) {
  const args = [
    'd1',
    'migrations',
    'apply',
    'DB',
    '--local',
    ...(persistTo ? ['--persist-to', persistTo] : []),
  ];
  const r = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    env: ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`migrations failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
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
export async function startLocalServer({ port, persistTo, vars = {}, inheritOutput = false } = {}) {
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
  ];
  if (persistTo) args.push('--persist-to', persistTo);
  // The server's own origin is the vouchers' issuer unless told otherwise (and overrides .dev.vars).
  const baseUrl = `http://127.0.0.1:${p}`;
  for (const [k, v] of Object.entries({ PUBLIC_BASE_URL: baseUrl, ...vars })) args.push('--var', `${k}:${v}`);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: ENV,
    stdio: inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
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
  await Promise.race([waitForHealth(baseUrl), exited]);
  exited.catch(() => {});
  return {
    baseUrl,
    port: p,
    output: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
    },
  };
}
