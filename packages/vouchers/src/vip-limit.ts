import { localDate, startOfLocalDay } from '@gratia/core';
import { type Db, type LoyaltyReward, loyaltyRewards, offers, patients, vipMarks } from '@gratia/db';
import { meetsRules } from '@gratia/insight';
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';

// VIP (issue 12): a patient is VIP when marked by hand (vip_marks) or when they meet the rules of the
// clinic's VIP segment (loyalty_settings.vip_segment_id), evaluated for that one patient inside the
// query. A VIP may be given at most `vip_gifts_per_year` gifts in the clinic's calendar year: the
// vouchers issued to them this year and not voided, VIP perks left out (vip_perk_vouchers). The count
// is read with the gift's other reads, and checked again in SQL by the write (a guard), so two gifts
// given at the same moment cannot both pass the limit.

const v = (x: string | SQL) => (typeof x === 'string' ? sql`${x}` : x);

/** Whether the patient is marked VIP by hand (1 or 0). */
export const vipByHandSql = (clinicId: string | SQL, patientId: string | SQL) =>
  sql<number>`exists (select 1 from vip_marks vm where vm.patient_id = ${v(patientId)} and vm.clinic_id = ${v(clinicId)})`;

/** Whether the patient meets the clinic's VIP segment (1 or 0; 0 when the clinic has none). */
export const vipBySegmentSql = (clinicId: string | SQL, patientId: string | SQL, now: number) =>
  sql<number>`exists (select 1 from loyalty_settings vls
    join segments s on s.id = vls.vip_segment_id and s.clinic_id = vls.clinic_id and s.archived_at is null
    join patients p on p.id = ${v(patientId)} and p.clinic_id = vls.clinic_id
    left join patient_insight i on i.patient_id = p.id
    left join point_accounts a on a.patient_id = p.id
    where vls.clinic_id = ${v(clinicId)} and ${meetsRules(sql`s.rules`, now)})`;

/** The clinic's yearly VIP gift limit (null: none). */
export const vipGiftLimitSql = (clinicId: string | SQL) =>
  sql<
    number | null
  >`(select vls.vip_gifts_per_year from loyalty_settings vls where vls.clinic_id = ${v(clinicId)})`;

/** The clinic's calendar year around `now`: its first instant, the next year's, and that year's label. */
export function calendarYear(now: number, timeZone: string) {
  const year = Number(localDate(now, timeZone).slice(0, 4));
  return {
    year,
    startsAt: startOfLocalDay(`${year}-01-01`, timeZone),
    endsAt: startOfLocalDay(`${year + 1}-01-01`, timeZone),
  };
}

/** The gifts counted toward the VIP limit this calendar year: issued, not voided, not perks. */
export const giftsThisYearSql = (
  clinicId: string | SQL,
  patientId: string | SQL,
  year: { startsAt: number; endsAt: number },
) =>
  sql<number>`(select count(*) from vouchers gv where gv.patient_id = ${v(patientId)}
    and gv.clinic_id = ${v(clinicId)} and gv.issued_at >= ${year.startsAt} and gv.issued_at < ${year.endsAt}
    and gv.status <> 'voided' and not exists (select 1 from vip_perk_vouchers k where k.voucher_id = gv.id))`;

/**
 * The condition under which one more gift (not a perk) may be written: no limit, not a VIP, or fewer
 * gifts this year than the limit. A guard for the voucher's INSERT ... SELECT.
 */
export const giftAllowedSql = (clinicId: string, patientId: string, now: number, timeZone: string) => {
  const limit = vipGiftLimitSql(clinicId);
  return sql`(${limit} is null
    or not (${vipByHandSql(clinicId, patientId)} or ${vipBySegmentSql(clinicId, patientId, now)})
    or ${giftsThisYearSql(clinicId, patientId, calendarYear(now, timeZone))} < ${limit})`;
};

