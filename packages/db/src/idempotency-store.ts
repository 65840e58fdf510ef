import { HOUR_MS, ok, type Result, randomToken } from '@gratia/core';
import { and, eq, sql } from 'drizzle-orm';
import { inSlices, markCommits } from './batch';
import type { AuthRefusal, Caller, Principal } from './caller';
import { type Deps, runAsCaller } from './deps';
import type { Db } from './index';
import { keyMatch } from './key-ref';
import { idempotencyKeys } from './schema/idempotency';

// Idempotency keys for mutating requests (API calls and the counter's forms), scoped to the calling
// organisation (or the operator). One round trip claims the key, and for a caller whose key is still
// to be looked up, settles it in the same batch: the claim is guarded by the key's validity, so an
// unknown or revoked key claims nothing and is never served a stored response.

export const IDEMPOTENCY_RETENTION_MS = 24 * HOUR_MS;
/** An in-flight claim older than this is taken to belong to a request that died; a retry may take it over. */
export const IDEMPOTENCY_STALE_MS = 60_000;

export type IdempotencyClaim =
  /** This request holds the key: run it, then complete or release. */
  | { state: 'won'; hold: IdempotencyHold }
  /** The same request ran before: its stored answer. */
  | { state: 'replay'; status: number; body: string }
  | { state: 'reused' }
  | { state: 'in_flight' }
  /** The request that held the key wrote its work and died before answering: never run it again. */
  | { state: 'committed' };

export interface IdempotencyHold {
  scope: string;
  key: string;
  token: string;
}

export async function claimIdempotencyKey(
  deps: Deps,
  input: { caller: Caller; key: string; requestHash: string },
): Promise<Result<{ principal: Principal; claim: IdempotencyClaim }, AuthRefusal>> {
  const { db } = deps;
  const now = deps.clock.now();
  const token = randomToken(16);
  const caller = input.caller;
  const fields = sql`${input.key}, ${input.requestHash}, 'in_flight', ${token}, null, null, ${now}, ${now + IDEMPOTENCY_RETENTION_MS}`;
  // The scope: the known principal's, or the organisation of the presented key if it is valid and of
  // an allowed role (no row at all otherwise, so nothing is claimed).
  const scopeRow = caller.resolved
    ? sql`select ${caller.principal.scope}, ${fields} where 1`
    : sql`select o.id, ${fields} from api_keys k join organizations o on o.id = k.organization_id
        where ${keyMatch(caller.key)} and k.revoked_at is null
          and o.kind in ${caller.roles.filter((r) => r !== 'operator')}
          ${caller.organizationId === undefined ? sql`` : sql`and o.id = ${caller.organizationId}`}`;
  const scope = caller.resolved
    ? sql`${caller.principal.scope}`
    : sql`(select k.organization_id from api_keys k where ${keyMatch(caller.key)} and k.revoked_at is null)`;
  const roles = caller.resolved ? [caller.principal.role] : caller.roles;
  const run = await runAsCaller(deps, caller, roles, {
    claim: db
      .insert(idempotencyKeys)
      .select(scopeRow)
      .onConflictDoUpdate({
        target: [idempotencyKeys.scope, idempotencyKeys.key],
        set: {
          requestHash: input.requestHash,
          state: 'in_flight',
          claim: token,
          responseStatus: null,
          responseBody: null,
          createdAt: now,
          expiresAt: now + IDEMPOTENCY_RETENTION_MS,
        },
        setWhere: sql`${idempotencyKeys.expiresAt} <= ${now} or (${idempotencyKeys.state} = 'in_flight' and ${idempotencyKeys.createdAt} <= ${now - IDEMPOTENCY_STALE_MS})`,
      }),
    row: db
      .select()
      .from(idempotencyKeys)
      .where(and(sql`${idempotencyKeys.scope} = ${scope}`, eq(idempotencyKeys.key, input.key))),
  });
  if (!run.ok) return run;
  const { principal, results } = run.value;
  const row = results.row[0];
  if (!row) throw new Error('idempotency claim wrote nothing and found nothing');
  if (row.claim === token)
    return ok({ principal, claim: { state: 'won', hold: { scope: row.scope, key: row.key, token } } });
  if (row.requestHash !== input.requestHash) return ok({ principal, claim: { state: 'reused' } });
  if (row.state === 'in_flight') return ok({ principal, claim: { state: 'in_flight' } });
  if (row.state === 'committed') return ok({ principal, claim: { state: 'committed' } });
  return ok({
    principal,
    claim: { state: 'replay', status: row.responseStatus ?? 200, body: row.responseBody ?? '' },
  });
}

const held = (h: IdempotencyHold) =>
  and(eq(idempotencyKeys.scope, h.scope), eq(idempotencyKeys.key, h.key), eq(idempotencyKeys.claim, h.token));

/**
 * Marks every batch of this request's Db that writes: the key's record turns `committed` in the same
 * transaction as the work, so a request that dies after its work is written (before its answer is
 * stored) is never run again under the key, and its key is not released.
 */
export const markCommitsOf = (db: Db, hold: IdempotencyHold) =>
  markCommits(db, () =>
    db
      .update(idempotencyKeys)
      .set({ state: 'committed' })
      .where(and(held(hold), eq(idempotencyKeys.state, 'in_flight'))),
  );

/** Stores the answer of the request that held the key, for replays. */
export async function completeIdempotencyKey(db: Db, hold: IdempotencyHold, status: number, body: string) {
  await db
    .update(idempotencyKeys)
    .set({ state: 'done', responseStatus: status, responseBody: body })
    .where(held(hold));
}

/**
 * Lets the key go (the request never ran, or failed before writing anything): a corrected request may
 * use it again. A key whose work was written (`committed`, in the work's own batch) is never released.
 */
export async function releaseIdempotencyKey(
  db: Db,
  hold: IdempotencyHold,
  opts: { nothingWritten?: boolean } = {},
) {
  // `nothingWritten`: the caller knows the work wrote nothing even though a batch that could write
  // ran (its caller was refused, and every guarded write proves the caller): release it all the same.
  const releasable = opts.nothingWritten ? undefined : eq(idempotencyKeys.state, 'in_flight');
  await db.delete(idempotencyKeys).where(and(held(hold), releasable));
}

/** Rows one purge statement deletes: each holds the database's one thread for a few milliseconds only. */
const PURGE_SLICE = 1_000;
/** Slices one cron run purges at most (the rest waits for the next hour). */
const PURGE_SLICES = 100;

/**
 * Deletes idempotency records past their retention window (run by the cron trigger), 1,000 rows a
 * statement: one DELETE of a peak day's 10,000 rows would hold the database for a noticeable moment.
 */
export async function purgeExpiredIdempotencyKeys(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  return inSlices(
    (limit) =>
      deps.db
        .delete(idempotencyKeys)
        .where(
          sql`rowid in (select rowid from ${idempotencyKeys} where ${idempotencyKeys.expiresAt} <= ${now} limit ${limit})`,
        ),
    { limit: PURGE_SLICE, slices: PURGE_SLICES },
  );
}

/** The stored answer under a key, once the request that held it has finished. */
export async function readIdempotentAnswer(
  db: Db,
  input: { scope: string; key: string },
): Promise<{ status: number; body: string } | null> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, input.scope), eq(idempotencyKeys.key, input.key)));
  return row?.state === 'done' ? { status: row.responseStatus ?? 200, body: row.responseBody ?? '' } : null;
}
