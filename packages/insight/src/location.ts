import { err, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type Organization,
  type OrgPrincipal,
  organizations,
  runBatch,
  type StaffRole,
  staffRefusal,
} from '@gratia/db';
import { and, eq } from 'drizzle-orm';
import { type LatLng, toE6 } from './places';

// Where a partner is: set by the partner itself (its owners, or its API keys), so clinics can suggest
// its offers to patients near one of their branches first.

/** Who of a partner's staff may say where it is: its owners (as for its offers). */
export const LOCATION_EDITORS: readonly StaffRole[] = ['owner'];

export async function setPartnerLocation(
  deps: Deps,
  input: { partner: OrgPrincipal; place: LatLng; address?: string | null },
): Promise<Result<Organization, Refusal<'forbidden' | 'organization_not_found'>>> {
  const refused = staffRefusal(input.partner, LOCATION_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const { db } = deps;
  const now = deps.clock.now();
  const id = input.partner.organizationId;
  const done = await runBatch(db, {
    row: db
      .update(organizations)
      .set({
        latitudeE6: toE6(input.place.latitude),
        longitudeE6: toE6(input.place.longitude),
        ...(input.address !== undefined && { address: input.address }),
        updatedAt: now,
      })
      .where(and(eq(organizations.id, id), eq(organizations.kind, 'partner')))
      .returning(),
    audit: auditEntry(db, {
      actor: actorOf(input.partner),
      organizationId: id,
      action: 'organization.locate',
      subject: { type: 'organization', id },
      detail: { address_changed: input.address !== undefined },
      at: now,
    }),
  });
  const [row] = done.row;
  return row ? ok(row) : err({ code: 'organization_not_found', detail: `No partner ${id}` });
}

/** A partner's own organisation row (what its location form shows). */
export async function readOwnOrganization(deps: Deps, input: { partner: OrgPrincipal }) {
  const [row] = await deps.db
    .select()
    .from(organizations)
    .where(eq(organizations.id, input.partner.organizationId));
  return row ?? null;
}
