import { ApiError, HOUR_MS, randomToken, sha256Hex } from '@gratia/core';
import { idempotencyKeys } from '@gratia/db';
import { and, eq, sql } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

export const IDEMPOTENCY_RETENTION_MS = 24 * HOUR_MS;
/** An in-flight claim older than this is taken to belong to a request that died; a retry may take it over. */
export const IDEMPOTENCY_STALE_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key for mutating POSTs, scoped to the caller (the organisation, or the operator).
 * One round trip claims the key (insert, or take over an expired or stale row) and reads it back;
 * the claim token says whether this request won. The response is stored when the handler finishes.
 * Responses that say the request never ran (400, 413, 415, 5xx) release the key instead, so a fixed
 * request can be retried under the same key.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (key === undefined || c.req.method !== 'POST') return next();
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError(
      'invalid_idempotency_key',
      'Idempotency-Key must be 1 to 255 printable ASCII characters',
    );
  }
  const { db, clock, principal } = c.var;
  const now = clock.now();
  // Routes with deferred auth (the counter's hot paths) have no principal yet: scope to the key itself.
  const scope = principal?.scope ?? `key:${c.var.keyHash}`;
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  const claim = randomToken(16);

  const [, rows] = await db.batch([
    db
      .insert(idempotencyKeys)
      .values({
        scope,
        key,
        requestHash,
        state: 'in_flight',
        claim,
        createdAt: now,
        expiresAt: now + IDEMPOTENCY_RETENTION_MS,
      })
      .onConflictDoUpdate({
        target: [idempotencyKeys.scope, idempotencyKeys.key],
        set: {
          requestHash,
          state: 'in_flight',
          claim,
          responseStatus: null,
          responseBody: null,
          createdAt: now,
          expiresAt: now + IDEMPOTENCY_RETENTION_MS,
        },
        setWhere: sql`${idempotencyKeys.expiresAt} <= ${now} or (${idempotencyKeys.state} = 'in_flight' and ${idempotencyKeys.createdAt} <= ${now - IDEMPOTENCY_STALE_MS})`,
      }),
    db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))),
  ]);
  const row = rows[0]!;

  if (row.claim !== claim) {
    if (row.requestHash !== requestHash) {
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request',
      );
    }
    if (row.state === 'in_flight') {
      throw new ApiError(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still in progress; retry shortly',
      );
    }
    return new Response(row.responseBody, {
      status: row.responseStatus ?? 200,
      headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
    });
  }

  const owned = and(
    eq(idempotencyKeys.scope, scope),
    eq(idempotencyKeys.key, key),
    eq(idempotencyKeys.claim, claim),
  );
  try {
    await next();
  } catch (e) {
    await db.delete(idempotencyKeys).where(owned);
    throw e;
  }
  const status = c.res.status;
  if (status >= 500 || status === 400 || status === 413 || status === 415 || c.error) {
    await db.delete(idempotencyKeys).where(owned);
    return;
  }
  const body = await c.res.clone().text();
  await db
    .update(idempotencyKeys)
    .set({ state: 'done', responseStatus: status, responseBody: body })
    .where(owned);
});

/** Deletes idempotency records past their retention window (run by the cron trigger). */
export async function purgeExpiredIdempotencyKeys(
  db: AppEnv['Variables']['db'],
  now: number,
): Promise<number> {
  const res = await db.delete(idempotencyKeys).where(sql`${idempotencyKeys.expiresAt} <= ${now}`).run();
  return res.meta.changes ?? 0;
}
