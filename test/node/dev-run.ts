import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
// @ts-expect-error plain ESM script without types
import { freePort, ROOT } from '../../scripts/lib/local-server.mjs';

// `pnpm dev` as a developer runs it, for the tests that need the real thing: its own port and a
// throwaway GRATIA_STATE_DIR (local D1, .dev.vars, demo keys), so a developer's .wrangler/state and
// .dev.vars are left alone.

export interface Run {
  child: ChildProcess;
  port: number;
  stateDir: string;
  output: () => string;
}
const runs: Run[] = [];

export async function startDev(): Promise<Run> {
  const port = await freePort();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'gratia-dev-'));
  // As from a developer's shell: vitest's NODE_ENV=test would keep wrangler off the network anyway.
  const { NODE_ENV: _test, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'dev.mjs')], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), GRATIA_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, like a terminal's foreground job
  });
  let log = '';
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const run = { child, port, stateDir, output: () => stripVTControlCharacters(log) };
  runs.push(run);
  return run;
}

export async function waitForOutput(run: Run, pattern: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null || run.child.signalCode !== null)
      throw new Error(`pnpm dev exited (${run.child.exitCode ?? run.child.signalCode}):\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} after ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ctrl-C; resolves to { code, signal, ms } once the script has exited (or throws after 10 s). */
export async function interrupt(run: Run) {
  const started = Date.now();
  const exited = once(run.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  process.kill(-run.child.pid!, 'SIGINT');
  const [code, signal] = await Promise.race([
    exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running 10 s after Ctrl-C:\n${run.output()}`)), 10_000),
    ),
  ]);
  return { code, signal, ms: Date.now() - started };
}

export async function portIsFree(port: number) {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

/** Processes (Linux: from /proc) still serving this port: wrangler has `--port N`, workerd `:N`. */
export function processesFor(port: number): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(`--port ${port} `) || cmdline.includes(`entry=localhost:${port} `))
      pids.push(Number(entry));
  }
  return pids;
}

/** Stops every run this file started (kills what is left) and removes its state. */
export function cleanUpRuns() {
  for (const run of runs.splice(0)) {
    for (const pid of [-run.child.pid!, ...processesFor(run.port)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    rmSync(run.stateDir, { recursive: true, force: true });
  }
}