/** One read of a patient's VIP state and gift allowance (no row: not the clinic's patient). */
export function giftAllowanceStatement(
  db: Db,
  input: { clinicId: string | SQL; patientId: string; now: number; timeZone: string },
) {
  const { clinicId, patientId, now } = input;
  const year = calendarYear(now, input.timeZone);
  return db
    .select({
      firstName: sql<string>`${patients.firstName}`.as('vip_first_name'),
      lastName: sql<string>`${patients.lastName}`.as('vip_last_name'),
      byHand: sql<number>`${vipByHandSql(clinicId, patientId)}`.as('vip_by_hand'),
      bySegment: sql<number>`${vipBySegmentSql(clinicId, patientId, now)}`.as('vip_by_segment'),
      limit: sql<number | null>`${vipGiftLimitSql(clinicId)}`.as('vip_gift_limit'),
      given: sql<number>`${giftsThisYearSql(clinicId, patientId, year)}`.as('vip_gifts_given'),
      perks: sql<
        string | null
      >`(select vls.vip_perk_offer_ids from loyalty_settings vls where vls.clinic_id = ${v(clinicId)})`.as(
        'vip_perk_offers',
      ),
    })
    .from(patients)
    .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${v(clinicId)}`));
}

export interface GiftAllowance {
  /** How the patient is VIP, if they are. */
  vip: 'hand' | 'segment' | null;
  /** Whether the clinic's VIP segment holds the patient (whether or not they are also marked). */
  bySegment: boolean;
  /** The yearly gift limit that applies to the patient (null: none, or not a VIP). */
  limit: number | null;
  /** Gifts counted toward it this calendar year. */
  given: number;
  /** Whether one more gift may be given now. */
  allowed: boolean;
  /** The first day the next gift can be given when the limit is reached (YYYY-MM-DD). */
  nextFrom: string;
  /** "Dana M." */
  name: string;
  /** The catalogue offers the clinic gives its VIPs as perks. */
  perkOfferIds: string[];
}

type AllowanceRow = Awaited<ReturnType<typeof giftAllowanceStatement>>[number];

export function giftAllowanceFrom(row: AllowanceRow, now: number, timeZone: string): GiftAllowance {
  const vip = row.byHand ? 'hand' : row.bySegment ? 'segment' : null;
  const limit = vip ? row.limit : null;
  return {
    vip,
    bySegment: Boolean(row.bySegment),
    limit,
    given: row.given,
    allowed: limit === null || row.given < limit,
    nextFrom: `${calendarYear(now, timeZone).year + 1}-01-01`,
    name: `${row.firstName} ${row.lastName.slice(0, 1)}.`,
    perkOfferIds: row.perks ? (JSON.parse(row.perks) as string[]) : [],
  };
}

const longDate = (date: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
    Date.parse(`${date}T12:00:00Z`),
  );

/** "Dana M. has had 4 of 4 gifts this year (VIP limit); the next can be given from 1 January 2027." */
export const giftLimitSentence = (a: GiftAllowance) =>
  `${a.name} has had ${a.given} of ${a.limit} gifts this year (VIP limit); the next can be given from ${longDate(a.nextFrom)}.`;

/** The clinic's VIP perk offers that can be given now: active, in the clinic's currency. */
export function perkOffersStatement(db: Db, clinicId: string | SQL, currency: string | SQL) {
  return db
    .select({
      id: offers.id,
      title: offers.title,
      priceAmount: offers.priceAmount,
      currency: offers.currency,
      partnerName: sql<string>`(select o.name from organizations o where o.id = ${offers.partnerId})`.as(
        'perk_partner_name',
      ),
    })
    .from(offers)
    .where(
      and(
        sql`${offers.id} in (select e.value from loyalty_settings vls, json_each(vls.vip_perk_offer_ids) e
          where vls.clinic_id = ${v(clinicId)})`,
        eq(offers.active, true),
        sql`${offers.currency} = ${v(currency)}`,
      ),
    )
    .orderBy(offers.title);
}
export type PerkOffer = Awaited<ReturnType<typeof perkOffersStatement>>[number];

/** The patient's hand mark, if any (why, and when). */
export const vipMarkStatement = (db: Db, clinicId: string | SQL, patientId: string) =>
  db
    .select()
    .from(vipMarks)
    .where(and(eq(vipMarks.patientId, patientId), sql`${vipMarks.clinicId} = ${v(clinicId)}`));

/** Rewards the patient page shows (newest first). */
export const OVERVIEW_REWARDS = 10;

/**
 * The patient page's reads for VIP and rewards (issue 12), for readPatientOverview's one batch: the VIP
 * state and gift allowance, the hand mark, the perks, and the patient's latest rewards.
 */
export function loyaltyOverviewStatements(
  db: Db,
  input: { clinicId: SQL; patientId: string; now: number; timeZone: string },
) {
  const { clinicId, patientId } = input;
  return {
    vipAllowance: giftAllowanceStatement(db, input),
    vipMark: vipMarkStatement(db, clinicId, patientId),
    vipPerks: perkOffersStatement(
      db,
      clinicId,
      sql`(select o.currency from organizations o where o.id = ${clinicId})`,
    ),
    rewards: db
      .select()
      .from(loyaltyRewards)
      .where(and(eq(loyaltyRewards.patientId, patientId), sql`${loyaltyRewards.clinicId} = ${clinicId}`))
      .orderBy(desc(loyaltyRewards.id))
      .limit(OVERVIEW_REWARDS),
  };
}

type LoyaltyOverviewRead = {
  [K in keyof ReturnType<typeof loyaltyOverviewStatements>]: Awaited<
    ReturnType<typeof loyaltyOverviewStatements>[K]
  >;
};

export interface LoyaltyOverview {
  vip: GiftAllowance | null;
  vipMark: { reason: string | null; markedAt: number } | null;
  perks: PerkOffer[];
  rewards: LoyaltyReward[];
}

export function loyaltyOverviewFrom(
  read: LoyaltyOverviewRead,
  now: number,
  timeZone: string,
): LoyaltyOverview {
  const row = read.vipAllowance[0];
  const mark = read.vipMark[0];
  return {
    vip: row ? giftAllowanceFrom(row, now, timeZone) : null,
    vipMark: mark ? { reason: mark.reason, markedAt: mark.markedAt } : null,
    perks: read.vipPerks,
    rewards: read.rewards,
  };
}
