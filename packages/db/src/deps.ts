import type { Clock, Result } from '@gratia/core';
import { type AuthRefusal, type Caller, type KeyRow, type Principal, settleCaller, touchKey } from './caller';
import type { Db } from './index';

/** The network's configuration as the domain needs it: plain data, read once from the environment. */
export interface NetworkConfig {
  /** The public origin: the `iss` of every voucher and the base of patient links. */
  baseUrl: string;
  networkName: string;
  /** The network currency, in which points are valued. */
  currency: string;
  /** Minor units of the network currency one bonus point is worth. */
  pointValue: number;
  voucherDefaultDays: number;
  voucherMaxDays: number;
  /** VOUCHER_SIGNING_KEYS: the JSON array of private JWKs (parsed and imported once per isolate). */
  signingKeys: string | undefined;
}

/**
 * What every use case is given: built once per request (and once per cron run or queue batch), so a
 * route, a page and a job all call the same function the same way. `defer` keeps work alive past the
 * response (waitUntil); `log` writes one structured line with the request's id.
 */
export interface Deps {
  db: Db;
  clock: Clock;
  config: NetworkConfig;
  log(event: Record<string, unknown>): void;
  defer(work: Promise<unknown>): void;
}

/** settleCaller, plus the key's last_used_at refresh off the response path. */
export function authorizeCaller(
  deps: Deps,
  caller: Caller,
  rows: readonly KeyRow[],
): Result<Principal, AuthRefusal> {
  const settled = settleCaller(caller, rows);
  const row = rows[0];
  if (settled.ok && !caller.resolved && row) {
    const write = touchKey(deps.db, deps.clock, row);
    if (write)
      deps.defer(
        write.catch((e: unknown) =>
          deps.log({ level: 'error', event: 'touch_key_failed', error: String(e) }),
        ),
      );
  }
  return settled;
}
