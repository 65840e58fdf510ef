import { err, formatMoney, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type AbcClass,
  type BatchResults,
  type ClinicBranch,
  type Db,
  type Deps,
  insightSettings,
  type Offer,
  type OrgPrincipal,
  offers,
  organizations,
  type PartnerCategory,
  patientInsight,
  patients,
  runBatch,
  vouchers,
} from '@gratia/db';
import { and, asc, eq, getTableColumns, isNotNull, sql } from 'drizzle-orm';
import { branchRows } from './branches';
import { formatDistance, haversineKm, placeOf } from './places';

// Gift suggestions: the network's issuable offers (active, in the clinic's currency) ranked by how well
// they fit what the clinic knows of the patient (the partner categories they enjoy, their preference
// tags), nearer partners first (from the branch the patient prefers, else the clinic's first), within
// the gift budget of their A/B/C class (offers over it are listed last, saying so), leaving out the
// offers they were already given. Each suggestion says why in words. One D1 round trip: the patient,
// their insight row, the branches, the settings, a bounded pool of the catalogue and the offers the
// patient received, all in one batch; the ranking is done here.

/** How many issuable offers are ranked at most (the catalogue's first by id). */
export const SUGGESTION_POOL = 200;
/** Points a preference match is worth: a category they said they enjoy, or a tag in the offer. */
const CATEGORY_POINTS = 40;
const TAG_POINTS = 15;
const MAX_TAG_MATCHES = 3;
/** Nearer partners get up to this much, falling to nothing at NEAR_KM. */
const NEAR_POINTS = 10;
const NEAR_KM = 25;

export type SuggestedOffer = Offer & {
  partnerName: string;
  partnerLatitudeE6: number | null;
  partnerLongitudeE6: number | null;
};

export interface GiftSuggestion {
  offer: SuggestedOffer;
  score: number;
  /** Why, in words: "likes massage", "2 km from the Downtown branch", "over the B budget (€50.00)". */
  reasons: string[];
  /** From the reference branch to the partner; null when either has no coordinates. */
  distanceKm: number | null;
  /** Priced over the budget of the patient's A/B/C class (listed after every offer within it). */
  overBudget: boolean;
}

export interface GiftSuggestions {
  patient: { id: string; firstName: string; lastName: string };
  abcClass: AbcClass | null;
  /** The gift budget of the patient's class, in the clinic's minor units (null: no limit). */
  budget: number | null;
  /** The branch distances are measured from (the patient's preferred one, else the clinic's first). */
  branch: { id: string; name: string } | null;
  suggestions: GiftSuggestion[];
}

/**
 * The statements reading what suggestions need, for a batch of their own or of a page's (their names
 * start with `sg`, so they do not collide with the page's own).
 */
export function suggestionStatements(db: Db, input: { clinic: OrgPrincipal; patientId: string }) {
  const clinicId = input.clinic.organizationId;
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  return {
    sgPatient: db
      .select({
        id: patients.id,
        firstName: patients.firstName,
        lastName: patients.lastName,
        tags: patients.tags,
      })
      .from(patients)
      .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId))),
    sgInsight: db
      .select({
        categories: patientInsight.categories,
        preferenceTags: patientInsight.preferenceTags,
        preferredBranchId: patientInsight.preferredBranchId,
        abcClass: patientInsight.abcClass,
      })
      .from(patientInsight)
      .where(and(eq(patientInsight.patientId, patientId), eq(patientInsight.clinicId, clinicId))),
    sgBranches: branchRows({ db }, clinicId),
    sgSettings: db
      .select({
        budgetA: insightSettings.budgetA,
        budgetB: insightSettings.budgetB,
        budgetC: insightSettings.budgetC,
      })
      .from(insightSettings)
      .where(eq(insightSettings.clinicId, clinicId)),
    sgOffers: db
      .select({
        ...getTableColumns(offers),
        partnerName: sql<string>`${organizations.name}`.as('sg_partner_name'),
        partnerLatitudeE6: sql<number | null>`${organizations.latitudeE6}`.as('sg_partner_lat'),
        partnerLongitudeE6: sql<number | null>`${organizations.longitudeE6}`.as('sg_partner_lng'),
      })
      .from(offers)
      .innerJoin(organizations, eq(organizations.id, offers.partnerId))
      .where(and(eq(offers.active, true), eq(offers.currency, input.clinic.organization.currency)))
      .orderBy(asc(offers.id))
      .limit(SUGGESTION_POOL),
    // The patient's own vouchers (vouchers_patient_idx): what they were given is not suggested again.
    sgReceived: db
      .selectDistinct({ offerId: sql<string>`${vouchers.offerId}`.as('sg_received_offer') })
      .from(vouchers)
      .where(
        and(eq(vouchers.patientId, patientId), eq(vouchers.clinicId, clinicId), isNotNull(vouchers.offerId)),
      ),
  };
}

