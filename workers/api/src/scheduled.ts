import { createDb } from '@gratia/db';
import type { Env } from './env';
import { purgeExpiredIdempotencyKeys } from './middleware/idempotency';

/** The cron trigger's work, each job independent so one failure does not stop the others. */
export async function runScheduledJobs(
  env: Env,
  now: number,
  cron: string,
): Promise<Record<string, unknown>> {
  const db = createDb(env.DB);
  const jobs: Record<string, () => Promise<unknown>> = {
    purge_idempotency_keys: () => purgeExpiredIdempotencyKeys(db, now),
  };
  const results: Record<string, unknown> = {};
  for (const [name, job] of Object.entries(jobs)) {
    try {
      results[name] = await job();
    } catch (e) {
      results[name] = { error: String(e) };
      console.error(JSON.stringify({ level: 'error', job: name, cron, error: String(e) }));
    }
  }
  console.log(JSON.stringify({ level: 'info', cron, results }));
  return results;
}
