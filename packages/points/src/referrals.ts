import { DAY_MS, linkSigner } from '@gratia/core';
import {
  type Db,
  type Deps,
  patients,
  type RewardKind,
  type RewardStatus,
  referralCodes,
  referrals,
  runBatch,
} from '@gratia/db';
import { preferredChannelInserts } from '@gratia/messaging';
import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { describeReward, prefixed, type RewardSpec, rewardStatements, specProblem } from './rewards';
import type { VisitRewardHook } from './visit-rewards';

// Referrals (issue 12): every patient has a referral code (referral_codes, written by a trigger with
// the patient); a new patient registered with it is linked to the referrer (one referral per referred
// patient). The referred patient's first paid visit qualifies the referral and rewards both patients
// with the clinic's referral reward (loyalty_settings), in the visit's own batch, exactly once:
//
// - the qualification is a guarded UPDATE (only while the referral is unqualified, and only if the visit
//   row this batch writes exists: a replayed reference writes none), so of 50 concurrent visits one
//   qualifies it;
// - both rewards are written from the referral qualified by *this* visit, under reason keys
//   `referral:<id>:referee` and `referral:<id>:referrer` (UNIQUE per clinic), so a reversed and
//   re-recorded first visit rewards nothing new;
// - the referrer's yearly cap counts their referrer rewards granted in the last 365 days (a rolling year,
//   the same for every clinic whatever its timezone): over the cap the referrer's reward is recorded as
//   `capped` (it gives nothing) and the referred patient still gets theirs;
// - each reward written now (not a capped one) messages its patient (issue 13): a `referral_reward`
//   message on their reachable channel, reason `referral:<reward id>`, guarded on that reward row, with
//   what it gives and no `url` (the consumer links the patient's card page when it sends).
//
// The hook costs nothing for the common visit: its read (one indexed seek on referrals_referee_unique)
// finds no unqualified referral with a reward configured, and the visit's batch gets no statements.

/** How many referrer rewards count against the cap: those granted within this long before now. */
export const REFERRAL_CAP_WINDOW_MS = 365 * DAY_MS;

/** The reason key of a referral's reward for one side. */
export const referralReasonKey = (referralId: string, side: 'referee' | 'referrer') =>
  `referral:${referralId}:${side}`;

interface HookRow {
  hookReferralId: string;
  hookRewardKind: RewardKind;
  hookPoints: number | null;
  hookOfferId: string | null;
  hookOfferTitle: string | null;
  hookCap: number;
}

const hookSpec = (row: HookRow): RewardSpec => ({
  kind: row.hookRewardKind,
  points: row.hookPoints,
  offerId: row.hookOfferId,
});

