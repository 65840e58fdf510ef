import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type OrgPrincipal,
  type PlanItemStatus,
  planItems,
  runBatch,
  type StaffRole,
  staffMembers,
} from '@gratia/db';
import { and, eq, isNull, sql } from 'drizzle-orm';

// One item of a patient's plan, changed by the staff who carry it out: done (with what came of it),
// skipped, moved to another day or handed to a colleague. Owners and managers (and the clinic's API
// keys) change any item of the clinic, and may reopen one; any other staff member changes only the items
// on their own agenda, and may not reopen or hand them on. The rule is checked twice: here, to say why,
// and in the update's own WHERE, so that an item handed to someone else meanwhile is not changed.

/** Roles that change any item of the clinic (and reopen or reassign). */
export const PLAN_MANAGERS: readonly StaffRole[] = ['owner', 'manager'];

export const OUTCOME_MAX = 500;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A date that is a real day of the calendar (YYYY-MM-DD). */
export const isPlanDate = (s: string) =>
  DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

export interface PlanItemChange {
  status?: PlanItemStatus;
  outcome?: string | null;
  dueOn?: string;
  /** Another staff member of the clinic, or null: nobody's. */
  ownerStaffId?: string | null;
}

export interface UpdatedPlanItem {
  id: string;
  patientId: string;
  kind: string;
  channel: string;
  purpose: string;
  dueOn: string;
  ownerStaffId: string | null;
  costAmount: number | null;
  currency: string | null;
  status: PlanItemStatus;
  outcome: string | null;
  doneAt: number | null;
  doneByStaffId: string | null;
  source: string;
  updatedAt: number;
}

const itemColumns = {
  id: planItems.id,
  patientId: planItems.patientId,
  kind: planItems.kind,
  channel: planItems.channel,
  purpose: planItems.purpose,
  dueOn: planItems.dueOn,
  ownerStaffId: planItems.ownerStaffId,
  costAmount: planItems.costAmount,
  currency: planItems.currency,
  status: planItems.status,
  outcome: planItems.outcome,
  doneAt: planItems.doneAt,
  doneByStaffId: planItems.doneByStaffId,
  source: planItems.source,
  updatedAt: planItems.updatedAt,
};

/** Whether the caller may change any item of the clinic (an API key acts for the whole clinic). */
export const managesPlan = (p: OrgPrincipal) => !p.staff || PLAN_MANAGERS.includes(p.staff.role);

/** What is wrong with a change, by field (empty: nothing). */
export function checkPlanItemChange(c: PlanItemChange) {
  const errors: { path: string; message: string }[] = [];
  if (
    c.status === undefined &&
    c.outcome === undefined &&
    c.dueOn === undefined &&
    c.ownerStaffId === undefined
  )
    errors.push({ path: '', message: 'say what to change: status, outcome, due_on or owner_staff_id' });
  const outcome = c.outcome?.trim() ?? '';
  if (c.outcome != null && (outcome.length === 0 || outcome.length > OUTCOME_MAX))
    errors.push({ path: 'outcome', message: `must be 1 to ${OUTCOME_MAX} characters` });
  if (c.status === 'done' && c.outcome == null)
    errors.push({ path: 'outcome', message: 'say in a few words what came of it to mark it done' });
  if (c.dueOn !== undefined && !isPlanDate(c.dueOn))
    errors.push({ path: 'due_on', message: 'must be a date, YYYY-MM-DD' });
  if (c.ownerStaffId != null && !isId('stf', c.ownerStaffId))
    errors.push({ path: 'owner_staff_id', message: 'must be a staff member id (stf_...)' });
  return errors;
}

type ItemRefusal = 'plan_item_not_found' | 'validation_failed' | 'forbidden' | 'unauthorized';

/**
 * Changes one item of the clinic's plan, with its audit entry, in one batch. Marking it done or skipped
 * records when and by whom (the signed-in staff member); reopening clears that.
 */
