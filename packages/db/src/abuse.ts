import { MINUTE_MS } from '@gratia/core';
import { sql } from 'drizzle-orm';
import type { Caller, Principal } from './caller';
import type { Deps } from './deps';
import { abuseCounters } from './schema/guards';

// Hard caps on guessing, counted in D1: a failed attempt that looks like guessing (an unknown or forged
// voucher, an unknown card number, a failed sign-in) counts against the key, its organisation and the
// source address. A subject over its cap is locked: the key lookup of every request reports the lock
// (429 with Retry-After) and the guarded writes of a locked key match no key, so nothing is written.
// Counts are exact (one upsert per failure, on the failure path only); the Rate Limiting binding may
// sit in front for volume, but it is approximate per location and is not what these caps rely on.

export interface Cap {
  /** Failures allowed in one window; the next locks the subject. */
  failures: number;
  windowMs: number;
  lockMs: number;
}

export const ABUSE_CAPS = {
  /** One key (one counter device or integration). */
  key: { failures: 20, windowMs: 10 * MINUTE_MS, lockMs: 15 * MINUTE_MS },
  /** A whole organisation, across its keys. */
  org: { failures: 60, windowMs: 10 * MINUTE_MS, lockMs: 15 * MINUTE_MS },
  /** One source address, across keys (a shop's shared connection has several devices). */
  ip: { failures: 60, windowMs: 10 * MINUTE_MS, lockMs: 15 * MINUTE_MS },
  /** Failed sign-ins from one address. */
  signin: { failures: 10, windowMs: 15 * MINUTE_MS, lockMs: 15 * MINUTE_MS },
} as const satisfies Record<string, Cap>;
export type CapKind = keyof typeof ABUSE_CAPS;

function countStatement(deps: Deps, subject: string, cap: Cap, now: number) {
  const fresh = sql`${abuseCounters.windowStart} <= ${now - cap.windowMs}`;
  return deps.db
    .insert(abuseCounters)
    .values({
      subject,
      windowStart: now,
      failures: 1,
      lockedUntil: cap.failures <= 1 ? now + cap.lockMs : null,
    })
    .onConflictDoUpdate({
      target: abuseCounters.subject,
      set: {
        windowStart: sql`case when ${fresh} then ${now} else ${abuseCounters.windowStart} end`,
        failures: sql`case when ${fresh} then 1 else ${abuseCounters.failures} + 1 end`,
        lockedUntil: sql`case
          when not (${fresh}) and ${abuseCounters.failures} + 1 >= ${cap.failures} then ${now + cap.lockMs}
          else ${abuseCounters.lockedUntil} end`,
      },
    })
    .returning({ lockedUntil: abuseCounters.lockedUntil });
}

/**
 * Counts one failed attempt against each subject (in one batch) and answers the latest lock now in
 * force, if any: the attempt that reaches a cap is told when to try again.
 */
export async function countFailure(
  deps: Deps,
  subjects: readonly { kind: CapKind; id: string }[],
): Promise<number | null> {
  const now = deps.clock.now();
  if (subjects.length === 0) return null;
  const statements = subjects.map((s) => countStatement(deps, `${s.kind}:${s.id}`, ABUSE_CAPS[s.kind], now));
  const results = await deps.db.batch(statements as unknown as [(typeof statements)[0]]);
  let until: number | null = null;
  for (const rows of results as { lockedUntil: number | null }[][])
    for (const r of rows)
      if (r.lockedUntil !== null && r.lockedUntil > now) until = Math.max(until ?? 0, r.lockedUntil);
  return until;
}

/** The subjects a failed attempt by this caller counts against: its key, its organisation, its address. */
export function failureSubjects(principal: Principal, caller: Caller): { kind: CapKind; id: string }[] {
  const out: { kind: CapKind; id: string }[] = [];
  if (principal.role === 'operator') return out;
  out.push({ kind: 'key', id: principal.keyId }, { kind: 'org', id: principal.organizationId });
  const from = caller.resolved ? caller.source : caller.key.from;
  if (from) out.push({ kind: 'ip', id: from });
  return out;
}

/** Deletes counters whose window and lock are both over (run by the cron trigger). */
export async function purgeAbuseCounters(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const longest = Math.max(...Object.values(ABUSE_CAPS).map((c) => c.windowMs));
  const res = await deps.db
    .delete(abuseCounters)
    .where(
      sql`${abuseCounters.windowStart} <= ${now - longest} and coalesce(${abuseCounters.lockedUntil}, 0) <= ${now}`,
    )
    .run();
  return res.meta.changes ?? 0;
}

/** Counts a failed attempt of this caller (awaited: the count is exact); answers the lock now in force. */
export async function noteFailure(deps: Deps, principal: Principal, caller: Caller, what: string) {
  const until = await countFailure(deps, failureSubjects(principal, caller));
  if (until !== null)
    deps.log({
      level: 'warn',
      event: 'caller_locked',
      what,
      organization_id: principal.organizationId,
      until,
    });
  return until;
}
