import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type OrgPrincipal,
  patients,
  runBatch,
  type StaffRole,
  staffRefusal,
  vipMarks,
} from '@gratia/db';
import {
  calendarYear,
  type GiftAllowance,
  giftAllowanceFrom,
  giftAllowanceStatement,
  giftsThisYearSql,
  type PerkOffer,
  perkOffersStatement,
  vipByHandSql,
  vipBySegmentSql,
  vipGiftLimitSql,
  vipMarkStatement,
} from '@gratia/vouchers';
import { and, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';

// VIP: a patient marked by hand (vip_marks, with a reason) or a member of the clinic's VIP segment
// (loyalty_settings.vip_segment_id, its rules evaluated for each patient inside the query). VIPs get
// the clinic's perks (catalogue offers given as vouchers that do not count as gifts) and, when the
// clinic sets one, a limit on the gifts they may be given a year, enforced by issueVoucher.

export const VIP_EDITORS: readonly StaffRole[] = ['owner', 'manager'];
export const VIP_PAGE = 50;
export const MAX_VIP_REASON = 200;

export interface VipStatus {
  patientId: string;
  allowance: GiftAllowance;
  reason: string | null;
  markedAt: number | null;
}

export interface VipView extends VipStatus {
  perks: PerkOffer[];
}

const notFound = (patientId: string) =>
  err({ code: 'patient_not_found' as const, detail: `No patient ${patientId}` });

/** A patient's VIP state, gift allowance and the perks they may be given: one round trip. */
export async function readVip(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<VipView, Refusal<'patient_not_found'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const org = input.clinic.organization;
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const read = await runBatch(db, {
    allowance: giftAllowanceStatement(db, {
      clinicId: input.clinic.organizationId,
      patientId,
      now,
      timeZone: org.timezone,
    }),
    mark: vipMarkStatement(db, input.clinic.organizationId, patientId),
    perks: perkOffersStatement(db, input.clinic.organizationId, org.currency),
  });
  const row = read.allowance[0];
  if (!row) return notFound(input.patientId);
  return ok({
    patientId,
    allowance: giftAllowanceFrom(row, now, org.timezone),
    reason: read.mark[0]?.reason ?? null,
    markedAt: read.mark[0]?.markedAt ?? null,
    perks: read.perks,
  });
}

/** Marks the patient VIP by hand (or changes the reason), with an audit entry. */
export async function markVip(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; reason: string | null },
): Promise<Result<VipStatus, Refusal<'forbidden' | 'patient_not_found'>>> {
  const refused = staffRefusal(input.clinic, VIP_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!isId('pat', input.patientId)) return notFound(input.patientId);
  return writeMark(deps, input, 'mark');
}

/** Removes the hand mark (the patient stays VIP if the VIP segment holds them), with an audit entry. */
export async function unmarkVip(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<VipStatus, Refusal<'forbidden' | 'patient_not_found'>>> {
  const refused = staffRefusal(input.clinic, VIP_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!isId('pat', input.patientId)) return notFound(input.patientId);
  return writeMark(deps, { ...input, reason: null }, 'unmark');
}

async function writeMark(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; reason: string | null },
  op: 'mark' | 'unmark',
): Promise<Result<VipStatus, Refusal<'patient_not_found'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const { patientId } = input;
  const ownPatient = sql`exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = ${clinicId})`;
  const audit = (when: ReturnType<typeof sql>) =>
    auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: op === 'mark' ? 'patient.vip_mark' : 'patient.vip_unmark',
      subject: { type: 'patient', id: patientId },
      patientId,
      detail: op === 'mark' ? { reason: input.reason } : null,
      at: now,
      when,
    });
  const marked = sql`exists (select 1 from vip_marks m where m.patient_id = ${patientId})`;
  const work: Record<string, BatchItem<'sqlite'>> = op === 'mark'
    ? {
        mark: db
          .insert(vipMarks)
          .select(
            sql`select p.id, p.clinic_id, ${input.reason}, ${input.clinic.staff?.id ?? null}, ${now}
                from patients p where p.id = ${patientId} and p.clinic_id = ${clinicId}`,
          )
          .onConflictDoUpdate({
            target: vipMarks.patientId,
            set: { reason: input.reason, markedByStaffId: input.clinic.staff?.id ?? null, markedAt: now },
          }),
        audit: audit(ownPatient),
      }
    : {
        // Before the delete, under its own condition: an entry exactly when a mark is removed.
        audit: audit(sql`${ownPatient} and ${marked}`),
        unmark: db
          .delete(vipMarks)
          .where(and(eq(vipMarks.patientId, patientId), eq(vipMarks.clinicId, clinicId))),
      };
  const done = await runBatch(db, {
    ...work,
    allowance: giftAllowanceStatement(db, {
      clinicId,
      patientId,
      now,
      timeZone: input.clinic.organization.timezone,
    }),
    after: vipMarkStatement(db, clinicId, patientId),
  });
  const row = done.allowance[0];
  if (!row) return notFound(patientId);
  return ok({
    patientId,
    allowance: giftAllowanceFrom(row, now, input.clinic.organization.timezone),
    reason: done.after[0]?.reason ?? null,
    markedAt: done.after[0]?.markedAt ?? null,
  });
}

