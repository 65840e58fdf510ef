import { addMonths, err, localDate, ok, type Refusal, type Result } from '@gratia/core';
import {
  type BatchResults,
  type Deps,
  type OrgPrincipal,
  patientPlans,
  patients,
  planItems,
  planOwnerOpen,
  planTemplates,
  runBatch,
  staffMembers,
  staffRefusal,
} from '@gratia/db';
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { budgetMonths, budgetQuery, type PlanBudget } from './budget';
import { PLAN_MANAGERS } from './items';

// The clinic's coverage: for each patient with a plan, the interactions done in the last 12 months
// against their template's target, furthest behind first; how many patients are on target, behind or
// without a plan; and the overdue items of each owner. Owners and managers only.
//
// What is read: the done counts come from plan_patient_months (kept by triggers on plan_items), at most
// 12 rows per patient with a plan, so a patient's years of history are never read; the list is sorted
// by how far behind each patient is, which changes with the calendar, so every plan of the clinic is
// read to sort it (a cost that grows with the patients, not with their history). The overdue counts
// come from plan_owner_open (open items per owner and month, whose rows go when they reach zero) for
// the months before this one, and from this month's open items up to yesterday through
// plan_items_clinic_due_idx.

export interface CoverageRow {
  patientId: string;
  firstName: string;
  lastName: string;
  ownerStaffId: string | null;
  ownerName: string | null;
  /** The template's interactions a year (0 for a plan without a template). */
  target: number;
  /** Items done, due in the last 12 months (this month included) or later. */
  done: number;
  /** target − done: how many short (negative: ahead). */
  behind: number;
}

export interface OverdueOwner {
  ownerStaffId: string | null;
  ownerName: string | null;
  count: number;
  oldestDueOn: string;
}

export interface Coverage {
  since: string;
  summary: { patients: number; withPlan: number; onTarget: number; behind: number; withoutPlan: number };
  rows: CoverageRow[];
  next: CoveragePosition | null;
  overdue: OverdueOwner[];
}

export interface CoveragePosition {
  behind: number;
  patientId: string;
}

export interface CoverageInput {
  clinic: OrgPrincipal;
  after: CoveragePosition | null;
  limit: number;
}

