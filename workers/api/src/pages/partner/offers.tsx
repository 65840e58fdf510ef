import { ERROR_TEXT, formatMoney, parseMoneyInput, type Refusal, toMajorUnits } from '@gratia/core';
import { type Offer, type OrgPrincipal, PARTNER_CATEGORIES } from '@gratia/db';
import {
  type CheckedPhoto,
  checkPhoto,
  listOffers,
  offerManagerRefusal,
  offerPhotoPath,
  PHOTO_MAX_BYTES,
  PHOTO_TYPES,
  publishOffer,
  readOwnOffer,
  removeOfferPhoto,
  resumeStaffSession,
  setOfferPhoto,
  updateOffer,
} from '@gratia/network';
import { z } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../env';
import { type FormOutcome, isCallerRefusal, newSubmissionKey, uploadForm } from '../../lib/forms';
import { COUNTER, csrfOk, type PageSession, readSession } from '../../lib/page-session';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { sourceAddress } from '../../middleware/auth';
import { OfferFields } from '../../routes/offers/schema';
import { Page } from '../layout';
import { errorText, html, once, sessionEnded } from './common';
import { SignIn } from './views';

// /partner/offers: the partner's own offers, for its owners (staff of the `staff` role get a page that
// says so; the use cases refuse them too). List (paged), new, edit: title, description, category,
// price, retail value, terms, active, and a photo (uploaded with the form, or removed). The forms are
// the API's own operations (publishOffer, updateOffer, setOfferPhoto, removeOfferPhoto) with the signed-in
// owner as the partner, exactly once per submission; the fields are checked by the API's own rules.

const OFFERS_PAGE = 25;
/** A photo of the largest size, and room for the text fields around it. */
const MAX_UPLOAD_BYTES = PHOTO_MAX_BYTES + 64 * 1024;
const FORM_EXPIRED = 'The form expired. Please go back, reload the page and try again.';

const OFFERS_STYLE = `
select{width:100%;font:inherit;padding:.65rem;border:1px solid #b9b2a8;border-radius:10px;background:#fff;color:var(--ink)}
label.inline{display:flex;gap:.5rem;align-items:center;font-weight:400}label.inline input{width:auto;margin:0}
.thumb{width:4rem;height:4rem;object-fit:cover;border-radius:8px;background:#eee;display:block}
.photo{max-width:100%;max-height:16rem;border-radius:10px;display:block;margin:.5rem 0}
a.action{display:inline-block;font-weight:600;background:var(--accent);color:#fff;border-radius:10px;padding:.6rem 1rem;text-decoration:none}
.pager{display:flex;gap:1rem;margin:1rem 0}
`;

// ---------------------------------------------------------------------------------------------------
// Who is asking: a partner owner with a live session

interface Owner {
  principal: OrgPrincipal;
  session: PageSession;
}

/** The signed-in owner, or the page to answer instead (sign-in, or not allowed). */
async function signedInOwner(c: Context<AppEnv>, session: PageSession | null): Promise<Owner | Response> {
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const out = await resumeStaffSession(c.var.deps, {
    sessionId: session.id,
    organizationId: session.organizationId,
    from: sourceAddress(c),
  });
  if (!out.ok) return sessionEnded(c, out.error);
  const principal = out.value;
  if (principal.role !== 'partner') return sessionEnded(c, { code: 'unauthorized' });
  const refused = offerManagerRefusal(principal);
  if (refused) return html(c, <NotAllowed detail={refused.detail ?? ERROR_TEXT.forbidden} />, 403);
  return { principal, session };
}

// ---------------------------------------------------------------------------------------------------
// The form's fields, by the API's own rules

interface FormValues {
  title: string;
  description: string;
  category: string;
  price: string;
  retail: string;
  terms: string;
  active: boolean;
}

const EMPTY: FormValues = {
  title: '',
  description: '',
  category: '',
  price: '',
  retail: '',
  terms: '',
  active: true,
};

const valuesOf = (o: Offer): FormValues => ({
  title: o.title,
  description: o.description ?? '',
  category: o.category,
  price: toMajorUnits(o.priceAmount, o.currency),
  retail: o.retailAmount === null ? '' : toMajorUnits(o.retailAmount, o.currency),
  terms: o.terms ?? '',
  active: o.active,
});

const valuesFrom = (f: Record<string, string>): FormValues => ({
  title: f.title ?? '',
  description: f.description ?? '',
  category: f.category ?? '',
  price: f.price ?? '',
  retail: f.retail_value ?? '',
  terms: f.terms ?? '',
  active: f.active === 'on',
});

