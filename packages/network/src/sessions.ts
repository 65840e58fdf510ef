import { HOUR_MS } from '@gratia/core';
import { type Deps, pageSessions } from '@gratia/db';
import { and, eq, isNull, lt, or } from 'drizzle-orm';

// Page sessions (the console, the counter page): a row per sign-in (see staff.ts), checked by every
// request of the session in the same batch as its work (KeyRef `session`), so signing out, idling or
// expiry is enforced by the server and a copied cookie is worth nothing afterwards.

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
