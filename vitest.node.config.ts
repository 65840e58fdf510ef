import { defineConfig } from 'vitest/config';

// Node-side tests: end to end over real HTTP against `wrangler dev` on a fresh local D1 (started once
// by test/node/global-setup.ts), OpenAPI validation, and browser tests driving Debian's chromium.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/node/**/*.test.ts'],
    globalSetup: ['./test/node/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
