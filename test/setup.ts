import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// The real migrations, on the real (local) D1 of this test file's isolated storage.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
