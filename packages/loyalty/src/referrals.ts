import {
  err,
  isId,
  newId,
  normalizeReferralCode,
  ok,
  type Refusal,
  type Result,
  sharedContact,
} from '@gratia/core';
import {
  type AuthRefusal,
  actorOf,
  auditEntry,
  type Deps,
  type LoyaltyReward,
  loyaltyRewards,
  type OrgPrincipal,
  organizations,
  patients,
  referralCodes,
  referrals,
  runBatch,
  staffRefusal,
} from '@gratia/db';
import {
  inviteUrl,
  memberPatientId,
  type PatientReferrals,
  type PunchCard,
  patientReferralReads,
  patientReferralsOf,
  punchCardOf,
  punchCardsStatement,
  type ReferralRow,
  referralRows,
} from '@gratia/points';
import { and, desc, eq, sql } from 'drizzle-orm';

// Referrals as the clinic and the patient see them (issue 12): linking a patient who forgot to
// mention the code, a patient's referrals, the clinic's referral tree, the public invite page
// (`/j/<code>`) and the patient's own page of their rewards (`/m/<token>`). Registration with a code is
// @gratia/network's registerPatientWithReferral; the rewards are written by the visit's referral hook
// (@gratia/points referrals.ts).

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

const unknownCode: Refusal<'referral_code_unknown'> = {
  code: 'referral_code_unknown',
  detail: 'No patient of this clinic has that referral code',
  errors: [{ path: 'code', message: 'is not the code of a patient of this clinic' }],
};

/** Where a referral stands, for the side that asks: waiting for the first paid visit, rewarded, or over the cap. */
export type ReferralStatus = 'pending' | 'rewarded' | 'capped';

export function referralStatus(row: ReferralRow, side: 'referrer' | 'referee'): ReferralStatus {
  if (row.qualifiedAt === null) return 'pending';
  const status = side === 'referrer' ? row.referrerRewardStatus : row.refereeRewardStatus;
  return status === 'capped' ? 'capped' : 'rewarded';
}

/** The paid visits that make it too late to link a referral: any visit not reversed. */
const paidVisit = (patientId: string) =>
  sql`exists (select 1 from visits v where v.patient_id = ${patientId}
    and not exists (select 1 from visit_reversals x where x.visit_id = v.id))`;

export type LinkReferralRefusal = Refusal<
  'patient_not_found' | 'referral_code_unknown' | 'self_referral' | 'referral_too_late' | 'already_referred'
>;

/**
 * Links an existing patient to the patient whose code they forgot to mention: only before their first
 * paid visit (`referral_too_late`) and only once (`already_referred`; the same code again changes
 * nothing and answers the referral as it is). One read, then one guarded batch: the referral is written
 * only if the code is still the clinic's and no paid visit has been recorded since (a visit recorded at
 * the same moment wins), with its audit entry.
 */
export async function linkReferral(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; code: string },
): Promise<Result<{ referral: ReferralRow; created: boolean }, LinkReferralRefusal>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const code = normalizeReferralCode(input.code);
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    patient: db
      .select({ id: patients.id, email: patients.email, phone: patients.phone })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
    referrer: db
      .select({
        referrerId: sql<string>`p.id`.as('referrer_id'),
        email: sql<string | null>`p.email`.as('referrer_email'),
        phone: sql<string | null>`p.phone`.as('referrer_phone'),
      })
      .from(sql`referral_codes rc join patients p on p.id = rc.patient_id`)
      .where(sql`rc.code = ${code} and rc.clinic_id = ${clinicId}`),
    existing: referralRows(db, sql`f.referee_id = ${input.patientId} and f.clinic_id = ${clinicId}`),
    paid: db
      .select({ paid: sql<number>`1`.as('paid') })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), paidVisit(input.patientId))),
  });
  const patient = read.patient[0];
  if (!patient) return err(notFound(input.patientId));
  const referrer = read.referrer[0];
  if (!code || !referrer) return err(unknownCode);
  const existing = read.existing[0];
  if (existing) {
    if (existing.referrerId === referrer.referrerId) return ok({ referral: existing, created: false });
    return err({
      code: 'already_referred',
      detail: `The patient was already referred by another patient (referral ${existing.referralId})`,
    });
  }
  const same = referrer.referrerId === patient.id ? 'code' : sharedContact(patient, referrer);
  if (same)
    return err({
      code: 'self_referral',
      detail:
        same === 'code'
          ? 'That is the patient’s own referral code: a patient cannot refer themselves'
          : `The code belongs to a patient with the same ${same === 'email' ? 'e-mail address' : 'phone number'}: a patient cannot refer themselves`,
      errors: [{ path: 'code', message: 'belongs to the same person' }],
    });
  if (read.paid.length) return err(tooLate);

  const now = deps.clock.now();
  const id = newId('ref', now);
  const done = await runBatch(db, {
    referral: db
      .insert(referrals)
      .select(
        sql`select ${id}, ${clinicId}, rc.patient_id, ${patient.id}, rc.code, ${now}, null, null
          from referral_codes rc
          where rc.code = ${code} and rc.clinic_id = ${clinicId} and rc.patient_id <> ${patient.id}
            and not ${paidVisit(patient.id)}`,
      )
      .onConflictDoNothing(),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'referral.link',
      subject: { type: 'referral', id },
      patientId: patient.id,
      detail: { referrer_id: referrer.referrerId },
      when: sql`exists (select 1 from referrals f where f.id = ${id})`,
      at: now,
    }),
    after: referralRows(db, sql`f.referee_id = ${patient.id} and f.clinic_id = ${clinicId}`),
  });
  const row = done.after[0];
  if (!row) return err(tooLate);
  if (row.referralId === id) return ok({ referral: row, created: true });
  // Another link landed first: the same referrer is this request's effect; another is a conflict.
  if (row.referrerId === referrer.referrerId) return ok({ referral: row, created: false });
  return err({ code: 'already_referred', detail: 'The patient was referred by another patient just now' });
}

