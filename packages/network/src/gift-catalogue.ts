import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type BatchResults,
  type Db,
  type Deps,
  type Offer,
  type OrgPrincipal,
  offers,
  organizations,
  type PartnerCategory,
  type Patient,
  patients,
  runBatch,
} from '@gratia/db';
import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { offerConditions } from './offers';

// Choosing a gift for a patient: the network's catalogue, browsed by category, partner and text, next
// to what the patient likes, in one D1 round trip. Only offers in the clinic's currency are shown: a
// clinic can give no other (issueVoucher refuses them).

export type CatalogueOffer = Offer & { partnerName: string };

export interface GiftCatalogue {
  patient: Pick<Patient, 'id' | 'firstName' | 'lastName' | 'tags' | 'notes'>;
  offers: CatalogueOffer[];
  /** The id to continue after when more offers match, else null. */
  next: string | null;
  /** The partner the catalogue is narrowed to, when it is one of the network's partners. */
  partner: { id: string; name: string } | null;
  /** The offer chosen to give, when one was asked for. */
  chosen: CatalogueOffer | null;
}

export interface CatalogueInput {
  clinic: OrgPrincipal;
  patientId: string;
  category?: PartnerCategory;
  partnerId?: string;
  q?: string;
  after?: string;
  limit: number;
  offerId?: string;
}

/**
 * The statements browsing the catalogue reads, for a batch (the gift page adds its suggestions' to
 * the same batch, so the page stays one round trip).
 */
export function giftCatalogueStatements(db: Db, input: CatalogueInput) {
  const clinic = input.clinic;
  const priced = eq(offers.currency, clinic.organization.currency);
  const withPartner = {
    ...getTableColumns(offers),
    partnerName: sql<string>`(select o.name from organizations o where o.id = ${offers.partnerId})`.as(
      'partner_name',
    ),
  };
  return {
    patient: db
      .select({
        id: patients.id,
        firstName: patients.firstName,
        lastName: patients.lastName,
        tags: patients.tags,
        notes: patients.notes,
      })
      .from(patients)
      .where(
        and(
          eq(patients.id, isId('pat', input.patientId) ? input.patientId : ''),
          eq(patients.clinicId, clinic.organizationId),
        ),
      ),
    offers: db
      .select(withPartner)
      .from(offers)
      .where(and(offerConditions({ ...input, principal: clinic }), priced))
      .orderBy(asc(offers.id))
      .limit(input.limit + 1),
    partner: db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(and(eq(organizations.id, input.partnerId ?? ''), eq(organizations.kind, 'partner'))),
    chosen: db
      .select(withPartner)
      .from(offers)
      .where(and(eq(offers.id, input.offerId ?? ''), offerConditions({ principal: clinic }), priced)),
  };
}

/** The catalogue from the results of giftCatalogueStatements. */
export function giftCatalogueFrom(
  read: BatchResults<ReturnType<typeof giftCatalogueStatements>>,
  input: CatalogueInput,
): Result<GiftCatalogue, Refusal<'patient_not_found' | 'offer_not_found'>> {
  const patient = read.patient[0];
  if (!patient) return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const chosen = read.chosen[0] ?? null;
  if (input.offerId !== undefined && !chosen)
    return err({ code: 'offer_not_found', detail: `No offer ${input.offerId}` });
  const more = read.offers.length > input.limit;
  const shown = more ? read.offers.slice(0, input.limit) : read.offers;
  return ok({
    patient,
    offers: shown,
    next: more ? shown[shown.length - 1]!.id : null,
    partner: read.partner[0] ?? null,
    chosen,
  });
}

export async function browseGiftCatalogue(
  deps: Deps,
  input: CatalogueInput,
): Promise<Result<GiftCatalogue, Refusal<'patient_not_found' | 'offer_not_found'>>> {
  return giftCatalogueFrom(await runBatch(deps.db, giftCatalogueStatements(deps.db, input)), input);
}
