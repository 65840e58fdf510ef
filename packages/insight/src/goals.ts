import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type Deps,
  type DiscountTier,
  loyaltyPrograms,
  type OrgPrincipal,
  patients,
  pointAccounts,
  runBatch,
} from '@gratia/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import { type GiftSuggestion, suggestionStatements, suggestionsFrom } from './gifts';

// A patient's next reward goals, with progress: the next discount tier of the clinic's programme (by
// cumulative spend), and the points still needed for the cheapest of their best gift suggestions
// (points are worth the network's point value). One round trip: the card's account, the programme in
// force and what suggestions read, in one batch. The arithmetic is pure, for the patient page too.

/** How many of the best suggestions the points goal picks the cheapest from. */
export const GOAL_SUGGESTIONS = 5;

export interface TierGoal {
  /** The discount the next tier gives, in basis points. */
  discountBps: number;
  /** The cumulative spend that reaches it (the clinic's minor units). */
  minLifetimeSpend: number;
  lifetimeSpend: number;
  /** Still to spend. */
  remaining: number;
  /** 0-99: how far the spend is towards the tier. */
  progressPct: number;
}

/** The next tier above the spend, or null (no tiers, or the top one reached). */
export function nextTierGoal(lifetimeSpend: number, tiers: readonly DiscountTier[]): TierGoal | null {
  const next = [...tiers]
    .sort((a, b) => a.min_lifetime_spend - b.min_lifetime_spend)
    .find((t) => t.min_lifetime_spend > lifetimeSpend);
  if (!next) return null;
  const spend = Math.max(0, lifetimeSpend);
  return {
    discountBps: next.discount_bps,
    minLifetimeSpend: next.min_lifetime_spend,
    lifetimeSpend: spend,
    remaining: next.min_lifetime_spend - spend,
    progressPct: Math.min(99, Math.floor((spend * 100) / next.min_lifetime_spend)),
  };
}

export interface PointsGoal {
  offerId: string;
  title: string;
  partnerName: string;
  /** The offer's price in points (rounded up to a whole point). */
  pointsNeeded: number;
  balance: number;
  remaining: number;
  /** 0-100. */
  progressPct: number;
}

/** Points for an amount at the point value, and how far the balance goes towards it. */
export function pointsGoal(
  balance: number,
  offer: { id: string; title: string; partnerName: string; priceAmount: number },
  pointValue: number,
): PointsGoal {
  const pointsNeeded = Math.max(1, Math.ceil(offer.priceAmount / pointValue));
  const have = Math.max(0, balance);
  return {
    offerId: offer.id,
    title: offer.title,
    partnerName: offer.partnerName,
    pointsNeeded,
    balance: have,
    remaining: Math.max(0, pointsNeeded - have),
    progressPct: Math.min(100, Math.floor((have * 100) / pointsNeeded)),
  };
}

/** The cheapest of the best suggestions within budget (points are in the network currency only). */
export function goalOffer(suggestions: GiftSuggestion[], networkCurrency: string) {
  return (
    suggestions
      .slice(0, GOAL_SUGGESTIONS)
      .filter((s) => !s.overBudget && s.offer.currency === networkCurrency)
      .sort((a, b) => a.offer.priceAmount - b.offer.priceAmount)[0]?.offer ?? null
  );
}

export interface RewardGoal {
  currency: string;
  discountBps: number;
  tier: TierGoal | null;
  points: PointsGoal | null;
}

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

export async function rewardGoal(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<RewardGoal, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    ...suggestionStatements(db, input),
    // The live balance as the card's account reads it: the booked balance less lapsed, unbooked lots.
    goalAccount: db
      .select({
        lifetimeSpend: sql<number>`coalesce(${pointAccounts.lifetimeSpend}, 0)`.as('goal_lifetime_spend'),
        discountBps: sql<number>`coalesce(${pointAccounts.discountBps}, 0)`.as('goal_discount_bps'),
        balance: sql<number>`coalesce(${pointAccounts.balance} - coalesce((select sum(gl.remaining)
          from point_lots gl where gl.patient_id = ${patients.id} and gl.remaining > 0
          and gl.expires_at <= ${now}), 0), 0)`.as('goal_balance'),
      })
      .from(patients)
      .leftJoin(pointAccounts, eq(pointAccounts.patientId, patients.id))
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
    goalProgram: db
      .select({ tiers: loyaltyPrograms.discountTiers })
      .from(loyaltyPrograms)
      .where(eq(loyaltyPrograms.clinicId, clinicId))
      .orderBy(desc(loyaltyPrograms.version))
      .limit(1),
  });
  const suggested = suggestionsFrom(read, { limit: GOAL_SUGGESTIONS });
  const account = read.goalAccount[0];
  if (!suggested || !account) return err(notFound(input.patientId));
  const offer = goalOffer(suggested.suggestions, deps.config.currency);
  return ok({
    currency: input.clinic.organization.currency,
    discountBps: account.discountBps,
    tier: nextTierGoal(account.lifetimeSpend, read.goalProgram[0]?.tiers ?? []),
    points: offer ? pointsGoal(account.balance, offer, deps.config.pointValue) : null,
  });
}
