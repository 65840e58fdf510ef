import { type Clock, err, MINUTE_MS, ok, type Refusal, type Result } from '@gratia/core';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from './index';
import { type KeyRef, keyMatchUnlocked, lockOf } from './key-ref';
import { apiKeys } from './schema/api-keys';
import { organizations } from './schema/organizations';
import { type StaffRole, staffMembers } from './schema/staff';

// Who is calling. A caller is either known already (the operator, or a key the request pipeline looked
// up), or a presented key that a use case resolves inside its own D1 batch, so that the counter's hot
// paths cost one round trip. Either way a use case takes a Caller and settles it from its batch before
// it looks at anything else: there is no way to reach an outcome without passing the key check.

export type Role = 'operator' | 'clinic' | 'partner';

export interface OrganizationOfKey {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  category: string | null;
}

/** The staff member a console key belongs to (an organisation's API keys belong to no one). */
export interface StaffOfKey {
  id: string;
  name: string;
  role: StaffRole;
}

export type Principal =
  | { role: 'operator'; organizationId: null; keyId: null; scope: 'operator' }
  | {
      role: 'clinic' | 'partner';
      organizationId: string;
      keyId: string;
      scope: string;
      organization: OrganizationOfKey;
      /** Set when a staff member acts (through their console key); their role limits what they may do. */
      staff?: StaffOfKey | null;
    };
export type OrgPrincipal = Extract<Principal, { role: 'clinic' | 'partner' }>;

export const OPERATOR: Principal = { role: 'operator', organizationId: null, keyId: null, scope: 'operator' };

export type Caller =
  | {
      resolved: true;
      principal: Principal;
      /** The request's source address, for counting failed attempts against it. */
      source?: string | null;
    }
  | {
      resolved: false;
      key: KeyRef;
      roles: readonly Role[];
      /** A page session is bound to one organisation: its key must still belong to it. */
      organizationId?: string;
    };

export const knownCaller = (principal: Principal, source: string | null = null): Caller => ({
  resolved: true,
  principal,
  source,
});

/**
 * The query that resolves a presented key to its organisation; a deferred use case puts it in its own
 * batch. Every selected column has a distinct name: D1 batch rows are keyed by column name.
 */
export function keyLookup(db: Db, key: KeyRef) {
  const k = alias(apiKeys, 'k');
  return db
    .select({
      keyId: k.id,
      lastUsedAt: k.lastUsedAt,
      organizationId: sql<string>`${organizations.id}`.as('organization_id'),
      kind: organizations.kind,
      name: organizations.name,
      currency: organizations.currency,
      timezone: organizations.timezone,
      category: organizations.category,
      lockedUntil: sql<number | null>`${lockOf(key)}`.as('locked_until'),
      staffId: sql<string | null>`${staffMembers.id}`.as('staff_id'),
      staffName: sql<string | null>`${staffMembers.name}`.as('staff_name'),
      staffRole: sql<StaffRole | null>`${staffMembers.role}`.as('staff_role'),
    })
    .from(k)
    .innerJoin(organizations, eq(organizations.id, k.organizationId))
    .leftJoin(staffMembers, eq(staffMembers.keyId, k.id))
    .where(and(keyMatchUnlocked(key), isNull(k.revokedAt)))
    .limit(1);
}
export type KeyRow = Awaited<ReturnType<typeof keyLookup>>[number];

/** The key a guarded statement proves the caller by: the presented key, or a known key by id. */
export const keyRefOf = (caller: Caller): KeyRef =>
  caller.resolved ? { id: caller.principal.keyId ?? '' } : caller.key;

export function principalFromKey(row: KeyRow): OrgPrincipal {
  return {
    role: row.kind,
    organizationId: row.organizationId,
    keyId: row.keyId,
    scope: row.organizationId,
    organization: {
      id: row.organizationId,
      name: row.name,
      currency: row.currency,
      timezone: row.timezone,
      category: row.category,
    },
    staff:
      row.staffId && row.staffName && row.staffRole
        ? { id: row.staffId, name: row.staffName, role: row.staffRole }
        : null,
  };
}

/**
 * What a staff member's role does not allow: `roles` are the staff roles admitted (an organisation's
 * API key, acting for the whole organisation, is admitted wherever its kind is).
 */
export function staffRefusal(principal: Principal, roles: readonly StaffRole[]): AuthRefusal | null {
  if (principal.role === 'operator' || !principal.staff || roles.includes(principal.staff.role)) return null;
  return {
    code: 'forbidden',
    detail: `This is for ${roles.join(' or ')} staff; you are signed in as ${principal.staff.role.replace('_', ' ')}`,
  };
}

export type AuthRefusal = Refusal<'unauthorized' | 'forbidden' | 'rate_limited'>;

/** The refusal of a caller locked out for failed attempts, with when to try again. */
export const lockedRefusal = (until: number): AuthRefusal => ({
  code: 'rate_limited',
  detail: `Too many failed attempts: try again after ${new Date(until).toISOString()}`,
  retryAt: until,
});

export function roleRefusal(principal: Principal, roles: readonly Role[]): AuthRefusal | null {
  if (roles.includes(principal.role)) return null;
  return {
    code: 'forbidden',
    detail: `This operation is for ${roles.join(' or ')} keys; this is a ${principal.role} key`,
  };
}

/** Settles a caller from the rows of its lookup: the principal, or why it may not act. */
export function settleCaller(caller: Caller, rows: readonly KeyRow[]): Result<Principal, AuthRefusal> {
  if (caller.resolved) return ok(caller.principal);
  const row = rows[0];
  if (!row || (caller.organizationId !== undefined && row.organizationId !== caller.organizationId))
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  if (row.lockedUntil !== null) return err(lockedRefusal(row.lockedUntil));
  const principal = principalFromKey(row);
  const refusal = roleRefusal(principal, caller.roles);
  return refusal ? err(refusal) : ok(principal);
}

/** last_used_at is refreshed at most this often, so a busy key does not write on every request. */
const LAST_USED_RESOLUTION_MS = 5 * MINUTE_MS;

/** Refreshes a key's last_used_at when it is stale; the write is returned for the caller to defer. */
export function touchKey(db: Db, clock: Clock, row: KeyRow): Promise<unknown> | null {
  const now = clock.now();
  if (row.lastUsedAt !== null && now - row.lastUsedAt < LAST_USED_RESOLUTION_MS) return null;
  return db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now))))
    .run();
}
