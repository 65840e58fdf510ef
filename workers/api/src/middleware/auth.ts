import { ApiError, MINUTE_MS, sha256Hex, timingSafeEqual } from '@gratia/core';
import { apiKeys, type Db, type KeyRef, organizations } from '@gratia/db';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Principal, Role } from '../env';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]{16,256}=*)$/;
/** last_used_at is refreshed at most this often, so a busy key does not write on every request. */
const LAST_USED_RESOLUTION_MS = 5 * MINUTE_MS;

/**
 * The query that resolves a key secret's hash to its organisation; hot routes put it in their own
 * batch. Every selected column has a distinct name: D1 batch rows are keyed by column name.
 */
export function keyLookup(db: Db, key: string | KeyRef) {
  const ref: KeyRef = typeof key === 'string' ? { hash: key } : key;
  return db
    .select({
      keyId: apiKeys.id,
      lastUsedAt: apiKeys.lastUsedAt,
      organizationId: sql<string>`${organizations.id}`.as('organization_id'),
      kind: organizations.kind,
      name: organizations.name,
      currency: organizations.currency,
      timezone: organizations.timezone,
      category: organizations.category,
    })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.organizationId))
    .where(
      and(
        'hash' in ref ? eq(apiKeys.secretHash, ref.hash) : eq(apiKeys.id, ref.id),
        isNull(apiKeys.revokedAt),
      ),
    )
    .limit(1);
}
export type KeyRow = Awaited<ReturnType<typeof keyLookup>>[number];

export function principalFromKey(row: KeyRow): Principal {
  return {
    role: row.kind,
    organizationId: row.organizationId,
    keyId: row.keyId,
    scope: row.organizationId,
    organization: {
      id: row.organizationId,
      name: row.name,
      currency: row.currency,
      timezone: row.timezone,
      category: row.category,
    },
  };
}

/** The bearer secret of the request, or a 401. */
export function bearerSecret(c: Context<AppEnv>): string {
  const header = c.req.header('authorization');
  if (!header) throw new ApiError('unauthorized', 'Send an API key as "Authorization: Bearer <secret>"');
  const m = BEARER.exec(header.trim());
  if (!m)
    throw new ApiError('unauthorized', 'The Authorization header is not a well-formed bearer credential');
  return m[1]!;
}

export function isOperatorSecret(c: Context<AppEnv>, secret: string): boolean {
  const token = c.env.OPERATOR_TOKEN;
  return typeof token === 'string' && token.length >= 16 && timingSafeEqual(secret, token);
}

/** Refresh last_used_at off the response path, and only when it is stale. */
export function touchKey(c: Context<AppEnv>, row: KeyRow): void {
  const now = c.var.clock.now();
  if (row.lastUsedAt !== null && now - row.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
  const write = c.var.db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now))))
    .run()
    .catch((e: unknown) => console.error('last_used_at update failed', e));
  try {
    c.executionCtx.waitUntil(write);
  } catch {
    // app.request() in tests has no execution context; the write still runs.
  }
}

export function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) {
    throw new ApiError(
      'forbidden',
      `This operation is for ${roles.join(' or ')} keys; this is a ${principal.role} key`,
    );
  }
}

/**
 * The one authorisation gate: every route names the roles that may call it here, in its definition.
 * Organisation keys are resolved in one query; the operator is recognised by OPERATOR_TOKEN.
 */
export const authorize = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const secret = bearerSecret(c);
    let principal: Principal;
    if (isOperatorSecret(c, secret)) {
      principal = { role: 'operator', organizationId: null, keyId: null, scope: 'operator' };
    } else {
      const [row] = await keyLookup(c.var.db, await sha256Hex(secret));
      if (!row) throw new ApiError('unauthorized', 'The API key is unknown or revoked');
      principal = principalFromKey(row);
      touchKey(c, row);
    }
    requireRole(principal, roles);
    c.set('principal', principal);
    await next();
  });

/** Narrow the principal to an organisation key (for routes whose roles exclude the operator). */
export function orgOf(c: Context<AppEnv>) {
  const p = c.var.principal;
  if (p.role === 'operator') throw new ApiError('forbidden', 'This operation needs an organisation key');
  return p;
}

/**
 * For the counter's hot routes (verify, redeem): checks the header and the operator token without a
 * query, and leaves the key lookup to the route, which puts `keyLookup` in its own batch so that the
 * whole request costs one D1 round trip. The route must call `resolveDeferred` on the lookup's rows.
 */
export const authorizeDeferred = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const secret = bearerSecret(c);
    if (isOperatorSecret(c, secret)) {
      const principal: Principal = { role: 'operator', organizationId: null, keyId: null, scope: 'operator' };
      requireRole(principal, roles);
      c.set('principal', principal);
    }
    c.set('keyHash', await sha256Hex(secret));
    await next();
  });

/** Completes authorizeDeferred with the rows of `keyLookup` run in the route's batch. */
export function resolveDeferred(c: Context<AppEnv>, rows: KeyRow[], roles: readonly Role[]): Principal {
  if (c.var.principal) return c.var.principal;
  const row = rows[0];
  if (!row) throw new ApiError('unauthorized', 'The API key is unknown or revoked');
  const principal = principalFromKey(row);
  requireRole(principal, roles);
  c.set('principal', principal);
  touchKey(c, row);
  return principal;
}
