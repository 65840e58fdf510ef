import { ApiError, sha256Hex } from '@gratia/core';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  knownCaller,
  markCommitsOf,
  releaseIdempotencyKey,
} from '@gratia/db';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { PROBLEM_CONTENT_TYPE } from '../lib/problem';
import { authError, ensureAuthorized, sourceAddress } from './auth';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key for mutating POSTs, scoped to the calling organisation (or the operator). One round
 * trip claims the key and, for a deferred caller, settles the key in the same batch (a bad key claims
 * nothing and is answered 401). The response is stored when the handler finishes; responses that say
 * the request never ran (400, 413, 415, 5xx) release the key instead, so a fixed request can be
 * retried under the same key.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (key === undefined || c.req.method !== 'POST') return next();
  if (!KEY_PATTERN.test(key)) {
    await ensureAuthorized(c);
    throw new ApiError(
      'invalid_idempotency_key',
      'Idempotency-Key must be 1 to 255 printable ASCII characters',
    );
  }
  const { deps } = c.var;
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
  const claimed = await claimIdempotencyKey(deps, { caller: c.var.caller, key, requestHash });
  if (!claimed.ok) throw authError(claimed.error);
  c.set('caller', knownCaller(claimed.value.principal, sourceAddress(c)));
  const claim = claimed.value.claim;
  if (claim.state === 'reused')
    throw new ApiError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request',
    );
  if (claim.state === 'in_flight')
    throw new ApiError(
      'idempotency_key_in_use',
      'A request with this Idempotency-Key is still in progress; retry shortly',
    );
  if (claim.state === 'replay') {
    return new Response(claim.body, {
      status: claim.status,
      headers: {
        'content-type': claim.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json',
        'idempotent-replayed': 'true',
      },
    });
  }
  if (claim.state === 'committed')
    throw new ApiError(
      'idempotency_key_committed',
      'The request under this Idempotency-Key took effect, but its answer was lost: read the result before trying anything again',
    );
  markCommitsOf(deps.db, claim.hold);
  try {
    await next();
  } catch (e) {
    await releaseIdempotencyKey(deps.db, claim.hold);
    throw e;
  }
  const status = c.res.status;
  if (status >= 500 || status === 400 || status === 413 || status === 415 || c.error) {
    // Released only if nothing was written (in SQL): a request that wrote its work stays `committed`.
    await releaseIdempotencyKey(deps.db, claim.hold);
    return;
  }
  await completeIdempotencyKey(deps.db, claim.hold, status, await c.res.clone().text());
});
