import { addDays, err, isId, localDate, ok, type Refusal, type Result } from '@gratia/core';
import {
  calendarFeeds,
  type Db,
  type Deps,
  type OrgPrincipal,
  type PlanItemStatus,
  patients,
  planItems,
  runBatch,
  type StaffRole,
  staffMembers,
} from '@gratia/db';
import { and, asc, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import { isPlanDate, managesPlan } from './items';

// A staff member's agenda: their items of the plan for a week (Monday to Sunday in the clinic's
// timezone, unless asked for other days), and before them whatever of theirs is still planned but was
// due earlier (overdue), oldest first. Each item comes with the patient's name and how to reach them.
// One round trip, reading only that owner's items through plan_items_owner_idx (clinic, owner, status,
// due date): the window's items of each status, and the overdue ones up to a cap.

/** At most this many days at once, and this many items of the window and overdue ones. */
export const AGENDA_MAX_DAYS = 42;
export const AGENDA_MAX_ITEMS = 300;
export const OVERDUE_MAX = 100;
/** The staff an owner or manager picks from (a clinic's staff is a few dozen at most). */
const STAFF_MAX = 200;

export interface AgendaItem {
  id: string;
  patientId: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  email: string | null;
  kind: string;
  channel: string;
  purpose: string;
  dueOn: string;
  costAmount: number | null;
  currency: string | null;
  status: PlanItemStatus;
  outcome: string | null;
  doneAt: number | null;
  source: string;
}

export interface Agenda {
  owner: { id: string; name: string; role: StaffRole };
  from: string;
  to: string;
  today: string;
  /** Still planned, due before `from`: oldest first (at most OVERDUE_MAX; `overdueMore`: there are more). */
  overdue: AgendaItem[];
  overdueMore: boolean;
  /** Every item of theirs due from `from` to `to`, by day. */
  items: AgendaItem[];
  /** With `withStaff`: the clinic's current staff, by name (whose agenda an owner or manager may pick). */
  staff: { id: string; name: string; role: StaffRole }[];
  /** With `withFeed`: the owner's calendar feed, if they have one (its URL is never shown again). */
  feed: { createdAt: number; lastFetchedAt: number | null } | null;
}

/** The columns of an item with its patient (every name distinct: D1 batch rows are keyed by name). */
export const agendaColumns = {
  id: planItems.id,
  patientId: planItems.patientId,
  firstName: patients.firstName,
  lastName: patients.lastName,
  phone: patients.phone,
  email: patients.email,
  kind: planItems.kind,
  channel: planItems.channel,
  purpose: planItems.purpose,
  dueOn: planItems.dueOn,
  costAmount: planItems.costAmount,
  currency: planItems.currency,
  status: planItems.status,
  outcome: planItems.outcome,
  doneAt: planItems.doneAt,
  source: planItems.source,
};

/** The Monday of the week `date` falls in. */
export function mondayOf(date: string): string {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((dow + 6) % 7));
}

const itemsOf = (db: Db, where: ReturnType<typeof and>) =>
  db
    .select(agendaColumns)
    .from(planItems)
    .innerJoin(patients, eq(patients.id, planItems.patientId))
    .where(where);

type AgendaRefusal = 'validation_failed' | 'forbidden' | 'staff_not_found';

/**
 * A staff member's agenda. `owner`: a staff member's id, or 'me' (the signed-in staff member; an API key
 * acts for no one, so it names one). Staff other than owners and managers see only their own.
 */
export async function readAgenda(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    owner: string;
    from?: string;
    to?: string;
    /** The console's extras, read in the same round trip. */
    withStaff?: boolean;
    withFeed?: boolean;
  },
): Promise<Result<Agenda, Refusal<AgendaRefusal>>> {
  const p = input.clinic;
  const ownerId = input.owner === 'me' ? (p.staff?.id ?? null) : input.owner;
  if (ownerId === null)
    return err({
      code: 'validation_failed',
      detail: 'An API key acts for no one: name the staff member whose agenda to read',
      errors: [{ path: 'owner', message: 'give a staff member id (stf_...) with an API key' }],
    });
  if (!isId('stf', ownerId))
    return err({
      code: 'validation_failed',
      detail: 'The owner is not valid',
      errors: [{ path: 'owner', message: 'must be a staff member id (stf_...) or me' }],
    });
  if (!managesPlan(p) && ownerId !== p.staff?.id)
    return err({
      code: 'forbidden',
      detail: 'Only an owner or a manager may read another staff member’s agenda',
    });
  const today = localDate(deps.clock.now(), p.organization.timezone);
  const from = input.from ?? mondayOf(today);
  const to = input.to ?? addDays(from, 6);
  const errors: { path: string; message: string }[] = [];
  if (!isPlanDate(from)) errors.push({ path: 'from', message: 'must be a date, YYYY-MM-DD' });
  if (!isPlanDate(to)) errors.push({ path: 'to', message: 'must be a date, YYYY-MM-DD' });
  else if (isPlanDate(from) && (to < from || addDays(from, AGENDA_MAX_DAYS - 1) < to))
    errors.push({ path: 'to', message: `must be on or after from, at most ${AGENDA_MAX_DAYS} days on` });
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The days asked are not valid', errors });

  const { db } = deps;
  const clinicId = p.organizationId;
  const mine = and(eq(planItems.clinicId, clinicId), eq(planItems.ownerStaffId, ownerId));
  const out = await runBatch(db, {
    owner: db
      .select({ id: staffMembers.id, name: staffMembers.name, role: staffMembers.role })
      .from(staffMembers)
      .where(
        and(
          eq(staffMembers.id, ownerId),
          eq(staffMembers.organizationId, clinicId),
          isNull(staffMembers.removedAt),
        ),
      ),
    overdue: itemsOf(db, and(mine, eq(planItems.status, 'planned'), lt(planItems.dueOn, from)))
      .orderBy(asc(planItems.dueOn), asc(planItems.id))
      .limit(OVERDUE_MAX + 1),
    items: itemsOf(
      db,
      and(
        mine,
        sql`${planItems.status} in ('planned', 'done', 'skipped')`,
        gte(planItems.dueOn, from),
        lte(planItems.dueOn, to),
      ),
    )
      .orderBy(asc(planItems.dueOn), asc(planItems.id))
      .limit(AGENDA_MAX_ITEMS),
    staff: db
      .select({ id: staffMembers.id, name: staffMembers.name, role: staffMembers.role })
      .from(staffMembers)
      .where(
        input.withStaff
          ? and(eq(staffMembers.organizationId, clinicId), isNull(staffMembers.removedAt))
          : sql`0`,
      )
      .orderBy(asc(staffMembers.name))
      .limit(STAFF_MAX),
    feed: db
      .select({ createdAt: calendarFeeds.createdAt, lastFetchedAt: calendarFeeds.lastFetchedAt })
      .from(calendarFeeds)
      .where(
        input.withFeed
          ? and(eq(calendarFeeds.staffId, ownerId), eq(calendarFeeds.clinicId, clinicId))
          : sql`0`,
      ),
  });
  const owner = out.owner[0];
  if (!owner) return err({ code: 'staff_not_found', detail: `No staff member ${ownerId}` });
  const more = out.overdue.length > OVERDUE_MAX;
  return ok({
    owner,
    from,
    to,
    today,
    overdue: (more ? out.overdue.slice(0, OVERDUE_MAX) : out.overdue) as AgendaItem[],
    overdueMore: more,
    items: out.items as AgendaItem[],
    staff: out.staff,
    feed: out.feed[0] ?? null,
  });
}
