// `pnpm seed`: seeds the demo network into a running local platform (see scripts/dev.mjs).
import path from 'node:path';
import { readDevVars } from './lib/dev-vars.mjs';
import { ROOT } from './lib/local-server.mjs';
import { seedDemoNetwork } from './lib/seed.mjs';

const baseUrl = process.env.BASE_URL ?? `http://localhost:${process.env.PORT ?? 8787}`;
const { OPERATOR_TOKEN } = readDevVars();
const result = await seedDemoNetwork({
  baseUrl,
  operatorToken: OPERATOR_TOKEN,
  keysFile: path.join(ROOT, '.wrangler', 'demo-keys.json'),
  log: console.log,
});
console.log(JSON.stringify(result.created));
