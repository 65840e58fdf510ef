import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM script without types
import { startLocalServer } from '../../scripts/lib/local-server.mjs';
// @ts-expect-error plain ESM script without types
import { generateSigningKey } from '../../scripts/lib/voucher-keys.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    operatorToken: string;
    persistTo: string;
  }
}

/** One `wrangler dev` on a fresh local D1 (migrations applied) for every Node-side test. */
export default async function setup(project: TestProject) {
  const persistTo = mkdtempSync(path.join(tmpdir(), 'gratia-e2e-'));
  const operatorToken = `e2e-${crypto.randomUUID()}`;
  const server = await startLocalServer({
    persistTo,
    vars: {
      OPERATOR_TOKEN: operatorToken,
      VOUCHER_SIGNING_KEYS: JSON.stringify([generateSigningKey('e2e-1')]),
    },
  });
  project.provide('baseUrl', server.baseUrl);
  project.provide('operatorToken', operatorToken);
  project.provide('persistTo', persistTo);
  return async () => {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
