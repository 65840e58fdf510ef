import { err, newId, ok, type Refusal, type Result, randomToken, sha256Hex } from '@gratia/core';
import {
  type ApiKey,
  actorOf,
  apiKeys,
  auditEntry,
  type Deps,
  type Organization,
  type OrganizationKind,
  organizations,
  type PartnerCategory,
  type Principal,
  runBatch,
  timezoneMonthsStatement,
} from '@gratia/db';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';

// The network: the operator onboards clinics and partners and issues their API keys.

export interface NewOrganization {
  kind: OrganizationKind;
  name: string;
  category?: PartnerCategory;
  currency: string;
  timezone: string;
  email?: string;
  phone?: string;
  address?: string;
  website?: string;
  bookingUrl?: string;
  /** Where a partner is, in degrees times 1e6 (both or neither). */
  latitudeE6?: number;
  longitudeE6?: number;
}

/** Onboards a clinic or partner (the operator's). */
export async function createOrganization(deps: Deps, input: NewOrganization): Promise<Organization> {
  const now = deps.clock.now();
  const id = newId('org', now);
  const [row] = (
    await runBatch(deps.db, {
      row: deps.db
        .insert(organizations)
        .values({
          id,
          kind: input.kind,
          name: input.name,
          category: input.kind === 'partner' ? (input.category ?? null) : null,
          currency: input.currency,
          timezone: input.timezone,
          email: input.email ?? null,
          phone: input.phone ?? null,
          address: input.address ?? null,
          website: input.website ?? null,
          bookingUrl: input.bookingUrl ?? null,
          latitudeE6: input.latitudeE6 ?? null,
          longitudeE6: input.longitudeE6 ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      audit: auditEntry(deps.db, {
        actor: 'operator',
        organizationId: id,
        action: 'organization.create',
        subject: { type: 'organization', id },
        detail: { kind: input.kind },
        at: now,
      }),
      // A clinic's reports count by its own months: its zone's months must be there before its first record.
      ...(input.kind === 'clinic' ? { months: timezoneMonthsStatement(deps.db, input.timezone) } : {}),
    })
  ).row;
  return row!;
}

export async function listOrganizations(
  deps: Deps,
  input: { kind?: OrganizationKind; after?: string; limit: number },
): Promise<Organization[]> {
  return deps.db
    .select()
    .from(organizations)
    .where(
      and(
        input.kind ? eq(organizations.kind, input.kind) : undefined,
        input.after ? gt(organizations.id, input.after) : undefined,
      ),
    )
    .orderBy(asc(organizations.id))
    .limit(input.limit);
}

export async function readOrganization(
  deps: Deps,
  input: { organizationId: string },
): Promise<Result<Organization, Refusal<'organization_not_found'>>> {
  const [row] = await deps.db.select().from(organizations).where(eq(organizations.id, input.organizationId));
  return row
    ? ok(row)
    : err({ code: 'organization_not_found', detail: `No organisation ${input.organizationId}` });
}

/** Secrets carry 256 bits of randomness; the readable prefix says which kind of organisation holds them. */
export function newApiKeySecret(kind: OrganizationKind): string {
  return `gr_${kind === 'clinic' ? 'cln' : 'ptn'}_${randomToken(32)}`;
}

/** Issues a key (the operator's); the secret is in this answer only (the database keeps its SHA-256). */
export async function issueApiKey(
  deps: Deps,
  input: { organizationId: string; name?: string },
): Promise<Result<{ key: ApiKey; secret: string }, Refusal<'organization_not_found'>>> {
  const { db } = deps;
  const [org] = await db
    .select({ id: organizations.id, kind: organizations.kind })
    .from(organizations)
    .where(eq(organizations.id, input.organizationId));
  if (!org) return err({ code: 'organization_not_found', detail: `No organisation ${input.organizationId}` });
  const now = deps.clock.now();
  const secret = newApiKeySecret(org.kind);
  const id = newId('key', now);
  const [key] = (
    await runBatch(db, {
      row: db
        .insert(apiKeys)
        .values({
          id,
          organizationId: org.id,
          name: input.name ?? null,
          prefix: secret.slice(0, 14),
          secretHash: await sha256Hex(secret),
          createdAt: now,
        })
        .returning(),
      audit: auditEntry(db, {
        actor: 'operator',
        organizationId: org.id,
        action: 'api_key.issue',
        subject: { type: 'api_key', id },
        detail: input.name ? { name: input.name } : null,
        at: now,
      }),
    })
  ).row;
  return ok({ key: key!, secret });
}

export async function listApiKeys(
  deps: Deps,
  input: { organizationId: string; after?: string; limit: number },
): Promise<ApiKey[]> {
  return deps.db
    .select()
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.organizationId, input.organizationId),
        // Staff members' console keys are theirs, not the organisation's: removing the staff member ends them.
        eq(apiKeys.kind, 'api'),
        input.after ? gt(apiKeys.id, input.after) : undefined,
      ),
    )
    .orderBy(asc(apiKeys.id))
    .limit(input.limit);
}

/** Revokes a key (the operator any, an organisation its own); revoking twice answers it unchanged. */
export async function revokeApiKey(
  deps: Deps,
  input: { principal: Principal; keyId: string },
): Promise<Result<ApiKey, Refusal<'api_key_not_found'>>> {
  const { db } = deps;
  const p = input.principal;
  const mine = and(
    p.role === 'operator' ? undefined : eq(apiKeys.organizationId, p.organizationId),
    eq(apiKeys.kind, 'api'),
  );
  const now = deps.clock.now();
  const revocable = and(eq(apiKeys.id, input.keyId), isNull(apiKeys.revokedAt), mine);
  const done = await runBatch(db, {
    // Before the revocation, on its own guard: a key revoking itself still proves who acted, and
    // revoking a revoked key records nothing.
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: sql`(select x.organization_id from api_keys x where x.id = ${input.keyId})`,
      action: 'api_key.revoke',
      subject: { type: 'api_key', id: input.keyId },
      when: sql`exists (select 1 from ${apiKeys} where ${revocable})`,
      at: now,
    }),
    revoked: db.update(apiKeys).set({ revokedAt: now }).where(revocable).returning(),
    current: db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, input.keyId), mine)),
  });
  const row = done.revoked[0] ?? done.current[0];
  return row ? ok(row) : err({ code: 'api_key_not_found', detail: `No API key ${input.keyId}` });
}
