import { type Clock, err, ok, type Result } from '@gratia/core';
import { type BatchResults, runBatch, type Statements } from './batch';
import {
  type AuthRefusal,
  type Caller,
  type KeyRow,
  keyLookup,
  type OrgPrincipal,
  type Principal,
  type Role,
  roleRefusal,
  settleCaller,
  touchKey,
} from './caller';
import type { Db } from './index';

/** The network's configuration as the domain needs it: plain data, read once from the environment. */
export interface NetworkConfig {
  /** The public origin: the `iss` of every voucher and the base of patient links. */
  baseUrl: string;
  networkName: string;
  /** The network currency, in which points are valued. */
  currency: string;
  /** The network's IANA timezone: settlement periods are its calendar months. */
  timezone: string;
  /** Minor units of the network currency one bonus point is worth. */
  pointValue: number;
  voucherDefaultDays: number;
  voucherMaxDays: number;
  /** VOUCHER_SIGNING_KEYS: the JSON array of private JWKs (parsed and imported once per isolate). */
  signingKeys: string | undefined;
  /** Signs patients' personal links (questionnaire, survey): SESSION_SECRET, else the operator token. */
  linkSecret: string;
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
  /**
   * Hands the ids of messages a batch just wrote to the delivery queue (after the batch commits). Unset
   * (tests, scripts): the messages wait for the outbox sweep of the cron, or a test's own consumer call.
   */
  dispatch?(messageIds: readonly string[]): void;
}

const CALLER_LOOKUP = '__caller';

/** The principal a role admits: the operator, or an organisation of that kind. */
export type PrincipalOf<R extends Role> = R extends 'operator'
  ? Extract<Principal, { role: 'operator' }>
  : OrgPrincipal & { role: R };

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

/**
 * A use case's batch, run as `caller`: for a presented key, its lookup goes into the same batch (one
 * round trip), and the results are handed over only once the caller is settled and is one of `roles`.
 * A known caller is checked before anything runs. The statements must prove the key themselves in
 * SQL where they write (keyRefOf), so a refused caller writes nothing either.
 */
export async function runAsCaller<R extends Role, T extends Statements & { [CALLER_LOOKUP]?: never }>(
  deps: Deps,
  caller: Caller,
  roles: readonly R[],
  statements: T,
): Promise<Result<{ principal: PrincipalOf<R>; results: BatchResults<T> }, AuthRefusal>> {
  if (caller.resolved) {
    const refusal = roleRefusal(caller.principal, roles);
    if (refusal) return err(refusal);
    const principal = caller.principal as PrincipalOf<R>;
    return ok({ principal, results: await runBatch(deps.db, statements) });
  }
  const all = await runBatch(deps.db, { [CALLER_LOOKUP]: keyLookup(deps.db, caller.key), ...statements });
  const settled = authorizeCaller(deps, caller, all[CALLER_LOOKUP]);
  if (!settled.ok) return settled;
  const refusal = roleRefusal(settled.value, roles);
  if (refusal) return err(refusal);
  const results = all as unknown as BatchResults<T> & Record<typeof CALLER_LOOKUP, unknown>;
  delete results[CALLER_LOOKUP];
  return ok({ principal: settled.value as PrincipalOf<R>, results });
}
