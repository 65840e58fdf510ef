import { sql } from 'drizzle-orm';

// A presented API key inside a guarded D1 batch. The counter's writes prove who is acting from the key
// itself, in SQL, so that the key lookup can share the batch's single round trip.

/** The key presented: the SHA-256 of its secret (API), or its id (a counter-page session). */
export type KeyRef = { hash: string } | { id: string };

/** A condition on `api_keys k` matching the presented key. */
export const keyMatch = (key: KeyRef) =>
  'hash' in key ? sql`k.secret_hash = ${key.hash}` : sql`k.id = ${key.id}`;

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
