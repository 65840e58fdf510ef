import { err, isId, localDate, ok, REVERSAL_WINDOW_MS, type Refusal, type Result } from '@gratia/core';
import {
  type AuthRefusal,
  type Caller,
  type CallRecord,
  type ConsentEvent,
  callRecordOf,
  clinicBranches,
  codeWordCodes,
  codeWords,
  codeWordUses,
  consentEvents,
  type Deps,
  type DiscountTier,
  keyMatch,
  keyOrganization,
  keyRefOf,
  lastCallJson,
  type Patient,
  type PatientInsight,
  type PlanItem,
  patientInsight,
  patients,
  planItems,
  type Question,
  type QuestionnaireResponse,
  questionnaireResponses,
  runAsCaller,
  type Visit,
  type Voucher,
  visits,
  vouchers,
} from '@gratia/db';
import {
  displayStatus,
  type LoyaltyOverview,
  loyaltyOverviewFrom,
  loyaltyOverviewStatements,
  type VoucherDisplayStatus,
} from '@gratia/vouchers';
import { and, asc, desc, eq, getTableColumns, gt, gte, lt, or, sql } from 'drizzle-orm';
import {
  type Balance,
  balanceFrom,
  balanceStatements,
  type StatementLine,
  statementPage,
  statementRows,
} from './account';
import { type PatientReferrals, patientReferralReads, patientReferralsOf } from './referrals';
import { currentProgram } from './rules';
import { type PunchCard, punchCardOf, punchCardsStatement } from './visit-rules';

// Everything the clinic console shows on a patient's page, in one D1 round trip: the patient, their
// consent history, the card's balance with its lots, the statement, the gifts they were given and
// their visits. Each list is a page, newest first, continued from its own cursor, so the page reads
// rows in proportion to what it shows, never the patient's whole history.

/** How many of each list one page shows. */
export const OVERVIEW_PAGE = { consent: 10, statement: 20, gifts: 10, visits: 10 } as const;

/** Where each list continues from (the cursor its "older" link carries); absent: its newest page. */
export interface OverviewCursors {
  /** Consent events inserted before this one (its rowid: the order they were written in). */
  consentBefore?: number;
  statementBefore?: number;
  giftsBefore?: string;
  visitsBefore?: { occurredAt: number; id: string };
}

export interface ListPage<T, C> {
  items: T[];
  /** The cursor of the next (older) page, or null when this is the last. */
  next: C | null;
}

export interface PatientOverview {
  patient: Patient;
  consent: ListPage<ConsentEvent & { seq: number }, number>;
  balance: Balance;
  statement: ListPage<StatementLine, number>;
  gifts: ListPage<Voucher & { displayStatus: VoucherDisplayStatus }, string>;
  visits: ListPage<Visit, { occurredAt: number; id: string }>;
  /** The visit asked for by id (the one just recorded), if it is this patient's. */
  visit: Visit | null;
  /** The latest call made to the patient (from the call list or this page), with who made it. */
  lastCall: CallRecord | null;
  /** The patient's insight row (null until their first event or the daily refresh). */
  insight: PatientInsight | null;
  /** The latest questionnaire answers, with the questions of the version answered (null: never answered). */
  answers: (QuestionnaireResponse & { questions: Question[] }) | null;
  /** The discount tiers of the clinic's programme in force (the patient's next reward goal). */
  tiers: DiscountTier[];
  /** The clinic's branches (the questionnaire's branch answer is a branch id). */
  branches: { id: string; name: string }[];
  /** The patient's referral code and links, who referred them, whom they referred (issue 12). */
  referrals: PatientReferrals;
  /** Code words (issue 12): the patient's own codes of campaigns not ended, and their latest uses. */
  codeWords: { codes: PatientCodeLine[]; uses: PatientCodeWordUse[] };
  /** VIP state, gift allowance, perks and the latest rewards (issue 12). */
  loyalty: LoyaltyOverview;
  /** The patient's progress on each active every-Nth-visit rule (issue 12). */
  punchCards: PunchCard[];
  /** Visits recorded within the reversal window and not reversed: the ones the page offers to reverse. */
  reversible: Visit[];
  /** The next three planned items of the patient's loyalty plan (issue 12). */
  planNext: (PlanItem & { ownerName: string | null })[];
}

