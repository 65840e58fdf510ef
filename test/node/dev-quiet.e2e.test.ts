import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpRuns, interrupt, portIsFree, processesFor, startDev, waitForOutput } from './dev-run';

// `pnpm dev` on this machine (no internet): it prints no stack trace nor error, and Ctrl-C (SIGINT to
// its process group, as a terminal sends it) ends it with status 0, wrangler and workerd gone and the
// port free again, whether it comes once the platform runs or while it is still starting. Each run has
// its own port and a throwaway GRATIA_STATE_DIR (local D1, .dev.vars, demo keys), so a developer's
// .wrangler/state and .dev.vars are left alone.

const NOISE = [
  /^\s+at /m, // a stack trace
  /\bError:/,
  /\[ERROR\]/,
  /Unable to fetch/,
  /workers\.cloudflare\.com/,
];

function expectQuiet(output: string) {
  for (const pattern of NOISE) expect(output, `${pattern} in:\n${output}`).not.toMatch(pattern);
}

afterEach(cleanUpRuns);

describe('pnpm dev offline', () => {
  it('starts and seeds without a stack trace, and Ctrl-C ends it cleanly', { timeout: 150_000 }, async () => {
    const run = await startDev();
    await waitForOutput(run, /Gratia is running/, 120_000);
    expect(run.output()).toContain(`http://localhost:${run.port}/docs`);
    expectQuiet(run.output());

    const { code, signal } = await interrupt(run);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expectQuiet(run.output());
    expect(processesFor(run.port)).toEqual([]);
    expect(await portIsFree(run.port)).toBe(true);
  });

  it('ends cleanly on Ctrl-C while it is still starting', { timeout: 60_000 }, async () => {
    const run = await startDev();
    await waitForOutput(run, /Applying migrations/, 30_000);
    // Into the migrations (a couple of seconds); or, on a fast machine, into wrangler's start-up.
    await new Promise((r) => setTimeout(r, 500));

    const { code, signal } = await interrupt(run);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(run.output()).not.toContain('Gratia is running');
    expectQuiet(run.output());
    expect(processesFor(run.port)).toEqual([]);
    expect(await portIsFree(run.port)).toBe(true);
  });
});
