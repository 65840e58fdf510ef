import { err, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type ClinicBranch,
  clinicBranches,
  type Deps,
  type OrgPrincipal,
  runBatch,
  type StaffRole,
  staffRefusal,
} from '@gratia/db';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { type LatLng, toE6 } from './places';

// A clinic's branches (locations): a name, an address and where it is, so partners near the branch a
// patient prefers are suggested first. Archiving takes a branch off the list and out of suggestions;
// patients who preferred it fall back to the clinic's first branch.

/** Who may change the branches: owners and managers (and the clinic's API keys). */
export const BRANCH_EDITORS: readonly StaffRole[] = ['owner', 'manager'];

/** A clinic has a handful of branches; the list (and every read of it) stops here. */
export const MAX_BRANCHES = 50;

export interface BranchFields {
  name: string;
  address: string | null;
  /** Decimal degrees; null: not placed on the map. */
  place: LatLng | null;
}

type Forbidden = Refusal<'forbidden'>;

const editorRefusal = (clinic: OrgPrincipal): Forbidden | null => {
  const refused = staffRefusal(clinic, BRANCH_EDITORS);
  return refused ? { code: 'forbidden', detail: refused.detail } : null;
};

const notFound = (id: string): Refusal<'branch_not_found'> => ({
  code: 'branch_not_found',
  detail: `No branch ${id}`,
});

/**
 * The statement reading a clinic's live branches, oldest first (the first is the clinic's main one);
 * within a millisecond, in the order they were written (rowid).
 */
export const branchRows = (deps: Pick<Deps, 'db'>, clinicId: string) =>
  deps.db
    .select()
    .from(clinicBranches)
    .where(and(eq(clinicBranches.clinicId, clinicId), isNull(clinicBranches.archivedAt)))
    .orderBy(asc(clinicBranches.createdAt), sql`${clinicBranches}.rowid`)
    .limit(MAX_BRANCHES);

export async function listBranches(deps: Deps, input: { clinic: OrgPrincipal }): Promise<ClinicBranch[]> {
  return branchRows(deps, input.clinic.organizationId);
}

const placeColumns = (place: LatLng | null) => ({
  latitudeE6: place ? toE6(place.latitude) : null,
  longitudeE6: place ? toE6(place.longitude) : null,
});

export async function createBranch(
  deps: Deps,
  input: { clinic: OrgPrincipal; branch: BranchFields },
): Promise<Result<ClinicBranch, Forbidden>> {
  const refused = editorRefusal(input.clinic);
  if (refused) return err(refused);
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('brn', now);
  const clinicId = input.clinic.organizationId;
  const b = input.branch;
  const done = await runBatch(db, {
    row: db
      .insert(clinicBranches)
      .values({ id, clinicId, name: b.name, address: b.address, ...placeColumns(b.place), createdAt: now })
      .returning(),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'branch.create',
      subject: { type: 'branch', id },
      detail: { name: b.name },
      at: now,
    }),
  });
  return ok(done.row[0]!);
}

/** The fields a change sets (API spelling), for the audit trail. */
const changedFields = (c: Partial<BranchFields>) =>
  [
    c.name !== undefined && 'name',
    c.address !== undefined && 'address',
    c.place !== undefined && 'latitude',
    c.place !== undefined && 'longitude',
  ].filter((f): f is string => Boolean(f));

/** Changes one of the clinic's live branches; another clinic's, or an archived one, is not found. */
export async function updateBranch(
  deps: Deps,
  input: { clinic: OrgPrincipal; branchId: string; changes: Partial<BranchFields> },
): Promise<Result<ClinicBranch, Forbidden | Refusal<'branch_not_found'>>> {
  const refused = editorRefusal(input.clinic);
  if (refused) return err(refused);
  if (!isId('brn', input.branchId)) return err(notFound(input.branchId));
  const { db } = deps;
  const now = deps.clock.now();
  const c = input.changes;
  const mine = and(
    eq(clinicBranches.id, input.branchId),
    eq(clinicBranches.clinicId, input.clinic.organizationId),
    isNull(clinicBranches.archivedAt),
  );
  const done = await runBatch(db, {
    // Before the update, on its own guard: another clinic's branch (or none) records nothing.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: input.clinic.organizationId,
      action: 'branch.update',
      subject: { type: 'branch', id: input.branchId },
      detail: { fields: changedFields(c) },
      when: sql`exists (select 1 from ${clinicBranches} where ${mine})`,
      at: now,
    }),
    row: db
      .update(clinicBranches)
      .set({
        ...(c.name !== undefined && { name: c.name }),
        ...(c.address !== undefined && { address: c.address }),
        ...(c.place !== undefined && placeColumns(c.place)),
      })
      .where(mine)
      .returning(),
  });
  const [row] = done.row;
  return row ? ok(row) : err(notFound(input.branchId));
}

/** Archives one of the clinic's live branches (kept for the record; off the list and out of suggestions). */
export async function archiveBranch(
  deps: Deps,
  input: { clinic: OrgPrincipal; branchId: string },
): Promise<Result<ClinicBranch, Forbidden | Refusal<'branch_not_found'>>> {
  const refused = editorRefusal(input.clinic);
  if (refused) return err(refused);
  if (!isId('brn', input.branchId)) return err(notFound(input.branchId));
  const { db } = deps;
  const now = deps.clock.now();
  const mine = and(
    eq(clinicBranches.id, input.branchId),
    eq(clinicBranches.clinicId, input.clinic.organizationId),
    isNull(clinicBranches.archivedAt),
  );
  const done = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: input.clinic.organizationId,
      action: 'branch.archive',
      subject: { type: 'branch', id: input.branchId },
      when: sql`exists (select 1 from ${clinicBranches} where ${mine})`,
      at: now,
    }),
    row: db.update(clinicBranches).set({ archivedAt: now }).where(mine).returning(),
  });
  const [row] = done.row;
  return row ? ok(row) : err(notFound(input.branchId));
}
