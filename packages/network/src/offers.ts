import { err, type Money, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type Offer,
  type OrgPrincipal,
  offers,
  type PartnerCategory,
  type Principal,
  runBatch,
  type StaffRole,
  staffRefusal,
} from '@gratia/db';
import { and, asc, eq, gt, or, sql } from 'drizzle-orm';

// The network's catalogue: partners publish offers, clinics browse the active ones.

export interface OfferFields {
  title: string;
  description: string | null;
  category: PartnerCategory;
  price: Money;
  retailValue: Money | null;
  terms: string | null;
  active: boolean;
}

const wrongCurrency = (partner: OrgPrincipal, ...amounts: (Money | null | undefined)[]) =>
  amounts.some((m) => m && m.currency !== partner.organization.currency);

/** Who of a partner's staff manages its offers (an API key acts for the whole partner). */
export const OFFER_MANAGERS: readonly StaffRole[] = ['owner'];

/** The refusal of a staff member whose role does not manage offers, or null. */
export function offerManagerRefusal(partner: OrgPrincipal): Refusal<'forbidden'> | null {
  const refused = staffRefusal(partner, OFFER_MANAGERS);
  return refused ? { code: 'forbidden', detail: refused.detail } : null;
}

const currencyRefusal = (partner: OrgPrincipal): Refusal<'currency_mismatch'> => ({
  code: 'currency_mismatch',
  detail: `Offers are priced in the partner's currency, ${partner.organization.currency}`,
});

export async function publishOffer(
  deps: Deps,
  input: {
    partner: OrgPrincipal;
    offer: Omit<OfferFields, 'description' | 'retailValue' | 'terms' | 'active'> & Partial<OfferFields>;
  },
): Promise<Result<Offer, Refusal<'currency_mismatch' | 'forbidden'>>> {
  const refused = offerManagerRefusal(input.partner);
  if (refused) return err(refused);
  const o = input.offer;
  if (wrongCurrency(input.partner, o.price, o.retailValue)) return err(currencyRefusal(input.partner));
  const now = deps.clock.now();
  const id = newId('off', now);
  const [row] = (
    await runBatch(deps.db, {
      row: deps.db
        .insert(offers)
        .values({
          id,
          partnerId: input.partner.organizationId,
          title: o.title,
          description: o.description ?? null,
          category: o.category,
          currency: o.price.currency,
          priceAmount: o.price.amount,
          retailAmount: o.retailValue?.amount ?? null,
          terms: o.terms ?? null,
          active: o.active ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      audit: auditEntry(deps.db, {
        actor: actorOf(input.partner),
        organizationId: input.partner.organizationId,
        action: 'offer.publish',
        subject: { type: 'offer', id },
        detail: { price: o.price.amount, currency: o.price.currency },
        at: now,
      }),
    })
  ).row;
  return ok(row!);
}

/** The names of the fields a change sets (API spelling), for the audit trail. */
const changedFields = (b: Partial<OfferFields>) =>
  (Object.keys(b) as (keyof OfferFields)[])
    .filter((k) => b[k] !== undefined)
    .map((k) => (k === 'retailValue' ? 'retail_value' : k));

/** Changes a partner's own offer; vouchers already issued keep their price. */
export async function updateOffer(
  deps: Deps,
  input: { partner: OrgPrincipal; offerId: string; changes: Partial<OfferFields> },
): Promise<Result<Offer, Refusal<'currency_mismatch' | 'offer_not_found' | 'forbidden'>>> {
  const refused = offerManagerRefusal(input.partner);
  if (refused) return err(refused);
  const b = input.changes;
  if (wrongCurrency(input.partner, b.price, b.retailValue)) return err(currencyRefusal(input.partner));
  const now = deps.clock.now();
  const mine = and(eq(offers.id, input.offerId), eq(offers.partnerId, input.partner.organizationId));
  const done = await runBatch(deps.db, {
    // Before the update, on its own guard: another partner's offer (or none) records nothing.
    audit: auditEntry(deps.db, {
      actor: actorOf(input.partner),
      organizationId: input.partner.organizationId,
      action: 'offer.update',
      subject: { type: 'offer', id: input.offerId },
      detail: { fields: changedFields(b) },
      when: sql`exists (select 1 from ${offers} where ${mine})`,
      at: now,
    }),
    row: deps.db
      .update(offers)
      .set({
        ...(b.title !== undefined && { title: b.title }),
        ...(b.description !== undefined && { description: b.description }),
        ...(b.category !== undefined && { category: b.category }),
        ...(b.price !== undefined && { priceAmount: b.price.amount }),
        ...(b.retailValue !== undefined && { retailAmount: b.retailValue?.amount ?? null }),
        ...(b.terms !== undefined && { terms: b.terms }),
        ...(b.active !== undefined && { active: b.active }),
        updatedAt: now,
      })
      .where(mine)
      .returning(),
  });
  const [row] = done.row;
  return row ? ok(row) : err({ code: 'offer_not_found', detail: `No offer ${input.offerId}` });
}

/** Clinics browse the active catalogue only; an inactive offer is not theirs to see. */
const visibleTo = (principal: Principal) =>
  principal.role === 'clinic' ? eq(offers.active, true) : undefined;

export async function readOffer(
  deps: Deps,
  input: { principal: Principal; offerId: string },
): Promise<Result<Offer, Refusal<'offer_not_found'>>> {
  const [row] = await deps.db
    .select()
    .from(offers)
    .where(and(eq(offers.id, input.offerId), visibleTo(input.principal)));
  return row ? ok(row) : err({ code: 'offer_not_found', detail: `No offer ${input.offerId}` });
}

/** What the catalogue can be browsed by. */
export interface OfferFilter {
  principal: Principal;
  category?: PartnerCategory;
  partnerId?: string;
  q?: string;
  after?: string;
}

/** The catalogue's conditions: what the principal may see, narrowed by the filter; paged by id. */
export function offerConditions(input: OfferFilter) {
  // instr, not LIKE: D1 refuses LIKE patterns over 50 bytes, and a search may be 200 characters.
  const needle = input.q ? input.q.toLowerCase() : null;
  return and(
    visibleTo(input.principal),
    input.category ? eq(offers.category, input.category) : undefined,
    input.partnerId ? eq(offers.partnerId, input.partnerId) : undefined,
    needle
      ? or(
          sql`instr(lower(${offers.title}), ${needle}) > 0`,
          sql`instr(lower(coalesce(${offers.description}, '')), ${needle}) > 0`,
        )
      : undefined,
    input.after ? gt(offers.id, input.after) : undefined,
  );
}

export async function listOffers(deps: Deps, input: OfferFilter & { limit: number }): Promise<Offer[]> {
  return deps.db
    .select()
    .from(offers)
    .where(offerConditions(input))
    .orderBy(asc(offers.id))
    .limit(input.limit);
}

/** One of the partner's own offers, active or not (what its owner edits); another partner's is not found. */
export async function readOwnOffer(
  deps: Deps,
  input: { partner: OrgPrincipal; offerId: string },
): Promise<Result<Offer, Refusal<'offer_not_found'>>> {
  const [row] = await deps.db
    .select()
    .from(offers)
    .where(and(eq(offers.id, input.offerId), eq(offers.partnerId, input.partner.organizationId)));
  return row ? ok(row) : err({ code: 'offer_not_found', detail: `No offer ${input.offerId}` });
}
