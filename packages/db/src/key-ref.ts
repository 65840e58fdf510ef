import { MINUTE_MS } from '@gratia/core';
import { sql } from 'drizzle-orm';

// A presented API key inside a guarded D1 batch. The counter's writes prove who is acting from the key
// itself, in SQL, so that the key lookup can share the batch's single round trip.

/**
 * The key presented: the SHA-256 of its secret (API), its id (a key already looked up), or a page
 * session's id (the counter page: the session row must be live as well). `at` is the request's time
 * and `from` its source address: with `at`, a key, organisation or address locked for failed attempts
 * (abuse_counters) proves nothing, so a locked caller writes nothing either.
 */
export type KeyRef = ({ hash: string } | { id: string } | { session: string }) & {
  at?: number;
  from?: string | null;
};

/** A page session ends after this long without a request (its last_seen_at is refreshed as it is used). */
export const SESSION_IDLE_MS = 30 * MINUTE_MS;

/** The abuse subjects of a key row `k` and a source address, as SQL values. */
export const lockSubjects = (from: string | null | undefined) =>
  from
    ? sql`('key:' || k.id, 'org:' || k.organization_id, 'ip:' || ${from})`
    : sql`('key:' || k.id, 'org:' || k.organization_id)`;

/** A condition on `api_keys k` matching the presented key, locked or not. */
export function keyMatchUnlocked(key: KeyRef) {
  return 'hash' in key
    ? sql`k.secret_hash = ${key.hash}`
    : 'id' in key
      ? sql`k.id = ${key.id}`
      : sql`k.id = (select s.key_id from page_sessions s
            where s.id = ${key.session} and s.ended_at is null and s.expires_at > ${key.at ?? 0}
              and s.last_seen_at > ${(key.at ?? 0) - SESSION_IDLE_MS})`;
}

/** The lock a presented key is under (the latest `locked_until` of its subjects), as a SQL value. */
export const lockOf = (key: KeyRef) =>
  key.at === undefined
    ? sql`null`
    : sql`(select max(a.locked_until) from abuse_counters a
        where a.subject in ${lockSubjects(key.from)} and a.locked_until > ${key.at})`;

/** A condition on `api_keys k` matching the presented key, if it is not locked. */
export function keyMatch(key: KeyRef) {
  const match = keyMatchUnlocked(key);
  if (key.at === undefined) return match;
  return sql`${match} and not exists (select 1 from abuse_counters a
    where a.subject in ${lockSubjects(key.from)} and a.locked_until > ${key.at})`;
}

/** The id of the organisation of the presented, unrevoked key, if it is of one of `kinds`. */
export const organizationOfKey = (key: KeyRef, kinds: readonly ('clinic' | 'partner')[]) => sql`(
  select o.id from api_keys k join organizations o on o.id = k.organization_id
  where ${keyMatch(key)} and k.revoked_at is null and o.kind in ${kinds}
)`;

/** The presented key's own id. */
export const keyIdOf = (key: KeyRef) => sql`(select k.id from api_keys k where ${keyMatch(key)})`;

/**
 * The organisation of the presented, unrevoked key, whatever its kind: routes that authorise after
 * their batch (authorizeDeferred) filter tenant rows by it inside that batch.
 */
export const keyOrganization = (key: KeyRef) =>
  sql`(select k.organization_id from api_keys k where ${keyMatch(key)} and k.revoked_at is null)`;