const tooLate: Refusal<'referral_too_late'> = {
  code: 'referral_too_late',
  detail: 'The patient has had a paid visit: a referral can only be added before the first one',
};

// ---------------------------------------------------------------------------------------------------
// A patient's referrals

/**
 * A patient's referral code and links, who referred them and whom they referred (the newest 50), with
 * the rewards: one round trip (another only for a patient left without a code, to make one).
 */
export async function readPatientReferrals(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<PatientReferrals, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
    ...patientReferralReads(db, clinicId, input.patientId),
  });
  if (!read.patient[0]) return err(notFound(input.patientId));
  return ok(await patientReferralsOf(deps, read, clinicId, input.patientId));
}

// ---------------------------------------------------------------------------------------------------
// The clinic's referral tree

/** Who may read the clinic's referral tree. */
export const REFERRAL_TREE_ROLES = ['owner', 'manager'] as const;

export interface ReferrerBranch {
  referrerId: string;
  firstName: string;
  lastName: string;
  /** Who referred this referrer, if anyone (the tree goes on up there). */
  referredById: string | null;
  referrals: (ReferralRow & { status: ReferralStatus })[];
  counts: { referred: number; pending: number; rewarded: number; capped: number };
}

/** Referrals read per referrer at most (the newest), so a page's cost is bounded. */
export const TREE_REFERRALS_PER_REFERRER = 100;

/**
 * The clinic's referral tree, a page of referrers at a time (in id order): each referrer with the
 * patients they referred, the status and rewards of each referral, their counts and who referred them.
 * Owners and managers (and API keys). One round trip, walking referrals_clinic_referrer_idx.
 */
export async function readReferralTree(
  deps: Deps,
  input: { clinic: OrgPrincipal; after?: string; limit: number },
): Promise<Result<{ referrers: ReferrerBranch[]; next: string | null }, AuthRefusal>> {
  const refused = staffRefusal(input.clinic, REFERRAL_TREE_ROLES);
  if (refused) return err(refused);
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const after = input.after ?? '';
  const pageOf = sql`select g.referrer_id from referrals g where g.clinic_id = ${clinicId}
    and g.referrer_id > ${after} group by g.referrer_id order by g.referrer_id limit ${input.limit + 1}`;
  const read = await runBatch(db, {
    referrers: db
      .select({
        referrerId: sql<string>`p.id`.as('tree_referrer_id'),
        firstName: sql<string>`p.first_name`.as('tree_first'),
        lastName: sql<string>`p.last_name`.as('tree_last'),
        referredById: sql<
          string | null
        >`(select b.referrer_id from referrals b where b.referee_id = p.id)`.as('tree_referred_by'),
      })
      .from(sql`patients p`)
      .where(sql`p.id in (${pageOf})`)
      .orderBy(sql`p.id`),
    // Each referrer's newest referrals: from the creation time of its 100th newest on (one seek of at
    // most 100 index entries per referrer, then the range), so a page reads about 200 entries per
    // referrer however many it referred. (A subquery correlated with each referral instead re-ran that
    // seek per referral: 15,601 rows for one referrer with 150; now 850.) CROSS JOIN keeps the page's
    // referrers as the outer loop (a plain join let the planner walk the clinic's referrals and run the
    // seek per referral again); the clinic is checked on `h`, so `f` is found by its id alone.
    rows: referralRows(
      db,
      sql`f.id in (select h.id from (${pageOf}) pg cross join referrals h
        where h.clinic_id = ${clinicId} and h.referrer_id = pg.referrer_id
          and h.created_at >= coalesce((select n.created_at from referrals n
            where n.clinic_id = ${clinicId} and n.referrer_id = pg.referrer_id
            order by n.created_at desc limit 1 offset ${TREE_REFERRALS_PER_REFERRER - 1}), 0))`,
    ).orderBy(sql`f.referrer_id`, sql`f.created_at`, sql`f.id`),
  });
  const more = read.referrers.length > input.limit;
  const shown = more ? read.referrers.slice(0, input.limit) : read.referrers;
  const referrers = shown.map((r): ReferrerBranch => {
    const rows = read.rows
      .filter((x) => x.referrerId === r.referrerId)
      // Referrals made in the same millisecond as the 100th newest may pass the time bound.
      .slice(-TREE_REFERRALS_PER_REFERRER)
      .map((x) => ({ ...x, status: referralStatus(x, 'referrer') }));
    return {
      ...r,
      referrals: rows,
      counts: {
        referred: rows.length,
        pending: rows.filter((x) => x.status === 'pending').length,
        rewarded: rows.filter((x) => x.status === 'rewarded').length,
        capped: rows.filter((x) => x.status === 'capped').length,
      },
    };
  });
  return ok({ referrers, next: more ? shown[shown.length - 1]!.referrerId : null });
}

