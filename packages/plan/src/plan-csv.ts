import {
  addDays,
  err,
  isId,
  localDate,
  ok,
  type Refusal,
  type Result,
  toIso,
  toMajorUnits,
} from '@gratia/core';
import {
  type Deps,
  type OrgPrincipal,
  type PlanItemStatus,
  patients,
  planItems,
  runBatch,
  staffMembers,
  staffRefusal,
} from '@gratia/db';
import { csvCell } from '@gratia/settlement';
import { and, asc, eq, gte, isNull, lte, type SQL, sql } from 'drizzle-orm';
import { isPlanDate, PLAN_MANAGERS } from './items';

// The plan for a spreadsheet: every item due in a range of days (of one owner, or the clinic's), as RFC
// 4180 CSV through the settlement CSV's cell rule (formula-injection safe: a purpose or an outcome like
// "=HYPERLINK(...)" is written as text). Read in keyset chunks of 500 in index order (status, then due
// date: the done items, then the planned ones, then the skipped), through plan_items_clinic_due_idx or, for one
// owner, plan_items_owner_idx, and streamed, so a big plan never sits in memory. Owners and managers.

export const PLAN_CSV_COLUMNS = [
  'due_on',
  'patient_id',
  'patient',
  'kind',
  'purpose',
  'channel',
  'owner_staff_id',
  'owner',
  'cost',
  'currency',
  'status',
  'outcome',
  'done_at',
] as const;

export const PLAN_CSV_CHUNK = 500;

interface CsvItem {
  seq: number;
  dueOn: string;
  patientId: string;
  firstName: string;
  lastName: string;
  kind: string;
  purpose: string;
  channel: string;
  ownerStaffId: string | null;
  ownerName: string | null;
  costAmount: number | null;
  currency: string | null;
  status: PlanItemStatus;
  outcome: string | null;
  doneAt: number | null;
}

interface Position {
  status: PlanItemStatus;
  dueOn: string;
  seq: number;
}

const row = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;

const itemRow = (i: CsvItem, clinicCurrency: string) => {
  const currency = i.currency ?? clinicCurrency;
  return row([
    i.dueOn,
    i.patientId,
    `${i.firstName} ${i.lastName}`,
    i.kind,
    i.purpose,
    i.channel,
    i.ownerStaffId,
    i.ownerName,
    i.costAmount === null ? null : toMajorUnits(i.costAmount, currency),
    i.costAmount === null ? null : currency,
    i.status,
    i.outcome,
    i.doneAt === null ? null : toIso(i.doneAt),
  ]);
};

export interface PlanCsvInput {
  clinic: OrgPrincipal;
  from?: string;
  to?: string;
  owner?: string;
  chunk?: number;
}

type CsvRefusal = 'forbidden' | 'validation_failed' | 'staff_not_found';

/**
 * The plan's items as a CSV byte stream. The first chunk is read (with the owner, when one is named)
 * before the stream is made, so a refusal is an answer, not an empty file. By default the items due
 * from the start of this month to a year on.
 */
export async function planItemsCsv(
  deps: Deps,
  input: PlanCsvInput,
): Promise<Result<{ from: string; to: string; stream: ReadableStream<Uint8Array> }, Refusal<CsvRefusal>>> {
  const p = input.clinic;
  const refused = staffRefusal(p, PLAN_MANAGERS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const today = localDate(deps.clock.now(), p.organization.timezone);
  const from = input.from ?? `${today.slice(0, 7)}-01`;
  const to = input.to ?? addDays(from, 365);
  const errors: { path: string; message: string }[] = [];
  if (!isPlanDate(from)) errors.push({ path: 'from', message: 'must be a date, YYYY-MM-DD' });
  if (!isPlanDate(to)) errors.push({ path: 'to', message: 'must be a date, YYYY-MM-DD' });
  else if (isPlanDate(from) && to < from) errors.push({ path: 'to', message: 'must not be before from' });
  if (input.owner !== undefined && !isId('stf', input.owner))
    errors.push({ path: 'owner', message: 'must be a staff member id (stf_...)' });
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The plan asked is not valid', errors });

  const { db } = deps;
  const clinicId = p.organizationId;
  const limit = input.chunk ?? PLAN_CSV_CHUNK;
  const seq = sql<number>`${planItems}.rowid`;
  const chunk = (after: Position | null) => {
    // Statuses in the index's (alphabetical) order: done, planned, skipped.
    const past: SQL | undefined = after
      ? sql`(${planItems.status} > ${after.status} or (${planItems.status} = ${after.status} and (${planItems.dueOn} > ${after.dueOn}
          or (${planItems.dueOn} = ${after.dueOn} and ${seq} > ${after.seq}))))`
      : undefined;
    return db
      .select({
        seq: seq.as('seq'),
        dueOn: planItems.dueOn,
        patientId: planItems.patientId,
        firstName: patients.firstName,
        lastName: patients.lastName,
        kind: planItems.kind,
        purpose: planItems.purpose,
        channel: planItems.channel,
        ownerStaffId: planItems.ownerStaffId,
        ownerName: sql<string | null>`${staffMembers.name}`.as('owner_name'),
        costAmount: planItems.costAmount,
        currency: planItems.currency,
        status: planItems.status,
        outcome: planItems.outcome,
        doneAt: planItems.doneAt,
      })
      .from(planItems)
      .innerJoin(patients, eq(patients.id, planItems.patientId))
      .leftJoin(staffMembers, eq(staffMembers.id, planItems.ownerStaffId))
      .where(
        and(
          eq(planItems.clinicId, clinicId),
          input.owner === undefined ? undefined : eq(planItems.ownerStaffId, input.owner),
          sql`${planItems.status} in ('done', 'planned', 'skipped')`,
          gte(planItems.dueOn, from),
          lte(planItems.dueOn, to),
          past,
        ),
      )
      .orderBy(asc(planItems.status), asc(planItems.dueOn), asc(seq))
      .limit(limit + 1);
  };
  const first = await runBatch(db, {
    owner:
      input.owner === undefined
        ? db.select({ id: staffMembers.id }).from(staffMembers).where(sql`0`)
        : db
            .select({ id: staffMembers.id })
            .from(staffMembers)
            .where(
              and(
                eq(staffMembers.id, input.owner),
                eq(staffMembers.organizationId, clinicId),
                isNull(staffMembers.removedAt),
              ),
            ),
    items: chunk(null),
  });
  if (input.owner !== undefined && first.owner.length === 0)
    return err({ code: 'staff_not_found', detail: `No staff member ${input.owner}` });

  const currency = p.organization.currency;
  const encoder = new TextEncoder();
  let page: CsvItem[] | null = first.items as CsvItem[];
  let started = false;
  let done = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(row([...PLAN_CSV_COLUMNS])));
        return;
      }
      if (done) return controller.close();
      const items: CsvItem[] = page ?? [];
      const more = items.length > limit;
      const kept = more ? items.slice(0, limit) : items;
      if (kept.length > 0) controller.enqueue(encoder.encode(kept.map((i) => itemRow(i, currency)).join('')));
      const last = kept[kept.length - 1];
      if (!more || !last) {
        done = true;
        controller.close();
        return;
      }
      page = (await chunk({ status: last.status, dueOn: last.dueOn, seq: last.seq })) as CsvItem[];
    },
  });
  return ok({ from, to, stream });
}
