import { MINUTE_MS } from '@gratia/core';
import { type Deps, messages } from '@gratia/db';
import { sql } from 'drizzle-orm';
import { CLAIM_TIMEOUT_MS } from './consumer';

// The outbox sweep (every five minutes): messages the queue never got (a dispatch lost after its batch
// committed, no queue in a script), whose deferral (quiet hours, backoff) has passed, or whose claim
// went stale (a consumer that died mid-send) are handed to the queue again, a bounded slice a run. The
// consumer's claim makes a second hand-over harmless.

export const SWEEP_SLICE = 200;

export async function sweepOutbox(deps: Deps): Promise<{ dispatched: number }> {
  const { db } = deps;
  const now = deps.clock.now();
  const due = now - MINUTE_MS;
  const rows = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      sql`(${messages.status} = 'queued' and ${messages.notBefore} is not null and ${messages.notBefore} <= ${due})
        or (${messages.status} = 'queued' and ${messages.notBefore} is null and ${messages.createdAt} <= ${due})
        or (${messages.status} = 'sending' and ${messages.claimedAt} < ${now - CLAIM_TIMEOUT_MS})`,
    )
    .limit(SWEEP_SLICE);
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) deps.dispatch?.(ids);
  return { dispatched: ids.length };
}
