import { ApiError, type Refusal, sha256Hex, timingSafeEqual } from '@gratia/core';
import {
  authorizeCaller,
  type Caller,
  type KeyRef,
  keyLookup,
  knownCaller,
  OPERATOR,
  type OrgPrincipal,
  type Principal,
  type Role,
  roleRefusal,
} from '@gratia/db';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

// Authorisation comes first, by construction. Every route names who may call it in its definition:
// `authorize(...)` looks the key up before anything else runs; `authorizeDeferred(...)` (the counter's
// hot paths) leaves the lookup to the route's use case, which settles the caller inside its own batch,
// the one round trip the request costs. Either way no handler, validation error or idempotency claim
// is reached by an unknown or revoked key: a refused body waits for the key check (bodyProblem), a
// validation failure settles a pending caller first (ensureAuthorized), and the idempotency claim
// settles it in its own batch.

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]{16,256}=*)$/;

/** The bearer secret of the request, or a 401. */
function bearerSecret(c: Context<AppEnv>): string {
  const header = c.req.header('authorization');
  if (!header) throw new ApiError('unauthorized', 'Send an API key as "Authorization: Bearer <secret>"');
  const m = BEARER.exec(header.trim());
  if (!m)
    throw new ApiError('unauthorized', 'The Authorization header is not a well-formed bearer credential');
  return m[1]!;
}

/** The source address of the request, as Cloudflare's edge reports it (absent in-process). */
export function sourceAddress(c: Context<AppEnv>): string | null {
  const ip = c.req.header('cf-connecting-ip');
  return ip && /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip : null;
}

/** The key a bearer secret presents, with the request's time and address (for the abuse locks). */
const presentedKey = async (c: Context<AppEnv>, secret: string): Promise<KeyRef> => ({
  hash: await sha256Hex(secret),
  at: c.var.clock.now(),
  from: sourceAddress(c),
});

function isOperatorSecret(c: Context<AppEnv>, secret: string): boolean {
  const token = c.env.OPERATOR_TOKEN;
  return typeof token === 'string' && token.length >= 16 && timingSafeEqual(secret, token);
}

/** An auth refusal as the exception the error handler renders. */
export const authError = (r: Refusal) => new ApiError(r.code, r.detail, undefined, r.retryAt);

function checkRole(principal: Principal, roles: readonly Role[]) {
  const refusal = roleRefusal(principal, roles);
  if (refusal) throw authError(refusal);
}

/** Answers the body the JSON guard refused, now that the caller is known to be authorised. */
function bodyProblem(c: Context<AppEnv>) {
  if (c.var.bodyProblem) throw c.var.bodyProblem;
}

/** How a route authorises, readable from its definition (the route inventory of the tests uses it). */
export interface Authorization {
  mode: 'key' | 'deferred';
  roles: readonly Role[];
}
const tagged = <M extends object>(mw: M, authorization: Authorization) =>
  Object.assign(mw, { authorization });

/** The authorisation a route's middleware list declares, if any. */
export function authorizationOf(middleware: unknown): Authorization | undefined {
  const list = Array.isArray(middleware) ? middleware : [middleware];
  return list.find((m) => m && typeof m === 'function' && 'authorization' in m)?.authorization;
}

/** The key is looked up (one query) before the route runs. */
export const authorize = (...roles: Role[]) =>
  tagged(
    createMiddleware<AppEnv>(async (c, next) => {
      const secret = bearerSecret(c);
      const caller: Caller = isOperatorSecret(c, secret)
        ? knownCaller(OPERATOR)
        : { resolved: false, key: await presentedKey(c, secret), roles };
      const principal = await settle(c, caller);
      checkRole(principal, roles);
      c.set('caller', knownCaller(principal, sourceAddress(c)));
      bodyProblem(c);
      await next();
    }),
    { mode: 'key', roles },
  );

/**
 * For the counter's hot paths: checks the header and the operator token without a query; the route's
 * use case settles the key inside its own batch.
 */
export const authorizeDeferred = (...roles: Role[]) =>
  tagged(
    createMiddleware<AppEnv>(async (c, next) => {
      const secret = bearerSecret(c);
      if (isOperatorSecret(c, secret)) {
        checkRole(OPERATOR, roles);
        c.set('caller', knownCaller(OPERATOR));
      } else {
        c.set('caller', { resolved: false, key: await presentedKey(c, secret), roles });
      }
      if (c.var.bodyProblem) {
        await ensureAuthorized(c);
        bodyProblem(c);
      }
      await next();
    }),
    { mode: 'deferred', roles },
  );

async function settle(c: Context<AppEnv>, caller: Caller): Promise<Principal> {
  if (caller.resolved) return caller.principal;
  const rows = await keyLookup(c.var.db, caller.key);
  const settled = authorizeCaller(c.var.deps, caller, rows);
  if (!settled.ok) throw authError(settled.error);
  return settled.value;
}

/**
 * Settles a pending caller now (one query), for the paths that answer before the use case runs (a
 * request that fails validation): a bad key is 401 whatever else is wrong with the request.
 */
export async function ensureAuthorized(c: Context<AppEnv>): Promise<void> {
  const caller = c.var.caller as Caller | undefined;
  if (!caller || caller.resolved) return;
  c.set('caller', knownCaller(await settle(c, caller), sourceAddress(c)));
}

/** The principal of a route whose caller is known (authorize). */
export function principalOf(c: Context<AppEnv>): Principal {
  const caller = c.var.caller;
  if (!caller.resolved) throw new Error('a deferred caller must be settled by its use case, not read');
  return caller.principal;
}

/** Narrow the principal to an organisation key (for routes whose roles exclude the operator). */
export function orgOf(c: Context<AppEnv>): OrgPrincipal {
  const p = principalOf(c);
  if (p.role === 'operator') throw new ApiError('forbidden', 'This operation needs an organisation key');
  return p;
}