export interface PatientCodeLine {
  code: string;
  word: string;
  validUntil: number;
  /** How many times the patient used it, of `perPatientLimit`. */
  used: number;
  perPatientLimit: number;
}

export interface PatientCodeWordUse {
  id: string;
  word: string;
  usedAt: number;
  /** Null only if the use has no reward row (never written so). */
  kind: RewardKindOf | null;
  points: number | null;
  discountBps: number | null;
  discountAmount: number | null;
  currency: string | null;
  offerTitle: string | null;
  voucherId: string | null;
}
type RewardKindOf = 'points' | 'discount_bps' | 'discount_amount' | 'voucher';

/** How many of each a patient's page shows. */
const CODE_WORD_LINES = { codes: 10, uses: 5 };

function paged<T, C>(rows: T[], limit: number, cursor: (last: T) => C): ListPage<T, C> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, next: more ? cursor(items[items.length - 1]!) : null };
}

export async function readPatientOverview(
  deps: Deps,
  input: {
    caller: Caller;
    patientId: string;
    visitId?: string;
    cursors?: OverviewCursors;
    /** The clinic's timezone (its calendar year counts a VIP's gifts); the network's by default. */
    timeZone?: string;
  },
): Promise<Result<PatientOverview, AuthRefusal | Refusal<'patient_not_found'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const ownClinic = keyOrganization(keyRefOf(input.caller));
  const at = input.cursors ?? {};
  const visitsBefore = at.visitsBefore;
  const timeZone = input.timeZone ?? deps.config.timezone;
  const run = await runAsCaller(deps, input.caller, ['clinic'], {
    patient: db
      .select()
      .from(patients)
      .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`)),
    // Newest first by rowid: the order the events were written in, even within one millisecond.
    consent: db
      .select({ ...getTableColumns(consentEvents), seq: sql<number>`${consentEvents}.rowid`.as('seq') })
      .from(consentEvents)
      .where(
        and(
          eq(consentEvents.patientId, patientId),
          at.consentBefore === undefined ? undefined : sql`${consentEvents}.rowid < ${at.consentBefore}`,
          sql`exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = ${ownClinic})`,
        ),
      )
      .orderBy(sql`${consentEvents}.rowid desc`)
      .limit(OVERVIEW_PAGE.consent + 1),
    ...balanceStatements(db, { patientId, ownClinic, now }),
    statement: statementRows(db, {
      patientId,
      ownClinic,
      beforeSeq: at.statementBefore ?? null,
      limit: OVERVIEW_PAGE.statement,
    }),
    gifts: db
      .select()
      .from(vouchers)
      .where(
        and(
          eq(vouchers.patientId, patientId),
          sql`${vouchers.clinicId} = ${ownClinic}`,
          at.giftsBefore === undefined ? undefined : lt(vouchers.id, at.giftsBefore),
        ),
      )
      .orderBy(desc(vouchers.id))
      .limit(OVERVIEW_PAGE.gifts + 1),
    visits: db
      .select()
      .from(visits)
      .where(
        and(
          eq(visits.patientId, patientId),
          // The clinic is checked on the patient, not on visits.clinic_id: a condition on the visit's
          // clinic lets the planner walk the clinic's visits (visits_clinic_idx) instead of the
          // patient's own (visits_patient_idx), which costs every visit of the clinic for a new patient.
          // (A join, not a scalar subquery: with one inside the EXISTS, D1's SQLite sorts the patient's
          // every visit instead of reading the index in order.)
          sql`exists (select 1 from patients p join api_keys k on k.organization_id = p.clinic_id
            where p.id = ${patientId} and ${keyMatch(keyRefOf(input.caller))} and k.revoked_at is null)`,
          visitsBefore
            ? or(
                lt(visits.occurredAt, visitsBefore.occurredAt),
                and(eq(visits.occurredAt, visitsBefore.occurredAt), lt(visits.id, visitsBefore.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(visits.occurredAt), desc(visits.id))
      .limit(OVERVIEW_PAGE.visits + 1),
    // What the clinic knows of the patient beyond the card (issue 11): the insight row (A/B/C, quadrant,
    // engagement, preferences) and the latest questionnaire answers, each one seek by primary key/index.
    insight: db
      .select()
      .from(patientInsight)
      .where(and(eq(patientInsight.patientId, patientId), sql`${patientInsight.clinicId} = ${ownClinic}`)),
    branches: db
      .select({ id: clinicBranches.id, name: clinicBranches.name })
      .from(clinicBranches)
      .where(sql`${clinicBranches.clinicId} = ${ownClinic}`),
    answers: db
      .select({
        ...getTableColumns(questionnaireResponses),
        // The questions of the version answered, so the page labels each answer by its question.
        questions: sql<string>`(select q.questions from questionnaires q
          where q.id = ${questionnaireResponses.questionnaireId})`.as('answered_questions'),
      })
      .from(questionnaireResponses)
      .where(
        and(
          eq(questionnaireResponses.patientId, patientId),
          sql`${questionnaireResponses.clinicId} = ${ownClinic}`,
        ),
      )
      .orderBy(desc(questionnaireResponses.submittedAt), desc(questionnaireResponses.id))
      .limit(1),
    // The programme in force: its discount tiers make the patient's next reward goal (issue 11).
    program: currentProgram(db, ownClinic),
    lastCall: db
      .select({ json: sql<string | null>`${lastCallJson(ownClinic, patientId)}`.as('last_call_json') })
      .from(patients)
      .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`)),
    // Referrals (issue 12): the code, who referred the patient, whom they referred (seeks by index).
    ...patientReferralReads(db, ownClinic, patientId),
    // Code words (issue 12): the patient's own codes (code_word_codes_patient_unique is per campaign;
    // a patient has few) and their latest uses (code_word_uses_patient_idx, newest first).
    codeWordCodes: db
      .select({
        code: codeWordCodes.code,
        word: codeWords.word,
        validUntil: codeWords.validUntil,
        perPatientLimit: codeWords.perPatientLimit,
        used: sql<number>`(select count(*) from code_word_uses u
          where u.code_word_id = ${codeWordCodes.codeWordId} and u.patient_id = ${codeWordCodes.patientId})`.as(
          'code_used',
        ),
      })
      .from(codeWordCodes)
      .innerJoin(codeWords, eq(codeWords.id, codeWordCodes.codeWordId))
      .where(
        and(
          eq(codeWordCodes.patientId, patientId),
          sql`${codeWordCodes.clinicId} = ${ownClinic}`,
          sql`${codeWords.endedAt} is null`,
        ),
      )
      .orderBy(desc(codeWordCodes.createdAt))
      .limit(CODE_WORD_LINES.codes),
    codeWordUses: db
      .select({
        id: codeWordUses.id,
        word: codeWords.word,
        usedAt: codeWordUses.usedAt,
        reward: sql<string | null>`(select json_object('kind', r.kind, 'points', r.points,
          'discount_bps', r.discount_bps, 'discount_amount', r.discount_amount, 'currency', r.currency,
          'voucher_id', r.voucher_id, 'offer_title', (select o.title from offers o where o.id = r.offer_id))
          from loyalty_rewards r where r.id = ${codeWordUses.rewardId})`.as('code_reward'),
      })
      .from(codeWordUses)
      .innerJoin(codeWords, eq(codeWords.id, codeWordUses.codeWordId))
      .where(and(eq(codeWordUses.patientId, patientId), sql`${codeWordUses.clinicId} = ${ownClinic}`))
      .orderBy(desc(codeWordUses.usedAt), desc(codeWordUses.id))
      .limit(CODE_WORD_LINES.uses),
    ...loyaltyOverviewStatements(db, { clinicId: ownClinic, patientId, now, timeZone }),
    // Every-Nth-visit cards and the visits that may still be reversed (issue 12).
    punchCards: punchCardsStatement(db, ownClinic, patientId, now),
    reversible: db
      .select()
      .from(visits)
      .where(
        and(
          eq(visits.patientId, patientId),
          // The clinic checked on the patient with a join, as for the visits list above (and why).
          sql`exists (select 1 from patients p join api_keys k on k.organization_id = p.clinic_id
            where p.id = ${patientId} and ${keyMatch(keyRefOf(input.caller))} and k.revoked_at is null)`,
          gt(visits.recordedAt, now - REVERSAL_WINDOW_MS),
          sql`not exists (select 1 from visit_reversals x where x.visit_id = ${visits.id})`,
        ),
      )
      .orderBy(desc(visits.occurredAt), desc(visits.id))
      .limit(5),
    // The next items of the patient's loyalty plan (issue 12), for the page's "Plan" card.
    planNext: db
      .select({
        item: planItems,
        ownerName: sql<
          string | null
        >`(select m.name from staff_members m where m.id = ${planItems.ownerStaffId})`.as('plan_owner_name'),
      })
      .from(planItems)
      .where(
        and(
          eq(planItems.patientId, patientId),
          sql`${planItems.clinicId} = ${ownClinic}`,
          eq(planItems.status, 'planned'),
          gte(planItems.dueOn, localDate(now, deps.config.timezone)),
        ),
      )
      .orderBy(asc(planItems.dueOn), asc(planItems.id))
      .limit(3),
    visit: db
      .select()
      .from(visits)
      .where(
        and(
          eq(visits.id, input.visitId ?? ''),
          eq(visits.patientId, patientId),
          sql`${visits.clinicId} = ${ownClinic}`,
        ),
      ),
  });
  if (!run.ok) return run;
  const read = run.value.results;
  const patient = read.patient[0];
  const balance = balanceFrom(read);
  if (!patient || !balance)
    return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const statement = statementPage(read.statement, OVERVIEW_PAGE.statement);
  return ok({
    patient,
    consent: paged(read.consent, OVERVIEW_PAGE.consent, (e) => e.seq),
    balance,
    statement: { items: statement.lines, next: statement.next },
    gifts: paged(
      read.gifts.map((v) => ({ ...v, displayStatus: displayStatus(v, now) })),
      OVERVIEW_PAGE.gifts,
      (v) => v.id,
    ),
    visits: paged(read.visits, OVERVIEW_PAGE.visits, (v) => ({ occurredAt: v.occurredAt, id: v.id })),
    visit: read.visit[0] ?? null,
    lastCall: read.lastCall[0]?.json ? callRecordOf(read.lastCall[0].json) : null,
    insight: read.insight[0] ?? null,
    answers: read.answers[0]
      ? { ...read.answers[0], questions: JSON.parse(read.answers[0].questions ?? '[]') as Question[] }
      : null,
    tiers: read.program[0]?.discountTiers ?? [],
    branches: read.branches,
    referrals: await patientReferralsOf(deps, read, patient.clinicId, patient.id),
    codeWords: { codes: read.codeWordCodes, uses: read.codeWordUses.map(codeWordUseOf) },
    loyalty: loyaltyOverviewFrom(read, now, timeZone),
    punchCards: read.punchCards.map(punchCardOf),
    reversible: read.reversible,
    planNext: read.planNext.map((r) => ({ ...r.item, ownerName: r.ownerName })),
  });
}

function codeWordUseOf(r: {
  id: string;
  word: string;
  usedAt: number;
  reward: string | null;
}): PatientCodeWordUse {
  const x = r.reward
    ? (JSON.parse(r.reward) as {
        kind: RewardKindOf;
        points: number | null;
        discount_bps: number | null;
        discount_amount: number | null;
        currency: string | null;
        voucher_id: string | null;
        offer_title: string | null;
      })
    : null;
  return {
    id: r.id,
    word: r.word,
    usedAt: r.usedAt,
    kind: x?.kind ?? null,
    points: x?.points ?? null,
    discountBps: x?.discount_bps ?? null,
    discountAmount: x?.discount_amount ?? null,
    currency: x?.currency ?? null,
    offerTitle: x?.offer_title ?? null,
    voucherId: x?.voucher_id ?? null,
  };
}
