import { createDb } from '@gratia/db';
import { bookExpiredPoints } from '@gratia/points';
import type { Env } from './env';
import { pointMoney } from './lib/points';
import { purgeExpiredIdempotencyKeys } from './middleware/idempotency';

/** The cron trigger's work, each job independent so one failure does not stop the others. */
export async function runScheduledJobs(
  env: Env,
  now: number,
  cron: string,
): Promise<Record<string, unknown>> {
  const db = createDb(env.DB);
  const jobs: Record<string, () => Promise<unknown>> = {
    book_point_expiry: () => bookExpiredPoints(db, pointMoney(env), now),
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