/** A referred patient's first paid visit rewards the referrer and the referred patient once. */
export const referralHook: VisitRewardHook<{ referralHook: HookRow[] }> = {
  reads: (db, clinicId, patientId) => ({
    referralHook: db
      .select({
        hookReferralId: sql<string>`f.id`.as('hook_referral_id'),
        hookRewardKind: sql<RewardKind>`s.referral_reward_kind`.as('hook_reward_kind'),
        hookPoints: sql<number | null>`s.referral_points`.as('hook_points'),
        hookOfferId: sql<string | null>`s.referral_offer_id`.as('hook_offer_id'),
        hookOfferTitle: sql<
          string | null
        >`(select o.title from offers o where o.id = s.referral_offer_id)`.as('hook_offer_title'),
        hookCap: sql<number>`s.referral_cap_per_year`.as('hook_cap'),
      })
      .from(sql`referrals f join loyalty_settings s on s.clinic_id = f.clinic_id`)
      .where(
        sql`f.referee_id = ${patientId} and f.clinic_id = ${clinicId} and f.qualifying_visit_id is null
          and s.referral_reward_kind is not null`,
      ),
  }),
  active: (read) => {
    const row = read.referralHook[0];
    return row !== undefined && specProblem(hookSpec(row)) === null;
  },
  statements: (db, ctx, read, booking) => {
    const row = read.referralHook[0]!;
    const spec = hookSpec(row);
    const gives = describeReward(spec, ctx.currency, row.hookOfferTitle);
    // The referral this visit qualified (none if it was qualified before, or the visit was not written).
    const qualified = sql`from referrals f where f.referee_id = ${ctx.patientId} and f.clinic_id = ${ctx.clinicId}
      and f.qualifying_visit_id = ${ctx.visitId}`;
    // The referrer's rewards that count against the cap (their own referee rewards do not).
    const counted = sql`(select count(*) from loyalty_rewards x where x.patient_id = f.referrer_id
      and x.clinic_id = f.clinic_id and x.source = 'referral' and x.reason_key like 'referral:%:referrer'
      and x.status <> 'capped' and x.granted_at > ${ctx.now - REFERRAL_CAP_WINDOW_MS})`;
    const common = {
      clinicId: ctx.clinicId,
      source: 'referral' as const,
      sourceId: row.hookReferralId,
      spec,
      currency: ctx.currency,
      visitId: ctx.visitId,
      apiKeyId: ctx.apiKeyId,
    };
    const referee = rewardStatements(
      db,
      {
        ...common,
        patientId: ctx.patientId,
        reasonKey: referralReasonKey(row.hookReferralId, 'referee'),
        title: `Welcome, on a friend's recommendation: ${gives}`,
        guard: qualified,
      },
      booking,
    );
    const referrer = {
      ...common,
      patientId: sql`f.referrer_id`,
      reasonKey: referralReasonKey(row.hookReferralId, 'referrer'),
      title: `Thank you for recommending us: ${gives}`,
    };
    const granted = rewardStatements(
      db,
      { ...referrer, guard: sql`${qualified} and ${counted} < ${row.hookCap}` },
      booking,
    );
    // Over the cap: the same reason recorded as capped (gives nothing); the guards are opposite, and the
    // reason key is UNIQUE, so exactly one of the two lands.
    const capped = rewardStatements(
      db,
      { ...referrer, status: 'capped', guard: sql`${qualified} and ${counted} >= ${row.hookCap}` },
      booking,
    );
    // A message to the patient a reward written now (and not capped) is for.
    const thanks = (rewardId: string, side: 'referee' | 'referrer') =>
      preferredChannelInserts(db, ctx.now, {
        clinicId: ctx.clinicId,
        patientId: sql`r.patient_id`,
        kind: 'referral_reward',
        purpose: 'service',
        reasonKey: `referral:${rewardId}`,
        // `side` lets the words differ: the referrer is thanked, the referred patient welcomed.
        vars: { reward: gives, side },
        createdBy: ctx.apiKeyId ?? 'system',
        from: sql`from loyalty_rewards r join patients p on p.id = r.patient_id
          where r.id = ${rewardId} and r.status <> 'capped'`,
      });
    return {
      'referral.qualify': db
        .update(referrals)
        .set({ qualifyingVisitId: ctx.visitId, qualifiedAt: ctx.now })
        .where(
          and(
            eq(referrals.refereeId, ctx.patientId),
            eq(referrals.clinicId, ctx.clinicId),
            isNull(referrals.qualifyingVisitId),
            sql`exists (select 1 from visits v where v.id = ${ctx.visitId})`,
          ),
        ),
      ...prefixed('referral.referee', referee.statements),
      ...prefixed('referral.referrer', granted.statements),
      'referral.capped': capped.statements.reward!,
      'referral.refereeMessage': thanks(referee.rewardId, 'referee'),
      'referral.referrerMessage': thanks(granted.rewardId, 'referrer'),
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Codes and links

/** The invite link of a referral code: the public page for the person invited. */
export const inviteUrl = (deps: Pick<Deps, 'config'>, code: string) => `${deps.config.baseUrl}/j/${code}`;

const CODE_ATTEMPTS = 3;

/**
 * A patient's referral code, made now if they have none (the trigger's random code collided with
 * another's, which leaves the patient without one): INSERT OR IGNORE of a fresh random code, then read.
 * The patient must be the clinic's; null otherwise.
 */
export async function referralCodeOf(
  deps: Deps,
  input: { clinicId: string; patientId: string },
): Promise<string | null> {
  const { db } = deps;
  for (let attempt = 1; attempt <= CODE_ATTEMPTS; attempt++) {
    const code = [...crypto.getRandomValues(new Uint8Array(5))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase();
    const done = await runBatch(db, {
      insert: db
        .insert(referralCodes)
        .select(
          sql`select p.id, p.clinic_id, ${code}, ${deps.clock.now()} from patients p
            where p.id = ${input.patientId} and p.clinic_id = ${input.clinicId}`,
        )
        .onConflictDoNothing(),
      code: db
        .select({ code: referralCodes.code })
        .from(referralCodes)
        .where(and(eq(referralCodes.patientId, input.patientId), eq(referralCodes.clinicId, input.clinicId))),
      patient: db
        .select({ id: patients.id })
        .from(patients)
        .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, input.clinicId))),
    });
    if (done.code[0]) return done.code[0].code;
    if (!done.patient[0]) return null;
  }
  return null;
}

// The patient's own page of their rewards, `/m/<token>`: no account and no table row, the token is
// `<patient id>.<HMAC-SHA-256 over the id and the purpose 'member'>` with deps.config.linkSecret, so a
// forged or altered token is refused before any read. It does not expire (it shows what the patient
// may see at the desk anyway: their code, first names and initials of those they referred, their
// rewards); the clinic changes nothing by sending it again.

const memberLinks = linkSigner('member-links');

/** The patient's own page of their rewards and referrals. */
export async function memberUrl(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return `${deps.config.baseUrl}/m/${await memberLinks.token(deps.config.linkSecret, patientId, 'member')}`;
}

/** The patient a member token is for, if it is genuine (checked without the database). */
export async function memberPatientId(deps: Pick<Deps, 'config'>, token: string): Promise<string | null> {
  return memberLinks.idOf(deps.config.linkSecret, token, 'pat', 'member');
}

// ---------------------------------------------------------------------------------------------------
// Reads shared by the patient page, the API and the clinic's tree

/** One referral as the pages and the API show it, with both rewards (if written). */
export interface ReferralRow {
  referralId: string;
  referrerId: string;
  referrerFirstName: string;
  referrerLastName: string;
  refereeId: string;
  refereeFirstName: string;
  refereeLastName: string;
  code: string;
  createdAt: number;
  qualifiedAt: number | null;
  qualifyingVisitId: string | null;
  referrerRewardId: string | null;
  referrerRewardStatus: RewardStatus | null;
  referrerRewardTitle: string | null;
  refereeRewardId: string | null;
  refereeRewardStatus: RewardStatus | null;
  refereeRewardTitle: string | null;
}

/** Referrals with both patients' names and both rewards (each by its reason key: a unique seek). */
export const referralRows = (db: Db, where: SQL) =>
  db
    .select({
      referralId: sql<string>`f.id`.as('rf_id'),
      referrerId: sql<string>`f.referrer_id`.as('rf_referrer_id'),
      referrerFirstName: sql<string>`p.first_name`.as('rf_referrer_first'),
      referrerLastName: sql<string>`p.last_name`.as('rf_referrer_last'),
      refereeId: sql<string>`f.referee_id`.as('rf_referee_id'),
      refereeFirstName: sql<string>`e.first_name`.as('rf_referee_first'),
      refereeLastName: sql<string>`e.last_name`.as('rf_referee_last'),
      code: sql<string>`f.code`.as('rf_code'),
      createdAt: sql<number>`f.created_at`.as('rf_created_at'),
      qualifiedAt: sql<number | null>`f.qualified_at`.as('rf_qualified_at'),
      qualifyingVisitId: sql<string | null>`f.qualifying_visit_id`.as('rf_visit_id'),
      referrerRewardId: sql<string | null>`rr.id`.as('rf_rr_id'),
      referrerRewardStatus: sql<RewardStatus | null>`rr.status`.as('rf_rr_status'),
      referrerRewardTitle: sql<string | null>`rr.title`.as('rf_rr_title'),
      refereeRewardId: sql<string | null>`re.id`.as('rf_re_id'),
      refereeRewardStatus: sql<RewardStatus | null>`re.status`.as('rf_re_status'),
      refereeRewardTitle: sql<string | null>`re.title`.as('rf_re_title'),
    })
    .from(
      sql`referrals f join patients p on p.id = f.referrer_id join patients e on e.id = f.referee_id
        left join loyalty_rewards rr on rr.clinic_id = f.clinic_id and rr.reason_key = 'referral:' || f.id || ':referrer'
        left join loyalty_rewards re on re.clinic_id = f.clinic_id and re.reason_key = 'referral:' || f.id || ':referee'`,
    )
    .where(where);

/** How many of a patient's referrals the patient page and the API show (the newest). */
export const REFERRALS_SHOWN = 50;

/** The reads of a patient's referral section, for a batch (the patient page's, the API's). */
export const patientReferralReads = (db: Db, clinicId: SQL | string, patientId: string) => ({
  referralCode: db
    .select({ referralCode: referralCodes.code })
    .from(referralCodes)
    .where(and(eq(referralCodes.patientId, patientId), sql`${referralCodes.clinicId} = ${clinicId}`)),
  referredBy: referralRows(db, sql`f.referee_id = ${patientId} and f.clinic_id = ${clinicId}`),
  referred: referralRows(db, sql`f.referrer_id = ${patientId} and f.clinic_id = ${clinicId}`)
    .orderBy(sql`f.created_at desc`, sql`f.id desc`)
    .limit(REFERRALS_SHOWN + 1),
});

/** A patient's referral section: their code and links, who referred them, whom they referred. */
export interface PatientReferrals {
  code: string | null;
  inviteUrl: string | null;
  memberUrl: string;
  referredBy: ReferralRow | null;
  referred: ReferralRow[];
  /** More referrals than shown. */
  more: boolean;
}

/** The section from its reads (making the code if the patient has none yet). */
export async function patientReferralsOf(
  deps: Deps,
  read: { referralCode: { referralCode: string }[]; referredBy: ReferralRow[]; referred: ReferralRow[] },
  clinicId: string,
  patientId: string,
): Promise<PatientReferrals> {
  const code = read.referralCode[0]?.referralCode ?? (await referralCodeOf(deps, { clinicId, patientId }));
  return {
    code,
    inviteUrl: code ? inviteUrl(deps, code) : null,
    memberUrl: await memberUrl(deps, patientId),
    referredBy: read.referredBy[0] ?? null,
    referred: read.referred.slice(0, REFERRALS_SHOWN),
    more: read.referred.length > REFERRALS_SHOWN,
  };
}
