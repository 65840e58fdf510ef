import { err, isId, MINUTE_MS, ok, type Refusal, type Result } from '@gratia/core';
import {
  type AuthRefusal,
  actorOf,
  auditEntry,
  type Caller,
  type Deps,
  keyOrganization,
  keyRefOf,
  type PointAccount,
  type PointLot,
  patients,
  pointLots,
  runAsCaller,
  runBatch,
  type Visit,
} from '@gratia/db';
import { refreshPatientInsight } from '@gratia/insight';
import { and, eq, sql } from 'drizzle-orm';
import { accrualStatements } from './accrue';
import { lotExpiry } from './calendar';
import { accrualPoints, rulesFromRow } from './program';
import { punchHook } from './punches';
import { referralHook } from './referrals';
import { rewardMessageIds } from './rewards';
import { currentProgram, lapsedLot, pointMoney } from './rules';
import { rewardBooking } from './visit-rewards';

export interface RecordVisitInput {
  caller: Caller;
  patientId: string;
  amount: { amount: number; currency: string };
  /** When the visit took place (default: now); not in the future. */
  occurredAt?: number;
  /** The clinic's own id for the visit: recording it again returns the first visit. */
  reference?: string | null;
}

export interface VisitRecorded {
  visit: Visit;
  lot: PointLot | null;
  account: PointAccount;
  /** Spendable after the visit: the booked balance less lapsed lots not booked yet. */
  balance: number;
  /** The reference was recorded before: this is that visit, and nothing was booked now. */
  replayed: boolean;
}

export type VisitRefusal = Refusal<
  'currency_mismatch' | 'validation_failed' | 'patient_not_found' | 'reference_conflict'
>;

const FUTURE_TOLERANCE_MS = 5 * MINUTE_MS;

/**
 * A paid visit earns points at the clinic's rate, as a lot that lapses at the end of its expiry day in
 * the clinic's timezone. Two D1 round trips: the first settles the caller and reads the patient and the
 * rules of the key's own clinic; the second books the visit, the lot and the entries in one batch.
 */
export async function recordVisit(
  deps: Deps,
  input: RecordVisitInput,
): Promise<Result<VisitRecorded, AuthRefusal | VisitRefusal>> {
  const { db, clock } = deps;
  const now = clock.now();
  const ownClinic = keyOrganization(keyRefOf(input.caller));
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const run = await runAsCaller(deps, input.caller, ['clinic'], {
    ...referralHook.reads(db, ownClinic, patientId),
    ...punchHook.reads(db, ownClinic, patientId),
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`)),
    program: currentProgram(db, ownClinic),
  });
  if (!run.ok) return run;
  const { principal: clinic, results: read } = run.value;
  const currency = clinic.organization.currency;
  if (input.amount.currency !== currency)
    return err({
      code: 'currency_mismatch',
      detail: `Visits are paid in the clinic's currency, ${currency}`,
    });
  if (input.amount.amount <= 0)
    return err({
      code: 'validation_failed',
      detail: 'A paid visit has a positive amount',
      errors: [{ path: 'amount.amount', message: 'must be greater than 0' }],
    });
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt > now + FUTURE_TOLERANCE_MS)
    return err({
      code: 'validation_failed',
      detail: 'A visit cannot be recorded before it happens',
      errors: [{ path: 'occurred_at', message: 'must not be in the future' }],
    });
  if (!read.patient[0]) return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });

  const rules = rulesFromRow(read.program[0], currency);
  const money = pointMoney(deps.config);
  const reference = input.reference ?? null;
  const accrual = accrualStatements(db, {
    clinicId: clinic.organizationId,
    patientId: input.patientId,
    reference,
    amount: input.amount.amount,
    currency,
    occurredAt,
    rules,
    points: accrualPoints(input.amount.amount, rules.accrualRateBps, money.pointValue),
    expiry: lotExpiry(occurredAt, rules.expiryDays, clinic.organization.timezone),
    money,
    apiKeyId: clinic.keyId,
    now,
  });
  // The rules the visit triggers, in its own batch (each guards on the visit written now).
  const hooks = [referralHook.active(read) && referralHook, punchHook.active(read) && punchHook].filter(
    (h) => h !== false,
  );
  const booking = hooks.length ? await rewardBooking(deps, rules, clinic.organization.timezone, now) : null;
  const context = {
    clinicId: clinic.organizationId,
    patientId: input.patientId,
    visitId: accrual.visitId,
    occurredAt,
    currency,
    apiKeyId: clinic.keyId,
    now,
  };
  const done = await runBatch(db, {
    ...accrual.statements,
    ...(booking && referralHook.active(read) ? referralHook.statements(db, context, read, booking) : {}),
    ...(booking && punchHook.active(read) ? punchHook.statements(db, context, read, booking) : {}),
    // A reference recorded before books nothing now, and records nothing either.
    audit: auditEntry(db, {
      actor: actorOf(clinic),
      organizationId: clinic.organizationId,
      action: 'visit.record',
      subject: { type: 'visit', id: accrual.visitId },
      patientId: input.patientId,
      detail: sql`(select json_object('amount', s.amount, 'currency', s.currency, 'points', s.points_earned)
        from visits s where s.id = ${accrual.visitId})`,
      when: sql`exists (select 1 from visits s where s.id = ${accrual.visitId})`,
      at: now,
    }),
    // The patient's insight row re-derived with the visit (the triggers keep the counts; this brings the
    // quadrant, engagement and win-back along, so a patient who just came back leaves the win-back list).
    insight: refreshPatientInsight(db, input.patientId, now, clinic.organizationId),
    // The spendable balance is the booked one less lapsed lots not booked yet: no scan of live lots.
    lapsed: db
      .select({ lapsed: sql<number>`coalesce(sum(${pointLots.remaining}), 0)`.as('lapsed') })
      .from(pointLots)
      .where(and(eq(pointLots.patientId, input.patientId), lapsedLot('point_lots', now))),
  });
  const visit = done.visitAfter[0];
  const account = done.accountAfter[0];
  if (!visit || !account) throw new Error('visit batch wrote nothing and found nothing');
  // The messages the rewards wrote (a referral's thanks, a reward voucher's link), to the queue.
  const messageIds = rewardMessageIds(done);
  if (messageIds.length > 0) deps.dispatch?.(messageIds);
  const replayed = visit.id !== accrual.visitId;
  if (replayed) {
    const same =
      visit.patientId === input.patientId &&
      visit.amount === input.amount.amount &&
      (input.occurredAt === undefined || visit.occurredAt === occurredAt);
    if (!same)
      return err({
        code: 'reference_conflict',
        detail: `Reference ${reference} was recorded for a different visit (${visit.id})`,
      });
  }
  return ok({
    visit,
    lot: done.lotAfter[0] ?? null,
    account,
    balance: account.balance - (done.lapsed[0]?.lapsed ?? 0),
    replayed,
  });
}
