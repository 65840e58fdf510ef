import { formatMoney, ok, type Refusal, type Result } from '@gratia/core';
import { type Deps, runBatch } from '@gratia/db';
import { type GiftSuggestions, suggestionStatements, suggestionsFrom } from '@gratia/insight';
import {
  type CatalogueInput,
  type GiftCatalogue,
  giftCatalogueFrom,
  giftCatalogueStatements,
} from '@gratia/network';
import { type GiftAllowance, giftAllowanceFrom, giftAllowanceStatement } from '@gratia/vouchers';

// "Give a gift" with what fits the patient first: the catalogue page's reads and the suggestions'
// reads in ONE batch (the page costs the session check and this one round trip), and the section
// listing the best suggestions with their reasons, each chosen with one click as from the catalogue.

/** How many suggestions the gift page shows above the catalogue. */
export const SUGGESTED_ON_PAGE = 3;

export async function readGiftPage(
  deps: Deps,
  input: CatalogueInput,
): Promise<
  Result<
    { cat: GiftCatalogue; suggested: GiftSuggestions | null; allowance: GiftAllowance | null },
    Refusal<'patient_not_found' | 'offer_not_found'>
  >
> {
  const read = await runBatch(deps.db, {
    ...giftCatalogueStatements(deps.db, input),
    ...suggestionStatements(deps.db, input),
    // The VIP gift limit (issue 12), shown before the clinic picks.
    vipAllowance: giftAllowanceStatement(deps.db, {
      clinicId: input.clinic.organizationId,
      patientId: input.patientId,
      now: deps.clock.now(),
      timeZone: input.clinic.organization.timezone,
    }),
  });
  const cat = giftCatalogueFrom(read, input);
  if (!cat.ok) return cat;
  const row = read.vipAllowance[0];
  return ok({
    cat: cat.value,
    suggested: suggestionsFrom(read, { limit: SUGGESTED_ON_PAGE }),
    allowance: row ? giftAllowanceFrom(row, deps.clock.now(), input.clinic.organization.timezone) : null,
  });
}

export function SuggestedGifts(props: {
  firstName: string;
  suggested: GiftSuggestions | null;
  chooseHref: (offerId: string) => string;
}) {
  const list = props.suggested?.suggestions ?? [];
  return (
    <section class="card" aria-labelledby="suggested">
      <h2 id="suggested">Suggested for {props.firstName}</h2>
      {list.length === 0 ? (
        <p class="muted">No suggestion yet: the catalogue has no offer {props.firstName} was not given.</p>
      ) : (
        <ol class="plain">
          {list.map((s) => (
            <li>
              <span>
                <strong>{s.offer.title}</strong> · {formatMoney(s.offer.priceAmount, s.offer.currency)}
                <br />
                {s.offer.partnerName} · {s.offer.category}
                {s.reasons.length ? (
                  <>
                    <br />
                    <span class={s.overBudget ? 'muted' : 'tag'}>{s.reasons.join('; ')}</span>
                  </>
                ) : null}
              </span>
              <a class="num" href={props.chooseHref(s.offer.id)}>
                Choose <span class="muted">{s.offer.title}</span>
              </a>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