export interface VipListItem {
  patientId: string;
  firstName: string;
  lastName: string;
  byHand: boolean;
  bySegment: boolean;
  reason: string | null;
  giftsThisYear: number;
  giftLimit: number | null;
}

/** The query of a page of the clinic's VIPs (for a batch of its own or a page's). */
export function vipListStatement(
  deps: Deps,
  input: { clinic: OrgPrincipal; after?: string; limit?: number },
) {
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const year = calendarYear(now, input.clinic.organization.timezone);
  const p = sql`${patients.id}`;
  const byHand = vipByHandSql(clinicId, p);
  const bySegment = vipBySegmentSql(clinicId, p, now);
  return deps.db
    .select({
      patientId: patients.id,
      firstName: patients.firstName,
      lastName: patients.lastName,
      byHand: sql<number>`${byHand}`.as('by_hand'),
      bySegment: sql<number>`${bySegment}`.as('by_segment'),
      reason: sql<string | null>`(select vm.reason from vip_marks vm where vm.patient_id = ${p})`.as(
        'reason',
      ),
      giftsThisYear: sql<number>`${giftsThisYearSql(clinicId, p, year)}`.as('gifts_this_year'),
      giftLimit: sql<number | null>`${vipGiftLimitSql(clinicId)}`.as('gift_limit'),
    })
    .from(patients)
    .where(
      and(
        eq(patients.clinicId, clinicId),
        input.after ? sql`${patients.id} > ${input.after}` : undefined,
        sql`(${byHand} or ${bySegment})`,
      ),
    )
    .orderBy(patients.id)
    .limit(pageSize(input.limit) + 1);
}

const pageSize = (limit?: number) => Math.min(Math.max(limit ?? VIP_PAGE, 1), 100);

/** A page of VIPs from the rows of vipListStatement. */
export function vipListFrom(
  rows: Awaited<ReturnType<typeof vipListStatement>>,
  limit?: number,
): { items: VipListItem[]; next: string | null } {
  const size = pageSize(limit);
  const more = rows.length > size;
  const items = (more ? rows.slice(0, size) : rows).map((r) => ({
    ...r,
    byHand: Boolean(r.byHand),
    bySegment: Boolean(r.bySegment),
  }));
  return { items, next: more ? items[items.length - 1]!.patientId : null };
}

/**
 * The clinic's VIPs, by hand and by segment, a page at a time in patient id order (`after`: the last
 * id of the previous page): one query.
 */
export async function listVips(
  deps: Deps,
  input: { clinic: OrgPrincipal; after?: string; limit?: number },
): Promise<{ items: VipListItem[]; next: string | null }> {
  return vipListFrom(await vipListStatement(deps, input), input.limit);
}