const Fields = z.object({
  title: OfferFields.title,
  description: OfferFields.description,
  category: OfferFields.category,
  price: OfferFields.price,
  retailValue: OfferFields.retail_value.nullable(),
  terms: OfferFields.terms,
  active: OfferFields.active,
});

/** What to say about the first field that is not valid. */
const FIELD_HELP: Record<string, string> = {
  title: 'Give the offer a title (at most 200 characters).',
  description: 'The description may be 2,000 characters at most.',
  category: 'Choose a category.',
  price: 'Enter the price as an amount more than 0, like 65.00.',
  retailValue: 'Enter the retail value as an amount, like 90.00, or leave it empty.',
  terms: 'The terms may be 2,000 characters at most.',
};

/** The offer's fields from the form (amounts in the partner's currency), or the sentence saying what to fix. */
function parseFields(v: FormValues, currency: string) {
  const price = parseMoneyInput(v.price, currency);
  const retail = parseMoneyInput(v.retail, currency);
  if (price === undefined || price === null) return { error: FIELD_HELP.price! };
  if (retail === null) return { error: FIELD_HELP.retailValue! };
  const parsed = Fields.safeParse({
    title: v.title,
    description: v.description,
    category: v.category,
    price: { amount: price, currency },
    retailValue: retail === undefined ? null : { amount: retail, currency },
    terms: v.terms,
    active: v.active,
  });
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    return { error: FIELD_HELP[field] ?? ERROR_TEXT.validation_failed };
  }
  const d = parsed.data;
  return {
    fields: {
      ...d,
      description: d.description === '' ? null : d.description,
      terms: d.terms === '' ? null : d.terms,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Views

const CATEGORY_NAME: Record<(typeof PARTNER_CATEGORIES)[number], string> = {
  massage: 'Massage',
  photography: 'Photography',
  pharmacy: 'Pharmacy',
  wellness: 'Wellness',
  beauty: 'Beauty',
  other: 'Other',
};

function OffersPage(props: { title: string; children: Child }) {
  return (
    <Page title={props.title}>
      <style>{OFFERS_STYLE}</style>
      <p class="eyebrow">Partner counter</p>
      {props.children}
      <p>
        <a href="/partner">Back to the counter</a>
      </p>
    </Page>
  );
}

function NotAllowed(props: { detail: string }) {
  return (
    <OffersPage title="Offers: not allowed">
      <h1>Not allowed</h1>
      <p class="status bad" role="alert">
        {props.detail}. Your owner manages the offers.
      </p>
    </OffersPage>
  );
}

function NotFound() {
  return (
    <OffersPage title="Offer not found">
      <h1>Offer not found</h1>
      <p class="status bad" role="alert">
        {ERROR_TEXT.offer_not_found}
      </p>
      <p>
        <a href="/partner/offers">Your offers</a>
      </p>
    </OffersPage>
  );
}

function Flash(props: { ok?: string; error?: string }) {
  if (props.error)
    return (
      <p class="status bad" role="alert">
        {props.error}
      </p>
    );
  if (props.ok)
    return (
      <p class="status ok" role="status">
        {props.ok}
      </p>
    );
  return null;
}

function OfferList(props: {
  partnerName: string;
  offers: Offer[];
  next: string | null;
  paged: boolean;
  flash: { ok?: string; error?: string };
}) {
  return (
    <OffersPage title={`${props.partnerName}: offers`}>
      <h1>Your offers</h1>
      <Flash {...props.flash} />
      <p>
        <a class="action" href="/partner/offers/new">
          Add an offer
        </a>
      </p>
      <p>
        <a href="/partner/location">Where you are</a>: clinics suggest offers of partners near their patients
        first.
      </p>
      {props.offers.length === 0 ? (
        <p class="muted">{props.paged ? 'No more offers.' : 'You have no offers yet.'}</p>
      ) : (
        <div class="card">
          <table>
            <caption class="muted">
              Active offers are in the network's catalogue; inactive ones are not.
            </caption>
            <thead>
              <tr>
                <th scope="col">Photo</th>
                <th scope="col">Offer</th>
                <th scope="col" class="num">
                  Price
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {props.offers.map((o) => {
                const photo = offerPhotoPath(o);
                return (
                  <tr>
                    <td>
                      {photo ? (
                        // The title is beside it: the thumbnail adds nothing a screen reader should repeat.
                        <img class="thumb" src={photo} alt="" />
                      ) : (
                        <span class="muted">None</span>
                      )}
                    </td>
                    <td>
                      <a href={`/partner/offers/${o.id}/edit`}>{o.title}</a>
                      <br />
                      <span class="muted">{CATEGORY_NAME[o.category]}</span>
                    </td>
                    <td class="num">{formatMoney(o.priceAmount, o.currency)}</td>
                    <td>{o.active ? 'Active' : 'Inactive'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {props.paged || props.next ? (
        <nav class="pager" aria-label="Pages of offers">
          {props.paged ? <a href="/partner/offers">First page</a> : null}
          {props.next ? <a href={`/partner/offers?cursor=${props.next}`}>Next page</a> : null}
        </nav>
      ) : null}
    </OffersPage>
  );
}

function OfferForm(props: {
  csrf: string;
  currency: string;
  offer: Offer | null;
  values: FormValues;
  error?: string;
}) {
  const o = props.offer;
  const v = props.values;
  const photo = o ? offerPhotoPath(o) : null;
  const action = o ? `/partner/offers/${o.id}` : '/partner/offers';
  return (
    <OffersPage title={o ? `Edit ${o.title}` : 'New offer'}>
      <h1>{o ? 'Edit the offer' : 'New offer'}</h1>
      <Flash error={props.error} />
      <form method="post" action={action} enctype="multipart/form-data" class="card">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="submission" value={newSubmissionKey()} />
        <label for="title">Title</label>
        <input id="title" name="title" required maxlength={200} value={v.title} />
        <label for="category">Category</label>
        <select id="category" name="category" required>
          {v.category === '' ? <option value="">Choose a category</option> : null}
          {PARTNER_CATEGORIES.map((k) => (
            <option value={k} selected={v.category === k}>
              {CATEGORY_NAME[k]}
            </option>
          ))}
        </select>
        <label for="price">
          Price ({props.currency}): what the issuing clinic pays you when it is redeemed
        </label>
        <input
          id="price"
          name="price"
          required
          inputmode="decimal"
          pattern="[0-9]+([.,][0-9]+)?"
          value={v.price}
        />
        <label for="retail_value">Retail value ({props.currency}), optional</label>
        <input
          id="retail_value"
          name="retail_value"
          inputmode="decimal"
          pattern="[0-9]+([.,][0-9]+)?"
          value={v.retail}
        />
        <label for="description">Description, optional</label>
        <textarea id="description" name="description" rows={4} maxlength={2000}>
          {v.description}
        </textarea>
        <label for="terms">Terms, optional</label>
        <textarea id="terms" name="terms" rows={3} maxlength={2000}>
          {v.terms}
        </textarea>
        <label class="inline" for="active">
          <input type="checkbox" id="active" name="active" checked={v.active} />
          Active: clinics can see it and give it as a gift
        </label>
        {photo ? <img class="photo" src={photo} alt={`${o!.title}, as shown now`} /> : null}
        <label for="photo">
          {photo ? 'A new photo' : 'Photo'} (JPEG, PNG or WebP, at most 2 MB), optional
        </label>
        <input id="photo" name="photo" type="file" accept={PHOTO_TYPES.join(',')} />
        {photo ? (
          <label class="inline" for="remove_photo">
            <input type="checkbox" id="remove_photo" name="remove_photo" />
            Remove the photo
          </label>
        ) : null}
        <button type="submit">{o ? 'Save changes' : 'Publish the offer'}</button>
      </form>
      <p>
        <a href="/partner/offers">Your offers</a>
      </p>
    </OffersPage>
  );
}

/** A page for a form that could not be read at all (too large, not a form). */
function Unreadable(props: { text: string }) {
  return (
    <OffersPage title="Offers: the form could not be sent">
      <h1>The form could not be sent</h1>
      <p class="status bad" role="alert">
        {props.text}
      </p>
      <p>
        <a href="/partner/offers">Your offers</a>
      </p>
    </OffersPage>
  );
}

// ---------------------------------------------------------------------------------------------------
// Handlers

/** A use case's refusal as a form outcome: a session that no longer holds ends; the rest go back with a sentence. */
const outcome = (r: Refusal, back: string): FormOutcome =>
  isCallerRefusal(r) && r.code !== 'forbidden' ? { ended: r } : { location: `${back}?error=${r.code}` };

/** Publishes (offerId null) or changes an offer from its form, with its photo set or removed. */
async function saveOffer(c: Context<AppEnv>, offerId: string | null): Promise<Response> {
  const upload = await uploadForm(c, MAX_UPLOAD_BYTES);
  if (upload === 'too_large') return html(c, <Unreadable text={ERROR_TEXT.photo_too_large} />, 413);
  if (upload === 'malformed')
    return html(c, <Unreadable text="The form could not be read. Please try again." />, 400);
  const f = upload.fields;
  const session = await readSession(c, COUNTER);
  if (session && !csrfOk(c, session, f.csrf)) return html(c, <SignIn error={FORM_EXPIRED} />, 403);
  const owner = await signedInOwner(c, session);
  if (owner instanceof Response) return owner;
  const { deps } = c.var;
  const partner = owner.principal;
  const values = valuesFrom(f);
  /** Back to the form with what was typed and what to fix (an edit shows the offer as it is). */
  const formAgain = async (error: string, status: 400 | 413 = 400) => {
    const current = offerId ? await readOwnOffer(deps, { partner, offerId }) : null;
    if (current && !current.ok) return html(c, <NotFound />, 404);
    return html(
      c,
      <OfferForm
        csrf={owner.session.csrf}
        currency={partner.organization.currency}
        offer={current?.value ?? null}
        values={values}
        error={error}
      />,
      status,
    );
  };
  const parsed = parseFields(values, partner.organization.currency);
  if ('error' in parsed) return formAgain(parsed.error!);
  let photo: CheckedPhoto | null = null;
  if (upload.files.photo) {
    const checked = await checkPhoto(upload.files.photo);
    if (!checked.ok)
      return formAgain(ERROR_TEXT[checked.error.code], checked.error.code === 'photo_too_large' ? 413 : 400);
    photo = checked.value;
  }
  const removePhoto = offerId !== null && f.remove_photo === 'on';
  const back = offerId ? `/partner/offers/${offerId}/edit` : '/partner/offers/new';
  // The photo is not a field: its digest stands for it in what the submission key is bound to.
  const submitted = photo ? { ...f, photo_sha256: photo.digest } : f;
  return once(
    c,
    owner.session,
    submitted,
    async () => {
      const saved = offerId
        ? await updateOffer(deps, { partner, offerId, changes: parsed.fields })
        : await publishOffer(deps, { partner, offer: parsed.fields });
      if (!saved.ok)
        return outcome(saved.error, saved.error.code === 'offer_not_found' ? '/partner/offers' : back);
      const id = saved.value.id;
      const store = c.env.OFFER_PHOTOS;
      const pictured = photo
        ? await setOfferPhoto(deps, { partner, offerId: id, photo: photo.bytes, store })
        : removePhoto
          ? await removeOfferPhoto(deps, { partner, offerId: id, store })
          : null;
      if (pictured && !pictured.ok) return outcome(pictured.error, `/partner/offers/${id}/edit`);
      return { location: `/partner/offers?${offerId ? 'saved' : 'published'}=${id}` };
    },
    back,
  );
}

export function registerPartnerOffers(app: Hono<AppEnv>) {
  app.get('/partner/offers', async (c) => {
    const owner = await signedInOwner(c, await readSession(c, COUNTER));
    if (owner instanceof Response) return owner;
    let after: string | undefined;
    try {
      after = decodeCursor(c.req.query('cursor'), 'off');
    } catch {
      return c.redirect('/partner/offers?error=invalid_cursor', 303);
    }
    const p = owner.principal;
    const rows = await listOffers(c.var.deps, {
      principal: p,
      partnerId: p.organizationId,
      after,
      limit: OFFERS_PAGE + 1,
    });
    const shown = rows.slice(0, OFFERS_PAGE);
    const q = c.req.query();
    const done = shown.find((o) => o.id === (q.published ?? q.saved));
    const ok = q.published
      ? `Published${done ? `: ${done.title}` : ''}.`
      : q.saved
        ? `Saved${done ? `: ${done.title}` : ''}.`
        : undefined;
    return html(
      c,
      <OfferList
        partnerName={p.organization.name}
        offers={shown}
        next={rows.length > OFFERS_PAGE ? encodeCursor(shown[shown.length - 1]!.id) : null}
        paged={after !== undefined}
        flash={{ ok, error: errorText(q.error) }}
      />,
    );
  });

  app.get('/partner/offers/new', async (c) => {
    const owner = await signedInOwner(c, await readSession(c, COUNTER));
    if (owner instanceof Response) return owner;
    return html(
      c,
      <OfferForm
        csrf={owner.session.csrf}
        currency={owner.principal.organization.currency}
        offer={null}
        values={EMPTY}
        error={errorText(c.req.query('error'))}
      />,
    );
  });

  app.get('/partner/offers/:id/edit', async (c) => {
    const owner = await signedInOwner(c, await readSession(c, COUNTER));
    if (owner instanceof Response) return owner;
    const out = await readOwnOffer(c.var.deps, { partner: owner.principal, offerId: c.req.param('id') });
    if (!out.ok) return html(c, <NotFound />, 404);
    return html(
      c,
      <OfferForm
        csrf={owner.session.csrf}
        currency={out.value.currency}
        offer={out.value}
        values={valuesOf(out.value)}
        error={errorText(c.req.query('error'))}
      />,
    );
  });

  app.post('/partner/offers', (c) => saveOffer(c, null));
  app.post('/partner/offers/:id', (c) => saveOffer(c, c.req.param('id')));
}
