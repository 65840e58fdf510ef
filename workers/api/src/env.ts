import type { Clock } from '@gratia/core';
import type { Db } from '@gratia/db';

/** Bindings and variables of the API Worker (wrangler.toml [vars], secrets, D1). */
export interface Env {
  DB: D1Database;
  /** The network operator's bearer secret (wrangler secret; `.dev.vars` locally). */
  OPERATOR_TOKEN: string;
  /** JSON array of Ed25519 private JWKs with `kid` (wrangler secret; `.dev.vars` locally). */
  VOUCHER_SIGNING_KEYS?: string;
  /** Public base URL of this deployment (the `iss` of vouchers); defaults to the request's origin. */
  PUBLIC_BASE_URL?: string;
  NETWORK_NAME?: string;
  /** Signs partner counter-page sessions; derived from OPERATOR_TOKEN when unset. */
  SESSION_SECRET?: string;
  /** "1" lets a request with `x-debug-d1: 1` get its D1 round trips and rows in Server-Timing (benchmarks). */
  EXPOSE_D1_METRICS?: string;
  NETWORK_CURRENCY?: string;
  /** Minor units of the network currency one bonus point is worth (default 1). */
  POINT_VALUE_MINOR?: string;
  VOUCHER_DEFAULT_DAYS?: string;
  VOUCHER_MAX_DAYS?: string;
}

export type Role = 'operator' | 'clinic' | 'partner';

export type Principal =
  | { role: 'operator'; organizationId: null; keyId: null; scope: 'operator' }
  | {
      role: 'clinic' | 'partner';
      organizationId: string;
      keyId: string;
      scope: string;
      organization: { id: string; name: string; currency: string; timezone: string; category: string | null };
    };

export interface Vars {
  requestId: string;
  db: Db;
  clock: Clock;
  principal: Principal;
  /** Set by authorizeDeferred: the presented key's hash, resolved later inside the route's own batch. */
  keyHash: string;
}

export type AppEnv = { Bindings: Env; Variables: Vars };
