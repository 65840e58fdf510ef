import { addDays, DAY_MS, err, isId, localDate, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Db,
  type Deps,
  loyaltySettings,
  type OrgPrincipal,
  type PatientPlan,
  PLAN_CHANNELS,
  type PlanChannel,
  type PlanItem,
  type PlanKind,
  patientInsight,
  patientPlans,
  patients,
  planItems,
  runBatch,
  type StaffRole,
  staffMembers,
  staffRefusal,
} from '@gratia/db';
import { and, asc, eq, gte, isNull, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { type DoneItem, generatePlanItems } from './generate';
import { keyLive, PLAN_KEEPERS, patientTemplateReads, type TemplateView, templateFor } from './templates';

// A patient's dated plan: generated for the next 12 months from the template of their segment, in one
// batch (the plan row and its items), regenerated without losing anything done, skipped, or added by an
// event or by staff: only the planned template items from today on are replaced by the new generation.
// Every clinic role reads and generates a plan; changing its owner is for owners, managers and the
// plan's own owner. Staff may add an item of their own to a patient's plan.

/** What each kind of item is for, in the words an owner reads on their agenda. */
export const PURPOSE: Record<PlanKind, string> = {
  thank_you: 'Thank them for their visit and ask how they are',
  birthday: 'Wish them a happy birthday',
  points_expiring: 'Tell them their points expire soon and invite them back',
  survey_request: 'Ask how satisfied they are (the survey link)',
  new_service: 'Tell them about a new service that suits them',
  event_invitation: 'Invite them to the clinic’s next event',
  personal_gift: 'Give them a personal gift',
  recommendation_request: 'Ask whether they would recommend the clinic to a friend',
  win_back: 'Invite them back: they have not been in for a while',
  detractor_follow_up: 'Call back about their low survey score',
};

/** How far back a patient's plan shows items (overdue and recent), and how far done items count. */
export const PLAN_LOOKBACK_DAYS = 30;
const YEAR_DAYS = 365;
const MAX_ITEMS_READ = 200;

export type PlanItemView = PlanItem & { ownerName: string | null };

export interface PatientPlanView {
  patientId: string;
  plan: (PatientPlan & { ownerName: string | null }) | null;
  /** The template that applies to the patient now (their segment's, or their class's). */
  template: TemplateView;
  targetPerYear: number;
  /** Items done in the last 12 months. */
  doneLast12Months: number;
  /** Items from 30 days ago onward, and those done in the last 12 months, by due date. */
  items: PlanItemView[];
}

const owner = alias(staffMembers, 'owner');

/** The reads of a patient's plan page, as batchable statements (no patient: every read is empty). */
function planViewReads(db: Db, clinicId: string, patientId: string, now: number, today: string) {
  const from = addDays(today, -PLAN_LOOKBACK_DAYS);
  const yearAgo = addDays(today, -YEAR_DAYS);
  return {
    patient: db
      .select({
        id: patients.id,
        birthDate: patients.birthDate,
        firstName: patients.firstName,
        lastName: patients.lastName,
      })
      .from(patients)
      .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId))),
    plan: db
      .select({ plan: patientPlans, ownerName: sql<string | null>`${owner.name}`.as('owner_name') })
      .from(patientPlans)
      .leftJoin(owner, eq(owner.id, patientPlans.ownerStaffId))
      .where(and(eq(patientPlans.patientId, patientId), eq(patientPlans.clinicId, clinicId))),
    items: db
      .select({ item: planItems, ownerName: sql<string | null>`${owner.name}`.as('item_owner_name') })
      .from(planItems)
      .leftJoin(owner, eq(owner.id, planItems.ownerStaffId))
      .where(
        and(
          eq(planItems.patientId, patientId),
          eq(planItems.clinicId, clinicId),
          gte(planItems.dueOn, yearAgo),
          or(gte(planItems.dueOn, from), eq(planItems.status, 'done')),
        ),
      )
      .orderBy(asc(planItems.dueOn), asc(planItems.id))
      .limit(MAX_ITEMS_READ),
    done: db
      .select({ n: sql<number>`count(*)`.as('done_count') })
      .from(planItems)
      .where(
        and(
          eq(planItems.patientId, patientId),
          eq(planItems.clinicId, clinicId),
          eq(planItems.status, 'done'),
          gte(planItems.doneAt, now - YEAR_DAYS * DAY_MS),
        ),
      ),
    insight: db
      .select({ abcClass: patientInsight.abcClass })
      .from(patientInsight)
      .where(and(eq(patientInsight.patientId, patientId), eq(patientInsight.clinicId, clinicId))),
    ...patientTemplateReads(db, clinicId, patientId, now),
  };
}

