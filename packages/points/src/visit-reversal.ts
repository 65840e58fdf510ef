import {
  err,
  isId,
  newId,
  ok,
  REVERSAL_WINDOW_MS,
  REVERSAL_WINDOW_TEXT,
  type Refusal,
  type Result,
  toIso,
} from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type OrgPrincipal,
  patientInsight,
  pointAccounts,
  pointLots,
  runBatch,
  type Visit,
  type VisitReversal,
  visitPunches,
  visitReversals,
  visits,
} from '@gratia/db';
import { refreshStatements } from '@gratia/insight';
import { and, eq, sql } from 'drizzle-orm';
import { entryPairStatements } from './ledger';
import { pointMoney } from './rules';

// Undoing a paid visit recorded in error: by the clinic that recorded it, within 24 hours of recording
// (the same window as a points or voucher redemption's reversal), once (UNIQUE per visit). In one batch:
//
// - the reversal row, recording the points taken back: what is left of the visit's lot. Points already
//   spent from it are not clawed back (the spend stands; a spend can be reversed on its own);
// - the lot's remaining points to 0, and the card's balance and earned points down by them, its lifetime
//   spend down by the visit's amount (the discount tier reached stays: tiers never go down);
// - a 'correction' entry pair (the card -n, the clinic's liability +n): the monthly figures count it as
//   points issued less;
// - the visit's open punches voided (a punch a reward already used stays used: the reward stands);
// - the visits and revenue of the visit's month, the patient's month activity and insight counts, by
//   triggers on visit_reversals (migration 0019), then the patient's insight row re-derived;
// - the audit entry.

export type VisitReversalRefusal = Refusal<
  'visit_not_found' | 'visit_already_reversed' | 'visit_reversal_window_closed' | 'unauthorized'
>;

export interface VisitReversed {
  visit: Visit;
  reversal: VisitReversal;
  /** The card's booked balance after the reversal. */
  balance: number;
}

export async function reverseVisit(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    visitId: string;
    reason?: string | null;
    /** The patient the visit must belong to (the console's path names both). */
    patientId?: string;
  },
): Promise<Result<VisitReversed, VisitReversalRefusal>> {
  const notFound = err({ code: 'visit_not_found' as const, detail: `No visit ${input.visitId}` });
  if (!isId('vis', input.visitId)) return notFound;
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('vrv', now);
  const { organizationId: clinicId, keyId } = input.clinic;
  const written = sql`exists (select 1 from visit_reversals x where x.id = ${id})`;
  const fromReversal = sql`from visit_reversals x where x.id = ${id}`;
  const samePatient = input.patientId === undefined ? sql`` : sql`and v.patient_id = ${input.patientId}`;
  const out = await runBatch(db, {
    reversal: db
      .insert(visitReversals)
      .select(
        sql`select ${id}, v.id, v.clinic_id, v.patient_id,
            coalesce((select l.remaining from point_lots l where l.visit_id = v.id), 0), v.amount,
            ${input.reason ?? null}, ${keyId}, ${now}
          from visits v where v.id = ${input.visitId} and v.clinic_id = ${clinicId} ${samePatient}
            and v.recorded_at > ${now - REVERSAL_WINDOW_MS}
            and exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`,
      )
      .onConflictDoNothing(),
    lot: db
      .update(pointLots)
      .set({ remaining: 0 })
      .where(and(eq(pointLots.visitId, input.visitId), written)),
    account: db
      .update(pointAccounts)
      .set({
        balance: sql`${pointAccounts.balance} - (select x.points ${fromReversal})`,
        earned: sql`${pointAccounts.earned} - (select x.points ${fromReversal})`,
        lifetimeSpend: sql`max(0, ${pointAccounts.lifetimeSpend} - (select x.amount ${fromReversal}))`,
        updatedAt: now,
      })
      .where(sql`${pointAccounts.patientId} = (select x.patient_id ${fromReversal})`),
    entries: entryPairStatements(db, {
      txnId: id,
      type: 'correction',
      money: pointMoney(deps.config),
      now,
      source: fromReversal,
      patientId: sql`x.patient_id`,
      patientPoints: sql`-x.points`,
      sourceId: sql`x.id`,
      effectiveAt: sql`x.reversed_at`,
      other: { account: sql`'liability'`, ownerId: sql`x.clinic_id`, counterpartyId: sql`null` },
    }),
    punches: db
      .update(visitPunches)
      .set({ voidedAt: now })
      .where(
        and(
          eq(visitPunches.visitId, input.visitId),
          sql`${visitPunches.rewardId} is null and ${visitPunches.voidedAt} is null`,
          written,
        ),
      ),
    insight: refreshStatements(
      db,
      sql`${patientInsight.patientId} = (select x.patient_id ${fromReversal})`,
      now,
    ),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'visit.reverse',
      subject: { type: 'visit', id: input.visitId },
      patientId: sql`(select x.patient_id ${fromReversal})`,
      detail: sql`(select json_object('points', x.points, 'amount', x.amount, 'reason', x.reason) ${fromReversal})`,
      when: written,
      at: now,
    }),
    visit: db
      .select()
      .from(visits)
      .where(
        and(
          eq(visits.id, input.visitId),
          eq(visits.clinicId, clinicId),
          input.patientId === undefined ? undefined : eq(visits.patientId, input.patientId),
        ),
      ),
    after: db.select().from(visitReversals).where(eq(visitReversals.visitId, input.visitId)),
    balance: db
      .select({ balance: pointAccounts.balance })
      .from(pointAccounts)
      .where(
        sql`${pointAccounts.patientId} = (select v.patient_id from visits v where v.id = ${input.visitId})`,
      ),
  });
  const visit = out.visit[0];
  if (!visit) return notFound;
  const reversal = out.after[0];
  if (reversal && reversal.id !== id)
    return err({ code: 'visit_already_reversed', detail: `Reversed at ${toIso(reversal.reversedAt)}` });
  if (!reversal) {
    if (visit.recordedAt <= now - REVERSAL_WINDOW_MS)
      return err({
        code: 'visit_reversal_window_closed',
        detail: `A visit can be reversed within ${REVERSAL_WINDOW_TEXT} of recording it; this one was recorded at ${toIso(visit.recordedAt)}`,
      });
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  }
  return ok({ visit, reversal, balance: out.balance[0]?.balance ?? 0 });
}
