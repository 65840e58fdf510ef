import os from 'node:os';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM script without types
import { generateSigningKey } from './scripts/lib/voucher-keys.mjs';

// Tests run inside workerd against a local D1 with the real migrations (applied in test/setup.ts).
// Storage is isolated per test file. Node-side tests (OpenAPI validation, browsers) live in
// vitest.node.config.ts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        remoteBindings: false,
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            OPERATOR_TOKEN: 'test-operator-token-0123456789abcdef',
            PUBLIC_BASE_URL: 'https://gratia.test',
            // A fresh Ed25519 key per run: tests never depend on a committed private key.
            VOUCHER_SIGNING_KEYS: JSON.stringify([generateSigningKey('test-1')]),
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts', 'packages/**/*.test.ts', 'workers/**/*.test.ts'],
      exclude: ['test/node/**', '**/node_modules/**'],
      setupFiles: ['./test/setup.ts'],
      // Vitest's default is one worker per core less one: a single worker on a 2-core CI machine, where a
      // test file spends much of its time waiting on workerd (a process of its own). Two at least.
      maxWorkers: Math.max(2, os.availableParallelism() - 1),
      // A test that fires 50 concurrent requests at workerd takes a few seconds on a busy 2-core machine:
      // the default 5 s cut such tests off mid-run when the machine was loaded (a timeout, not a fault).
      testTimeout: 30_000,
    },
  };
});