type ViewReads = Awaited<ReturnType<typeof runBatch<ReturnType<typeof planViewReads>>>>;

function viewOf(patientId: string, r: ViewReads): PatientPlanView {
  const template = templateFor(r, r.insight[0]?.abcClass ?? null);
  const row = r.plan[0];
  return {
    patientId,
    plan: row ? { ...row.plan, ownerName: row.ownerName } : null,
    template,
    targetPerYear: template.interactionsPerYear,
    doneLast12Months: r.done[0]?.n ?? 0,
    items: r.items.map((x) => ({ ...x.item, ownerName: x.ownerName })),
  };
}

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

const todayOf = (deps: Deps, clinic: OrgPrincipal) =>
  localDate(deps.clock.now(), clinic.organization.timezone);

/** A patient's plan, the template that applies, and its items: one round trip. */
export async function readPatientPlan(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<PatientPlanView, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const now = deps.clock.now();
  const r = await runBatch(
    deps.db,
    planViewReads(deps.db, input.clinic.organizationId, input.patientId, now, todayOf(deps, input.clinic)),
  );
  if (r.patient.length === 0) return err(notFound(input.patientId));
  return ok(viewOf(input.patientId, r));
}

// ---------------------------------------------------------------------------------------------------
// Generating

/** What generating a plan needs to know, as batchable reads (the view's, plus what counts as done). */
export function generationReads(
  db: Db,
  p: { clinicId: string; patientId: string; now: number; today: string; ownerStaffId?: string | null },
) {
  return {
    ...planViewReads(db, p.clinicId, p.patientId, p.now, p.today),
    settings: db
      .select({ before: loyaltySettings.birthdayDaysBefore })
      .from(loyaltySettings)
      .where(eq(loyaltySettings.clinicId, p.clinicId)),
    doneItems: db
      .select({ kind: planItems.kind, dueOn: planItems.dueOn })
      .from(planItems)
      .where(
        and(
          eq(planItems.patientId, p.patientId),
          gte(planItems.dueOn, addDays(p.today, -2 * YEAR_DAYS)),
          // A skipped item was dealt with too: its slot is not planned again.
          sql`${planItems.status} in ('done', 'skipped')`,
        ),
      ),
    // The owner named, or the clinic's first front-desk member (the daily job's default).
    staff: db
      .select({ id: staffMembers.id, role: staffMembers.role })
      .from(staffMembers)
      .where(
        and(
          eq(staffMembers.organizationId, p.clinicId),
          isNull(staffMembers.removedAt),
          p.ownerStaffId ? eq(staffMembers.id, p.ownerStaffId) : eq(staffMembers.role, 'front_desk'),
        ),
      )
      .orderBy(asc(staffMembers.createdAt))
      .limit(1),
  };
}
type GenerationRead = Awaited<ReturnType<typeof runBatch<ReturnType<typeof generationReads>>>>;

