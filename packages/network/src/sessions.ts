import { err, HOUR_MS, ok, type Refusal, type Result, randomToken, sha256Hex } from '@gratia/core';
import {
  abuseCounters,
  countFailure,
  type Deps,
  keyLookup,
  lockedRefusal,
  type OrgPrincipal,
  pageSessions,
  principalFromKey,
  runBatch,
} from '@gratia/db';
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';

// Page sessions (the counter page): a row per sign-in, checked by every request of the session in the
// same batch as its work (KeyRef `session`), so signing out or expiry is enforced by the server and a
// copied cookie is worth nothing afterwards. Failed sign-ins count against the source address.

export const PAGE_SESSION_TTL_MS = 8 * HOUR_MS;

export interface PageSession {
  id: string;
  principal: OrgPrincipal;
  expiresAt: number;
}

/** Where an in-process request comes from when the edge did not say (tests, local tools). */
const UNKNOWN_SOURCE = 'unknown';

/** Signs in with an organisation's API key, for a page of `kind`; failed attempts are capped per address. */
export async function signInWithKey(
  deps: Deps,
  input: { secret: string; kind: 'clinic' | 'partner'; from: string | null },
): Promise<Result<PageSession, Refusal<'unauthorized' | 'forbidden' | 'rate_limited'>>> {
  const now = deps.clock.now();
  const from = input.from ?? UNKNOWN_SOURCE;
  const secret = input.secret.trim();
  const hash = await sha256Hex(secret.length >= 16 && secret.length <= 300 ? secret : '');
  const found = await runBatch(deps.db, {
    signinLock: deps.db
      .select({ lockedUntil: abuseCounters.lockedUntil })
      .from(abuseCounters)
      .where(and(eq(abuseCounters.subject, `signin:${from}`), gt(abuseCounters.lockedUntil, now))),
    key: keyLookup(deps.db, { hash, at: now, from: input.from }),
  });
  const signinLock = found.signinLock[0]?.lockedUntil;
  if (signinLock) return err(lockedRefusal(signinLock));
  const row = found.key[0];
  if (!row) {
    const until = await countFailure(deps, [{ kind: 'signin', id: from }]);
    if (until !== null) deps.log({ level: 'warn', event: 'signin_locked', from, until });
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  }
  if (row.lockedUntil !== null) return err(lockedRefusal(row.lockedUntil));
  const principal = principalFromKey(row);
  if (principal.role !== input.kind)
    return err({ code: 'forbidden', detail: `Only ${input.kind} keys can sign in here` });
  const session = { id: randomToken(24), principal, expiresAt: now + PAGE_SESSION_TTL_MS };
  await deps.db.insert(pageSessions).values({
    id: session.id,
    keyId: principal.keyId,
    organizationId: principal.organizationId,
    createdAt: now,
    expiresAt: session.expiresAt,
  });
  return ok(session);
}

/** Ends a page session on the server: its cookie, copied or not, proves nothing from now on. */
export async function endPageSession(deps: Deps, input: { sessionId: string }): Promise<void> {
  await deps.db
    .update(pageSessions)
    .set({ endedAt: deps.clock.now() })
    .where(and(eq(pageSessions.id, input.sessionId), isNull(pageSessions.endedAt)));
}

/** Deletes sessions that ended or expired more than a day ago (run by the cron trigger). */
export async function purgePageSessions(deps: Deps): Promise<number> {
  const before = deps.clock.now() - 24 * HOUR_MS;
  const res = await deps.db
    .delete(pageSessions)
    .where(or(lt(pageSessions.expiresAt, before), lt(pageSessions.endedAt, before)))
    .run();
  return res.meta.changes ?? 0;
}