export async function readCoverage(
  deps: Deps,
  input: CoverageInput,
): Promise<Result<Coverage, Refusal<'forbidden'>>> {
  const refused = staffRefusal(input.clinic, PLAN_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const q = coverageQuery(deps, input);
  return ok(q.read(await runBatch(deps.db, q.statements)));
}

/** The coverage's statements, to run alone or in another use case's batch, and how to read them. */
export function coverageQuery(deps: Deps, input: CoverageInput) {
  const p = input.clinic;
  const { db } = deps;
  const clinicId = p.organizationId;
  const today = localDate(deps.clock.now(), p.organization.timezone);
  const month = today.slice(0, 7);
  const since = addMonths(month, -11);
  const done = sql<number>`coalesce((select sum(f.done) from plan_patient_months f
    where f.patient_id = ${patientPlans.patientId} and f.month >= ${since}), 0)`;
  const target = sql<number>`coalesce(${planTemplates.interactionsPerYear}, 0)`;
  const plans = db
    .select({
      patientId: sql<string>`${patientPlans.patientId}`.as('patient_id'),
      firstName: patients.firstName,
      lastName: patients.lastName,
      ownerStaffId: sql<string | null>`${patientPlans.ownerStaffId}`.as('owner_staff_id'),
      ownerName: sql<string | null>`${staffMembers.name}`.as('owner_name'),
      target: target.as('target'),
      done: done.as('done'),
      behind: sql<number>`${target} - ${done}`.as('behind'),
    })
    .from(patientPlans)
    .innerJoin(patients, eq(patients.id, patientPlans.patientId))
    .leftJoin(planTemplates, eq(planTemplates.id, patientPlans.templateId))
    .leftJoin(staffMembers, eq(staffMembers.id, patientPlans.ownerStaffId))
    .where(eq(patientPlans.clinicId, clinicId))
    .as('plans');
  const after = input.after;
  const ownerOf = sql`case when ${planOwnerOpen.ownerKey} = '' then null else ${planOwnerOpen.ownerKey} end`;
  const statements = {
    page: db
      .select()
      .from(plans)
      .where(
        after
          ? sql`${plans.behind} < ${after.behind} or (${plans.behind} = ${after.behind} and ${plans.patientId} > ${after.patientId})`
          : undefined,
      )
      .orderBy(desc(plans.behind), asc(plans.patientId))
      .limit(input.limit + 1),
    summary: db
      .select({
        withPlan: sql<number>`count(*)`.as('with_plan'),
        onTarget: sql<number>`coalesce(sum(${plans.behind} <= 0), 0)`.as('on_target'),
      })
      .from(plans),
    patients: db
      .select({ n: sql<number>`count(*)`.as('n') })
      .from(patients)
      .where(eq(patients.clinicId, clinicId)),
    earlier: db
      .select({
        ownerStaffId: sql<string | null>`${ownerOf}`.as('owner_staff_id'),
        count: sql<number>`sum(${planOwnerOpen.planned})`.as('count'),
        oldestDueOn: sql<string>`case when ${planOwnerOpen.ownerKey} = ''
          then (select min(i.due_on) from plan_items i where i.clinic_id = ${clinicId}
            and i.owner_staff_id is null and i.status = 'planned')
          else (select min(i.due_on) from plan_items i where i.clinic_id = ${clinicId}
            and i.owner_staff_id = ${planOwnerOpen.ownerKey} and i.status = 'planned') end`.as(
          'oldest_due_on',
        ),
        ownerName: sql<
          string | null
        >`(select m.name from staff_members m where m.id = ${planOwnerOpen.ownerKey})`.as('owner_name'),
      })
      .from(planOwnerOpen)
      .where(and(eq(planOwnerOpen.clinicId, clinicId), lt(planOwnerOpen.month, month)))
      .groupBy(planOwnerOpen.ownerKey),
    thisMonth: db
      .select({
        ownerStaffId: planItems.ownerStaffId,
        count: sql<number>`count(*)`.as('count'),
        oldestDueOn: sql<string>`min(${planItems.dueOn})`.as('oldest_due_on'),
        ownerName: sql<
          string | null
        >`(select m.name from staff_members m where m.id = ${planItems.ownerStaffId})`.as('owner_name'),
      })
      .from(planItems)
      .where(
        and(
          eq(planItems.clinicId, clinicId),
          eq(planItems.status, 'planned'),
          gte(planItems.dueOn, `${month}-01`),
          lt(planItems.dueOn, today),
        ),
      )
      .groupBy(planItems.ownerStaffId),
  };
  const read = (out: BatchResults<typeof statements>): Coverage => {
    const more = out.page.length > input.limit;
    const rows = (more ? out.page.slice(0, input.limit) : out.page) as CoverageRow[];
    const last = rows[rows.length - 1];
    const overdue = new Map<string, OverdueOwner>();
    for (const r of [...out.earlier, ...out.thisMonth]) {
      const key = r.ownerStaffId ?? '';
      const known = overdue.get(key);
      if (known) {
        known.count += r.count;
        if (r.oldestDueOn < known.oldestDueOn) known.oldestDueOn = r.oldestDueOn;
      } else overdue.set(key, { ...r });
    }
    const withPlan = out.summary[0]?.withPlan ?? 0;
    const onTarget = out.summary[0]?.onTarget ?? 0;
    const all = out.patients[0]?.n ?? 0;
    return {
      since,
      summary: {
        patients: all,
        withPlan,
        onTarget,
        behind: withPlan - onTarget,
        withoutPlan: all - withPlan,
      },
      rows,
      next: more && last ? { behind: last.behind, patientId: last.patientId } : null,
      overdue: [...overdue.values()].sort(
        (a, b) => b.count - a.count || (a.oldestDueOn < b.oldestDueOn ? -1 : 1),
      ),
    };
  };
  return { statements, read };
}

/**
 * The coverage page's whole view in one round trip: the coverage and the budget of the months asked.
 */
export async function readPlanOverview(
  deps: Deps,
  input: CoverageInput & { from?: string; to?: string },
): Promise<Result<{ coverage: Coverage; budget: PlanBudget }, Refusal<'forbidden' | 'validation_failed'>>> {
  const refused = staffRefusal(input.clinic, PLAN_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const months = budgetMonths(deps, input);
  if (!months.ok) return months;
  const c = coverageQuery(deps, input);
  const b = budgetQuery(deps, { clinic: input.clinic, ...months.value });
  const out = await runBatch(deps.db, { ...c.statements, ...b.statements });
  return ok({ coverage: c.read(out), budget: b.read(out) });
}