type SuggestionReads = BatchResults<ReturnType<typeof suggestionStatements>>;

/** Words of an offer, lower-cased: its category, title and description. */
const wordsOf = (o: Offer) => ` ${o.category} ${o.title} ${o.description ?? ''} `.toLowerCase();

/** A tag matches when the offer says it as a word (or the start of one: "massage" in "massages"). */
function saysTag(words: string, tag: string): boolean {
  const i = words.indexOf(tag);
  if (i < 0) return false;
  return !/[\p{L}\p{N}]/u.test(words[i - 1] ?? ' ');
}

const budgetOf = (abc: AbcClass | null, s: SuggestionReads['sgSettings'][number] | undefined) =>
  !abc || !s ? null : ({ A: s.budgetA, B: s.budgetB, C: s.budgetC } as const)[abc];

/** The branch distances are measured from: the patient's preferred live branch, else the first. */
export function referenceBranch(branches: ClinicBranch[], preferredId: string | null | undefined) {
  return branches.find((b) => b.id === preferredId) ?? branches[0] ?? null;
}

/** Ranks the pool for the patient; null when the patient is not the clinic's. */
export function suggestionsFrom(read: SuggestionReads, input: { limit: number }): GiftSuggestions | null {
  const patient = read.sgPatient[0];
  if (!patient) return null;
  const insight = read.sgInsight[0];
  const categories = new Set<PartnerCategory>(insight?.categories ?? []);
  const tags = [
    ...new Set([...(insight?.preferenceTags ?? []), ...patient.tags].map((t) => t.trim().toLowerCase())),
  ].filter((t) => t.length >= 3);
  const abcClass = insight?.abcClass ?? null;
  const budget = budgetOf(abcClass, read.sgSettings[0]);
  const branch = referenceBranch(read.sgBranches, insight?.preferredBranchId);
  const from = branch ? placeOf(branch.latitudeE6, branch.longitudeE6) : null;
  const received = new Set(read.sgReceived.map((r) => r.offerId));

  const ranked = read.sgOffers
    .filter((o) => !received.has(o.id))
    .map((offer): GiftSuggestion => {
      const reasons: string[] = [];
      let score = 0;
      const liked = new Set<string>();
      if (categories.has(offer.category) && offer.category !== 'other') {
        score += CATEGORY_POINTS;
        liked.add(offer.category);
      }
      const words = wordsOf(offer);
      let tagMatches = 0;
      for (const tag of tags) {
        if (tagMatches >= MAX_TAG_MATCHES) break;
        if (liked.has(tag) || !saysTag(words, tag)) continue;
        score += TAG_POINTS;
        tagMatches++;
        liked.add(tag);
      }
      if (liked.size) reasons.push(`likes ${[...liked].join(', ')}`);
      const at = placeOf(offer.partnerLatitudeE6, offer.partnerLongitudeE6);
      const distanceKm = from && at ? haversineKm(from, at) : null;
      if (distanceKm !== null && branch) {
        score += Math.max(0, Math.round(NEAR_POINTS * (1 - distanceKm / NEAR_KM)));
        reasons.push(`${formatDistance(distanceKm)} from the ${branch.name} branch`);
      }
      const overBudget = budget !== null && offer.priceAmount > budget;
      if (overBudget) reasons.push(`over the ${abcClass} budget (${formatMoney(budget, offer.currency)})`);
      return { offer, score, reasons, distanceKm, overBudget };
    })
    .sort(
      (a, b) =>
        Number(a.overBudget) - Number(b.overBudget) ||
        b.score - a.score ||
        (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) ||
        a.offer.priceAmount - b.offer.priceAmount ||
        (a.offer.id < b.offer.id ? -1 : 1),
    );
  return {
    patient: { id: patient.id, firstName: patient.firstName, lastName: patient.lastName },
    abcClass,
    budget,
    branch: branch ? { id: branch.id, name: branch.name } : null,
    suggestions: ranked.slice(0, input.limit),
  };
}

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

/** The clinic's patient's gift suggestions, best first, each with its reasons: one round trip. */
export async function suggestGifts(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; limit: number },
): Promise<Result<GiftSuggestions, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const read = await runBatch(deps.db, suggestionStatements(deps.db, input));
  const out = suggestionsFrom(read, input);
  return out ? ok(out) : err(notFound(input.patientId));
}