export interface GenerationContext {
  clinicId: string;
  currency: string;
  patientId: string;
  now: number;
  today: string;
  /** The key the change is made by, proven in SQL; null for the daily job. */
  keyId: string | null;
  /** Who owns the plan when it has none: the staff member generating it, or null. */
  defaultOwner: string | null;
  /** The owner named explicitly (checked to be the clinic's in the read). */
  ownerStaffId?: string | null;
  /** The audit entry's actor (none for the daily job). */
  audit?: OrgPrincipal;
}

/** The write of a (re)generation: the plan row and its new items, guarded so that it applies once. */
export function generationWrites(db: Db, ctx: GenerationContext, r: GenerationRead) {
  const view = viewOf(ctx.patientId, r);
  const existing = view.plan;
  const template = view.template;
  const owner = ctx.ownerStaffId ?? existing?.ownerStaffId ?? ctx.defaultOwner ?? r.staff[0]?.id ?? null;
  const plan = generatePlanItems({
    mix: template.mix,
    today: ctx.today,
    birthDate: r.patient[0]?.birthDate ?? null,
    birthdayDaysBefore: r.settings[0]?.before ?? 7,
    patientId: ctx.patientId,
    // Done items from the current generation's future are kept, so they count; so does everything done
    // in the last two years (the generator decides what each one fulfils).
    done: r.doneItems.map((d): DoneItem => ({ kind: d.kind, dueOn: d.dueOn })),
  });
  const old = existing?.generation ?? null;
  const generation = (old ?? 0) + 1;
  const items = plan.items.map((i) => ({
    id: newId('pli', ctx.now),
    kind: i.kind,
    channel: i.channel,
    purpose: PURPOSE[i.kind],
    due_on: i.dueOn,
    offer_id: i.offerId,
    cost_amount: i.costAmount,
    currency: i.costAmount !== null ? ctx.currency : null,
  }));
  const { clinicId, patientId, now } = ctx;
  const ownPatient = sql`exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = ${clinicId})`;
  const live = ctx.keyId ? keyLive(ctx.keyId) : sql`1`;
  const unchanged =
    old === null
      ? sql`not exists (select 1 from patient_plans x where x.patient_id = ${patientId})`
      : sql`exists (select 1 from patient_plans x where x.patient_id = ${patientId} and x.generation = ${old})`;
  const isNew = sql`exists (select 1 from patient_plans x where x.patient_id = ${patientId} and x.generation = ${generation})`;
  const templateId = template.id;
  const writes = {
    ...(ctx.audit
      ? {
          audit: auditEntry(db, {
            actor: actorOf(ctx.audit),
            organizationId: clinicId,
            action: old === null ? 'plan.generate' : 'plan.regenerate',
            subject: { type: 'patient_plan', id: patientId },
            patientId,
            detail: { generation, items: items.length, template: template.segmentKey },
            when: sql`${unchanged} and ${ownPatient}`,
            at: now,
          }),
        }
      : {}),
    writePlan:
      old === null
        ? db
            .insert(patientPlans)
            .select(
              sql`select ${patientId}, ${clinicId}, ${owner}, ${templateId}, ${template.version},
                ${plan.horizonOn}, ${generation}, ${now}, ${now} where ${ownPatient} and ${live}`,
            )
            .onConflictDoNothing()
        : db
            .update(patientPlans)
            .set({
              ownerStaffId: owner,
              templateId,
              templateVersion: template.version,
              horizonOn: plan.horizonOn,
              generation,
              generatedAt: now,
              updatedAt: now,
            })
            .where(
              and(
                eq(patientPlans.patientId, patientId),
                eq(patientPlans.clinicId, clinicId),
                eq(patientPlans.generation, old),
                live,
              ),
            ),
    // The older generations' planned items from today on make way for the new generation's.
    replace: db
      .delete(planItems)
      .where(
        and(
          eq(planItems.patientId, patientId),
          eq(planItems.source, 'plan'),
          eq(planItems.status, 'planned'),
          gte(planItems.dueOn, ctx.today),
          sql`${planItems.generation} < ${generation}`,
          isNew,
        ),
      ),
    // One statement for every item (one bound parameter): a concurrent twin that already wrote this
    // generation's items finds them and writes none.
    writeItems: db.insert(planItems).select(
      sql`select json_extract(j.value, '$.id'), ${clinicId}, ${patientId}, ${templateId},
          json_extract(j.value, '$.kind'), json_extract(j.value, '$.channel'), json_extract(j.value, '$.purpose'),
          json_extract(j.value, '$.due_on'), ${owner}, json_extract(j.value, '$.offer_id'),
          json_extract(j.value, '$.cost_amount'), json_extract(j.value, '$.currency'), 'planned', null, null,
          null, 'plan', null, ${generation}, ${now}, ${now}
        from json_each(${JSON.stringify(items)}) j
        where ${isNew} and not exists (select 1 from plan_items x
          where x.patient_id = ${patientId} and x.source = 'plan' and x.generation = ${generation})`,
    ),
  };
  return { writes, generation, items: items.length, owner };
}