// ---------------------------------------------------------------------------------------------------
// The invite page, /j/<code>

export interface Invitation {
  code: string;
  firstName: string;
  clinic: {
    name: string;
    address: string | null;
    phone: string | null;
    email: string | null;
    website: string | null;
    bookingUrl: string | null;
  };
}

/** What the invited person sees: the referrer's first name, the clinic and how to reach it; null: no such code. */
export async function readInvitation(deps: Deps, rawCode: string): Promise<Invitation | null> {
  const code = normalizeReferralCode(rawCode);
  if (!code) return null;
  const [row] = await deps.db
    .select({
      code: referralCodes.code,
      firstName: patients.firstName,
      name: organizations.name,
      address: organizations.address,
      phone: organizations.phone,
      email: organizations.email,
      website: organizations.website,
      bookingUrl: organizations.bookingUrl,
    })
    .from(referralCodes)
    .innerJoin(patients, eq(patients.id, referralCodes.patientId))
    .innerJoin(organizations, eq(organizations.id, referralCodes.clinicId))
    .where(eq(referralCodes.code, code));
  if (!row) return null;
  const { code: c, firstName, ...clinic } = row;
  return { code: c, firstName, clinic };
}

// ---------------------------------------------------------------------------------------------------
// The patient's own page, /m/<token>

/** The patient's rewards shown on their page (the newest). */
export const MEMBER_REWARDS_SHOWN = 20;

export interface MemberPage {
  patient: { id: string; firstName: string };
  clinic: { id: string; name: string; timezone: string; currency: string };
  code: string | null;
  inviteUrl: string | null;
  /** The people they referred: first name and last initial only. */
  referred: { name: string; joinedAt: number; status: ReferralStatus }[];
  rewards: LoyaltyReward[];
  /** Their progress on each active every-Nth-visit offer. */
  punchCards: PunchCard[];
}

/**
 * The patient's page of their rewards at the clinic: their code and invite link, the people they
 * referred (first name and initial, joined, rewarded or pending) and the rewards they earned. The token
 * is checked before any read; then one round trip.
 */
export async function readMemberPage(
  deps: Deps,
  token: string,
): Promise<Result<MemberPage, Refusal<'link_not_found'>>> {
  const notValid: Refusal<'link_not_found'> = { code: 'link_not_found', detail: 'The link is not valid' };
  const patientId = await memberPatientId(deps, token);
  if (!patientId) return err(notValid);
  const { db } = deps;
  const clinicOf = sql`(select x.clinic_id from patients x where x.id = ${patientId})`;
  const read = await runBatch(db, {
    who: db
      .select({
        firstName: patients.firstName,
        clinicId: organizations.id,
        clinicName: organizations.name,
        timezone: organizations.timezone,
        currency: organizations.currency,
      })
      .from(patients)
      .innerJoin(organizations, eq(organizations.id, patients.clinicId))
      .where(eq(patients.id, patientId)),
    ...patientReferralReads(db, clinicOf, patientId),
    rewards: db
      .select()
      .from(loyaltyRewards)
      .where(and(eq(loyaltyRewards.patientId, patientId), sql`${loyaltyRewards.status} <> 'capped'`))
      .orderBy(desc(loyaltyRewards.grantedAt), desc(loyaltyRewards.id))
      .limit(MEMBER_REWARDS_SHOWN),
    punchCards: punchCardsStatement(db, clinicOf, patientId, deps.clock.now()),
  });
  const who = read.who[0];
  if (!who) return err(notValid);
  const section = await patientReferralsOf(deps, read, who.clinicId, patientId);
  return ok({
    patient: { id: patientId, firstName: who.firstName },
    clinic: { id: who.clinicId, name: who.clinicName, timezone: who.timezone, currency: who.currency },
    code: section.code,
    inviteUrl: section.code ? inviteUrl(deps, section.code) : null,
    referred: section.referred.map((r) => ({
      name: `${r.refereeFirstName} ${r.refereeLastName.slice(0, 1)}.`,
      joinedAt: r.createdAt,
      status: referralStatus(r, 'referrer'),
    })),
    rewards: read.rewards,
    punchCards: read.punchCards.map(punchCardOf),
  });
}
