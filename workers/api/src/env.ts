import type { ApiError, Clock } from '@gratia/core';
import type { Caller, Db, Deps } from '@gratia/db';

export type { OrgPrincipal, Principal, Role } from '@gratia/db';

/** Bindings and variables of the API Worker (wrangler.toml [vars], secrets, D1). */
export interface Env {
  DB: D1Database;
  /** Offer photos (R2): written and read only through the photo use cases of @gratia/network. */
  OFFER_PHOTOS: R2Bucket;
  /** Holders' photos on their cards (R2, private): read and written only through @gratia/messaging's card use cases. */
  CARD_PHOTOS: R2Bucket;
  /** The outbox's delivery queue (one outbox message id per queue message). */
  MESSAGES: Queue<{ id: string }>;
  /** E-mail through Resend's HTTP API (wrangler secret); unset: e-mail goes to the dev outbox. */
  RESEND_API_KEY?: string;
  /** Verifies Resend's delivery callbacks (the webhook's `whsec_...` signing secret). */
  RESEND_WEBHOOK_SECRET?: string;
  /** The sender of patients' e-mail, e.g. "Gratia <hello@example.com>". */
  EMAIL_FROM?: string;
  /** SMS through Twilio's REST API (wrangler secrets); unset: SMS goes to the dev outbox. */
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  /** The sending number (E.164) or Messaging Service SID. */
  TWILIO_FROM?: string;
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
  /** The network's IANA timezone (settlement months); UTC when unset or unknown. */
  NETWORK_TIMEZONE?: string;
  /** Minor units of the network currency one bonus point is worth (default 1). */
  POINT_VALUE_MINOR?: string;
  VOUCHER_DEFAULT_DAYS?: string;
  /** "1" lets a request set the time with `x-test-now` (local end-to-end tests only; never deploy it). */
  ALLOW_TEST_CLOCK?: string;
  VOUCHER_MAX_DAYS?: string;
}

export interface Vars {
  requestId: string;
  db: Db;
  clock: Clock;
  /** What every use case is given, built once per request. */
  deps: Deps;
  /**
   * Who is calling, set by the route's authorize middleware: known, or a presented key that the route's
   * use case settles inside its own batch (authorizeDeferred). Read it through principalOf / orgOf
   * (known callers) or hand it to a use case (deferred ones).
   */
  caller: Caller;
  /** A body the JSON guard refused; answered only once the caller is known to be authorised. */
  bodyProblem?: ApiError;
}

export type AppEnv = { Bindings: Env; Variables: Vars };