export interface GenerateInput {
  clinic: OrgPrincipal;
  patientId: string;
  /** The plan's owner: by default the plan's own, else the staff member generating it (a key: none). */
  ownerStaffId?: string | null;
}

/**
 * Generates (or regenerates) a patient's plan for the next 12 months: one round trip to read, one to
 * write the plan row, the items and the audit entry and read the plan back.
 */
export async function generatePatientPlan(
  deps: Deps,
  input: GenerateInput,
): Promise<Result<PatientPlanView, Refusal<'patient_not_found' | 'staff_not_found' | 'unauthorized'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  // An owner is named by a staff id; an empty one names nobody.
  const named = input.ownerStaffId || null;
  if (named !== null && !isId('stf', named))
    return err({ code: 'staff_not_found', detail: `No staff member ${named}` });
  const { db } = deps;
  const now = deps.clock.now();
  const today = todayOf(deps, input.clinic);
  const clinicId = input.clinic.organizationId;
  const base = { clinicId, patientId: input.patientId, now, today };
  const read = await runBatch(db, generationReads(db, { ...base, ownerStaffId: named }));
  if (read.patient.length === 0) return err(notFound(input.patientId));
  if (named && read.staff.length === 0)
    return err({ code: 'staff_not_found', detail: `No staff member ${named}` });
  const { writes } = generationWrites(
    db,
    {
      ...base,
      currency: input.clinic.organization.currency,
      keyId: input.clinic.keyId,
      defaultOwner: input.clinic.staff?.id ?? null,
      ownerStaffId: named,
      audit: input.clinic,
    },
    // An API key without a staff member names the owner or leaves it empty: no front-desk default.
    { ...read, staff: named ? read.staff : [] },
  );
  const out = await runBatch(db, { ...writes, ...planViewReads(db, clinicId, input.patientId, now, today) });
  const view = viewOf(input.patientId, out);
  if (!view.plan) return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok(view);
}

// ---------------------------------------------------------------------------------------------------
// The owner, and items added by staff

export type OwnerRefusal = Refusal<
  'patient_not_found' | 'plan_not_found' | 'staff_not_found' | 'forbidden' | 'unauthorized'
>;

/**
 * Gives the plan a new owner (or none), and with it the planned items the previous owner had: owners,
 * managers, and the plan's current owner. One round trip to read, one to write.
 */
