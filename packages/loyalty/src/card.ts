import { isId } from '@gratia/core';
import {
  type Deps,
  type DiscountTier,
  loyaltyPrograms,
  organizations,
  type PatientLocale,
  patients,
  runBatch,
  vouchers,
} from '@gratia/db';
import { nextTierGoal, type TierGoal } from '@gratia/insight';
import { cardUrl } from '@gratia/messaging';
import { type Balance, balanceFrom, balanceStatements } from '@gratia/points';
import { withLink } from '@gratia/vouchers';
import { and, asc, desc, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';

// The patient's card as their card page (/c/{token}) and the clinic's API show it (issue 13): the
// named card and its number, the balance in points and in money (points are worth the network's point
// value, in the network currency), the next expiry, the discount tier and the progress to the next
// one, and the gifts the patient can use now with their links. One D1 round trip; every read is a seek
// bounded by the card (its spendable lots as the balance reads them, at most CARD_GIFTS + 1 live gifts),
// never by the clinic's history.
//
// It lives here, not in @gratia/messaging, because it reads points, goals and vouchers, and those
// packages write messages (a package cycle otherwise); the link itself (cardUrl) is @gratia/messaging's.

/** How many usable gifts the card shows (those expiring first). */
export const CARD_GIFTS = 20;

export interface CardGift {
  id: string;
  title: string;
  currency: string;
  remainingAmount: number;
  expiresAt: number;
  url: string | null;
}

export interface CardView {
  patientId: string;
  clinicId: string;
  clinicName: string;
  clinicTimezone: string;
  firstName: string;
  lastName: string;
  cardNumber: string;
  locale: PatientLocale;
  hasPhoto: boolean;
  url: string;
  balance: Balance;
  /** The balance's worth: points times the network's point value (minor units of `currency`). */
  worth: { amount: number; currency: string };
  /** The discount the card has, in basis points. */
  discountBps: number;
  /** The next discount tier and how far the spend is towards it (the clinic's currency); null at the top. */
  nextTier: TierGoal | null;
  /** The programme has discount tiers at all. */
  hasTiers: boolean;
  gifts: CardGift[];
  moreGifts: boolean;
}

/**
 * A card as its holder sees it; null when there is no such patient (or, with `clinicId`, not that
 * clinic's).
 */
export async function readCard(
  deps: Deps,
  input: { patientId: string; clinicId?: string },
): Promise<CardView | null> {
  if (!isId('pat', input.patientId)) return null;
  const { db } = deps;
  const now = deps.clock.now();
  const { patientId } = input;
  const clinic: SQL = input.clinicId
    ? sql`${input.clinicId}`
    : sql`(select cp.clinic_id from patients cp where cp.id = ${patientId})`;
  const read = await runBatch(db, {
    holder: db
      .select({
        holderClinicId: patients.clinicId,
        firstName: patients.firstName,
        lastName: patients.lastName,
        locale: patients.locale,
        photoKey: patients.cardPhotoKey,
        clinicName: sql<string>`${organizations.name}`.as('holder_clinic_name'),
        clinicTimezone: sql<string>`${organizations.timezone}`.as('holder_clinic_tz'),
      })
      .from(patients)
      .innerJoin(organizations, eq(organizations.id, patients.clinicId))
      .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${clinic}`)),
    ...balanceStatements(db, { patientId, ownClinic: clinic, now }),
    program: db
      .select({ tiers: loyaltyPrograms.discountTiers })
      .from(loyaltyPrograms)
      .where(sql`${loyaltyPrograms.clinicId} = ${clinic}`)
      .orderBy(desc(loyaltyPrograms.version))
      .limit(1),
    gifts: db
      .select()
      .from(vouchers)
      .where(
        and(
          eq(vouchers.patientId, patientId),
          eq(vouchers.status, 'issued'),
          isNull(vouchers.lapsedAt),
          gt(vouchers.expiresAt, now),
          gt(vouchers.remainingAmount, 0),
        ),
      )
      .orderBy(asc(vouchers.expiresAt), asc(vouchers.id))
      .limit(CARD_GIFTS + 1),
  });
  const holder = read.holder[0];
  const balance = balanceFrom(read);
  if (!holder || !balance) return null;
  const tiers: readonly DiscountTier[] = read.program[0]?.tiers ?? [];
  const gifts = await Promise.all(
    read.gifts.slice(0, CARD_GIFTS).map(async (v) => {
      const linked = await withLink(deps, v);
      return {
        id: v.id,
        title: v.title,
        currency: v.currency,
        remainingAmount: v.remainingAmount,
        expiresAt: v.expiresAt,
        url: linked.url,
      };
    }),
  );
  return {
    patientId,
    clinicId: holder.holderClinicId,
    clinicName: holder.clinicName,
    clinicTimezone: holder.clinicTimezone,
    firstName: holder.firstName,
    lastName: holder.lastName,
    cardNumber: balance.cardNumber,
    locale: holder.locale,
    hasPhoto: holder.photoKey !== null,
    url: await cardUrl(deps, patientId),
    balance,
    worth: { amount: Math.max(0, balance.balance) * deps.config.pointValue, currency: deps.config.currency },
    discountBps: balance.discountBps,
    nextTier: nextTierGoal(balance.lifetimeSpend, tiers),
    hasTiers: tiers.length > 0,
    gifts,
    moreGifts: read.gifts.length > CARD_GIFTS,
  };
}