export async function updatePlanItem(
  deps: Deps,
  input: { clinic: OrgPrincipal; itemId: string } & PlanItemChange,
): Promise<Result<UpdatedPlanItem, Refusal<ItemRefusal>>> {
  const notFound = err({ code: 'plan_item_not_found' as const, detail: `No plan item ${input.itemId}` });
  if (!isId('pli', input.itemId)) return notFound;
  const errors = checkPlanItemChange(input);
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The change to the item is not valid', errors });
  const p = input.clinic;
  const manager = managesPlan(p);
  if (!manager && input.status === 'planned')
    return err({ code: 'forbidden', detail: 'Only an owner or a manager may reopen an item of the plan' });
  if (!manager && input.ownerStaffId !== undefined)
    return err({
      code: 'forbidden',
      detail: 'Only an owner or a manager may hand an item of the plan to another staff member',
    });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = p.organizationId;
  const me = p.staff?.id ?? null;
  const outcome = input.outcome == null ? input.outcome : input.outcome.trim();
  const closing = input.status === 'done' || input.status === 'skipped';

  const set: Record<string, unknown> = { updatedAt: now };
  if (input.status !== undefined) set.status = input.status;
  if (outcome !== undefined) set.outcome = outcome;
  if (input.dueOn !== undefined) set.dueOn = input.dueOn;
  if (input.ownerStaffId !== undefined) set.ownerStaffId = input.ownerStaffId;
  if (closing) {
    // Marked done again (to correct the outcome): when and by whom stay the first time's.
    set.doneAt = sql`case when ${planItems.status} = ${input.status} then ${planItems.doneAt} else ${now} end`;
    set.doneByStaffId = sql`case when ${planItems.status} = ${input.status} then ${planItems.doneByStaffId} else ${me} end`;
  } else if (input.status === 'planned') {
    set.doneAt = null;
    set.doneByStaffId = null;
  }

  const ownerOk =
    input.ownerStaffId == null
      ? sql`1`
      : sql`exists (select 1 from staff_members m where m.id = ${input.ownerStaffId}
          and m.organization_id = ${clinicId} and m.removed_at is null)`;
  const guard = sql`${planItems.id} = ${input.itemId} and ${planItems.clinicId} = ${clinicId}
    and ${manager ? sql`1` : sql`${planItems.ownerStaffId} = ${me}`}
    and ${ownerOk}
    and exists (select 1 from api_keys k where k.id = ${p.keyId} and k.revoked_at is null)`;
  const detail: Record<string, unknown> = {};
  if (input.status !== undefined) detail.status = input.status;
  if (input.dueOn !== undefined) detail.due_on = input.dueOn;
  if (input.ownerStaffId !== undefined) detail.owner_staff_id = input.ownerStaffId;
  if (outcome !== undefined) detail.outcome = outcome === null ? null : 'set';

  const out = await runBatch(db, {
    before: db
      .select(itemColumns)
      .from(planItems)
      .where(and(eq(planItems.id, input.itemId), eq(planItems.clinicId, clinicId))),
    owner:
      input.ownerStaffId == null
        ? db.select({ id: staffMembers.id }).from(staffMembers).where(sql`0`)
        : db
            .select({ id: staffMembers.id })
            .from(staffMembers)
            .where(
              and(
                eq(staffMembers.id, input.ownerStaffId),
                eq(staffMembers.organizationId, clinicId),
                isNull(staffMembers.removedAt),
              ),
            ),
    // Just before the update, under the update's own guard: it holds exactly when the update applies.
    audit: auditEntry(db, {
      actor: actorOf(p),
      organizationId: clinicId,
      action: 'plan_item.update',
      subject: { type: 'plan_item', id: input.itemId },
      patientId: sql`(select i.patient_id from plan_items i where i.id = ${input.itemId} and i.clinic_id = ${clinicId})`,
      detail,
      when: sql`exists (select 1 from plan_items where ${guard})`,
      at: now,
    }),
    update: db.update(planItems).set(set).where(guard).returning(itemColumns),
  });
  const before = out.before[0];
  if (!before) return notFound;
  const after = out.update[0];
  if (after) return ok(after as UpdatedPlanItem);
  if (input.ownerStaffId != null && out.owner.length === 0)
    return err({
      code: 'validation_failed',
      detail: 'The new owner is not a staff member of the clinic',
      errors: [{ path: 'owner_staff_id', message: 'must be a current staff member of the clinic' }],
    });
  if (!manager && before.ownerStaffId !== me)
    return err({
      code: 'forbidden',
      detail:
        'This item is on another staff member’s agenda: only they, a manager or the owner may change it',
    });
  return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}