export async function setPlanOwner(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; ownerStaffId: string | null },
): Promise<Result<PatientPlanView, OwnerRefusal>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const noStaff = err({ code: 'staff_not_found' as const, detail: `No staff member ${input.ownerStaffId}` });
  if (input.ownerStaffId !== null && !isId('stf', input.ownerStaffId)) return noStaff;
  const { db } = deps;
  const now = deps.clock.now();
  const today = todayOf(deps, input.clinic);
  const clinicId = input.clinic.organizationId;
  const { patientId } = input;
  const read = await runBatch(db, {
    ...planViewReads(db, clinicId, patientId, now, today),
    staff: db
      .select({ id: staffMembers.id })
      .from(staffMembers)
      .where(
        and(
          eq(staffMembers.id, input.ownerStaffId ?? ''),
          eq(staffMembers.organizationId, clinicId),
          isNull(staffMembers.removedAt),
        ),
      ),
  });
  if (read.patient.length === 0) return err(notFound(patientId));
  const plan = read.plan[0]?.plan;
  if (!plan) return err({ code: 'plan_not_found', detail: `Patient ${patientId} has no plan yet` });
  const me = input.clinic.staff?.id;
  if (!(me && plan.ownerStaffId === me)) {
    const refused = staffRefusal(input.clinic, PLAN_KEEPERS);
    if (refused)
      return err({
        code: 'forbidden',
        detail: `${refused.detail}; the plan's own owner may also hand it over`,
      });
  }
  if (input.ownerStaffId !== null && read.staff.length === 0) return noStaff;
  const previous = plan.ownerStaffId;
  // The same owner again changes nothing, and records nothing.
  if (previous === input.ownerStaffId) return ok(viewOf(patientId, read));
  const live = keyLive(input.clinic.keyId);
  const out = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'plan.set_owner',
      subject: { type: 'patient_plan', id: patientId },
      patientId,
      detail: { owner_staff_id: input.ownerStaffId, previous_owner_staff_id: previous },
      at: now,
    }),
    reassign: db
      .update(planItems)
      .set({ ownerStaffId: input.ownerStaffId, updatedAt: now })
      .where(
        and(
          eq(planItems.patientId, patientId),
          eq(planItems.clinicId, clinicId),
          eq(planItems.status, 'planned'),
          previous === null ? isNull(planItems.ownerStaffId) : eq(planItems.ownerStaffId, previous),
          live,
        ),
      ),
    setOwner: db
      .update(patientPlans)
      .set({ ownerStaffId: input.ownerStaffId, updatedAt: now })
      .where(and(eq(patientPlans.patientId, patientId), eq(patientPlans.clinicId, clinicId), live)),
    ...planViewReads(db, clinicId, patientId, now, today),
  });
  const view = viewOf(patientId, out);
  if (view.plan?.updatedAt !== now)
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok(view);
}

export interface NewItemInput {
  clinic: OrgPrincipal;
  patientId: string;
  kind: PlanKind;
  channel: PlanChannel;
  dueOn: string;
  purpose?: string | null;
  ownerStaffId?: string | null;
  costAmount?: number | null;
}

/** How far from today an item added by hand may be due. */
export const ITEM_WINDOW = { pastDays: 30, futureDays: 2 * YEAR_DAYS };

/**
 * Adds an item of staff's own to a patient's plan (`source: 'staff'`): kept through regenerations. Its
 * owner is the one named, else the plan's, else the staff member adding it.
 */
export async function addPlanItem(
  deps: Deps,
  input: NewItemInput,
): Promise<
  Result<
    PlanItemView,
    Refusal<'patient_not_found' | 'staff_not_found' | 'validation_failed' | 'unauthorized'>
  >
> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const today = todayOf(deps, input.clinic);
  const invalid = (path: string, message: string) =>
    err({ code: 'validation_failed' as const, detail: `${path} ${message}`, errors: [{ path, message }] });
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(input.dueOn) ||
    Number.isNaN(Date.parse(input.dueOn)) ||
    new Date(input.dueOn).toISOString().slice(0, 10) !== input.dueOn
  )
    return invalid('due_on', 'must be a date as YYYY-MM-DD');
  if (
    input.dueOn < addDays(today, -ITEM_WINDOW.pastDays) ||
    input.dueOn > addDays(today, ITEM_WINDOW.futureDays)
  )
    return invalid('due_on', `must be within ${ITEM_WINDOW.pastDays} days before and two years after today`);
  if (!(PLAN_CHANNELS as readonly string[]).includes(input.channel))
    return invalid('channel', 'is not a channel');
  if (input.costAmount != null && input.channel !== 'gift')
    return invalid('cost_amount', 'only a gift has a cost');
  if (input.ownerStaffId && !isId('stf', input.ownerStaffId))
    return err({ code: 'staff_not_found', detail: `No staff member ${input.ownerStaffId}` });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const { patientId } = input;
  const id = newId('pli', now);
  const named = input.ownerStaffId || null;
  const ownerSql = named
    ? sql`(select m.id from staff_members m where m.id = ${named} and m.organization_id = ${clinicId} and m.removed_at is null)`
    : sql`coalesce((select x.owner_staff_id from patient_plans x where x.patient_id = ${patientId}), ${input.clinic.staff?.id ?? null})`;
  const ownPatient = sql`exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = ${clinicId})`;
  const ownerOk = named
    ? sql`exists (select 1 from staff_members m where m.id = ${named} and m.organization_id = ${clinicId} and m.removed_at is null)`
    : sql`1`;
  const purpose = input.purpose?.trim() || PURPOSE[input.kind];
  const cost = input.costAmount ?? null;
  const out = await runBatch(db, {
    item: db.insert(planItems).select(
      sql`select ${id}, ${clinicId}, ${patientId}, null, ${input.kind}, ${input.channel}, ${purpose}, ${input.dueOn},
          ${ownerSql}, null, ${cost}, ${cost === null ? null : input.clinic.organization.currency}, 'planned', null,
          null, null, 'staff', null, 0, ${now}, ${now}
        where ${ownPatient} and ${ownerOk} and ${keyLive(input.clinic.keyId)}`,
    ),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'plan_item.add',
      subject: { type: 'plan_item', id },
      patientId,
      detail: { kind: input.kind, channel: input.channel, due_on: input.dueOn },
      when: sql`exists (select 1 from plan_items x where x.id = ${id})`,
      at: now,
    }),
    after: db
      .select({ item: planItems, ownerName: sql<string | null>`${owner.name}`.as('item_owner_name') })
      .from(planItems)
      .leftJoin(owner, eq(owner.id, planItems.ownerStaffId))
      .where(eq(planItems.id, id)),
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId))),
    staff: db
      .select({ id: staffMembers.id })
      .from(staffMembers)
      .where(
        and(
          eq(staffMembers.id, named ?? ''),
          eq(staffMembers.organizationId, clinicId),
          isNull(staffMembers.removedAt),
        ),
      ),
  });
  const row = out.after[0];
  if (row) return ok({ ...row.item, ownerName: row.ownerName });
  if (out.patient.length === 0) return err(notFound(patientId));
  if (named && out.staff.length === 0)
    return err({ code: 'staff_not_found', detail: `No staff member ${named}` });
  return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}

export interface PatientPlanPage extends PatientPlanView {
  patientName: string;
  /** The clinic's staff, for choosing an owner. */
  staff: { id: string; name: string; role: StaffRole }[];
}

/** A patient's plan and the clinic's staff (the owner's choices): the console page's one round trip. */
export async function readPatientPlanPage(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<PatientPlanPage, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const r = await runBatch(db, {
    ...planViewReads(db, clinicId, input.patientId, deps.clock.now(), todayOf(deps, input.clinic)),
    staff: db
      .select({ id: staffMembers.id, name: staffMembers.name, role: staffMembers.role })
      .from(staffMembers)
      .where(and(eq(staffMembers.organizationId, clinicId), isNull(staffMembers.removedAt)))
      .orderBy(asc(staffMembers.name))
      .limit(200),
  });
  if (r.patient.length === 0) return err(notFound(input.patientId));
  const who = r.patient[0]!;
  return ok({
    ...viewOf(input.patientId, r),
    patientName: `${who.firstName} ${who.lastName}`,
    staff: r.staff,
  });
}
