import { defineConfig } from 'drizzle-kit';

// drizzle-kit only generates SQL here; `wrangler d1 migrations apply` applies it (locally, in tests
// through readD1Migrations, and remotely on deploy).
export default defineConfig({
  dialect: 'sqlite',
  schema: './packages/db/src/schema/index.ts',
  out: './migrations',
});
