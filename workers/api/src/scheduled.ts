import { createDb, type Deps, purgeExpiredIdempotencyKeys } from '@gratia/db';
import { bookExpiredPoints } from '@gratia/points';
import { catchUpSettlementLines, closeSettlementPeriods } from '@gratia/settlement';
import { voucherKeys } from '@gratia/vouchers';
import type { Env } from './env';
import { networkConfig } from './lib/config';

/** The deps of one cron run: the same use cases as a request, with the run's own clock and log. */
export function scheduledDeps(env: Env, now: number, cron: string, pending: Promise<unknown>[]): Deps {
  return {
    db: createDb(env.DB),
    clock: { now: () => now },
    // A cron run has no request origin: links it builds use PUBLIC_BASE_URL.
    config: networkConfig(env, 'http://localhost'),
    log: (event) => console.log(JSON.stringify({ ...event, cron })),
    defer: (work) => {
      pending.push(work);
    },
  };
}

/** The cron trigger's work, each job independent so one failure does not stop the others. */
export async function runScheduledJobs(
  env: Env,
  now: number,
  cron: string,
): Promise<Record<string, unknown>> {
  const pending: Promise<unknown>[] = [];
  const deps = scheduledDeps(env, now, cron, pending);
  const jobs: Record<string, () => Promise<unknown>> = {
    book_point_expiry: () => bookExpiredPoints(deps),
    // Lines for redemptions that have none (recorded before settlement, or by an older Worker during a
    // deploy), before any month they belong to is closed.
    catch_up_settlement_lines: async () =>
      catchUpSettlementLines(deps, { signerKid: (await voucherKeys(deps)).signer.kid }),
    close_settlement_periods: () => closeSettlementPeriods(deps),
    purge_idempotency_keys: () => purgeExpiredIdempotencyKeys(deps),
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
  await Promise.allSettled(pending);
  console.log(JSON.stringify({ level: 'info', cron, results }));
  return results;
}
