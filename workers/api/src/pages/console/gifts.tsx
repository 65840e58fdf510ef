import { formatMoney, isId } from '@gratia/core';
import { type NetworkConfig, PARTNER_CATEGORIES, type PartnerCategory } from '@gratia/db';
import type { GiftSuggestions } from '@gratia/insight';
import type { ChannelReach } from '@gratia/messaging';
import type { CatalogueOffer, GiftCatalogue } from '@gratia/network';
import { addDays, localDate, startOfLocalDay } from '@gratia/points';
import {
  displayStatus,
  type GiftAllowance,
  giftLimitSentence,
  issueVoucher,
  readVoucherForSending,
  type VoucherWithLink,
  voidVoucher,
  voucherLifetimes,
} from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { qrDataUri } from '../../lib/qr';
import { formatDate } from '../layout';
import { readGiftPage, SuggestedGifts } from './gift-suggestions';
import { Field, formatWhen, problemPage } from './patient-views';
import { SendGift } from './send-gift';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Giving a gift: the network's catalogue browsed by category, partner and text beside the patient's
// preferences; the chosen offer's form (personal message, expiry within the network's limits); and
// the gift's own page with the patient's link, its QR code and a copy button, its state, and voiding
// it before it is redeemed, and sending the link by e-mail or SMS (send-gift.tsx).

const CATALOGUE_PAGE = 12;
const MAX_QUERY = 200;
const MAX_MESSAGE = 500;
const MAX_REASON = 500;

const isCategory = (v: string): v is PartnerCategory => (PARTNER_CATEGORIES as readonly string[]).includes(v);
const isDate = (d: string) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && Number.isFinite(t) && new Date(t).toISOString().startsWith(d);
};

/**
 * The days a gift may be valid until, in the clinic's calendar: from today to the last day whose end
 * is within the network's longest lifetime; by default the day the network's default lifetime ends.
 */
export function expiryDays(now: number, timeZone: string, config: NetworkConfig) {
  const { defaultMs, maxMs } = voucherLifetimes(config);
  const last = addDays(localDate(now + maxMs, timeZone), -1);
  // The earlier of the two dates (ISO dates sort as strings).
  const byDefault = [localDate(now + defaultMs, timeZone), last].sort()[0]!;
  return { first: localDate(now, timeZone), last, byDefault };
}

/** A gift valid until `date` lapses when that day ends in the clinic's timezone. */
const endOfDay = (date: string, timeZone: string) => startOfLocalDay(addDays(date, 1), timeZone);

interface Browse {
  category?: PartnerCategory;
  partner?: string;
  q?: string;
  after?: string;
  offer?: string;
}

function giftUrl(patientId: string, b: Browse, anchor = '') {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(b)) if (v) params.set(k, v);
  const query = params.toString();
  return `/console/patients/${encodeURIComponent(patientId)}/gift${query ? `?${query}` : ''}${anchor}`;
}

/** The patient's preferences an offer matches: its category, or words of its title or description. */
function matches(o: CatalogueOffer, tags: string[]) {
  const text = `${o.title} ${o.description ?? ''}`.toLowerCase();
  return tags.filter((t) => {
    const tag = t.toLowerCase();
    return o.category === tag || text.includes(tag);
  });
}

const GIFT_HELP: Record<string, string> = {
  offer_id: 'Choose an offer from the catalogue.',
  message: `The message can be at most ${MAX_MESSAGE} characters.`,
  expires_on: 'Choose a date within the range the form allows.',
  reason: `Say why the gift is voided (at most ${MAX_REASON} characters).`,
};

function FieldFlash({ q }: { q: Record<string, string> }) {
  if (q.error === 'validation_failed' && q.field && Object.hasOwn(GIFT_HELP, q.field))
    return (
      <p class="status bad" role="alert">
        {GIFT_HELP[q.field]}
      </p>
    );
  return <Flash q={q} />;
}

function IssueForm(props: {
  s: Signed;
  patientId: string;
  firstName: string;
  offer: CatalogueOffer;
  days: ReturnType<typeof expiryDays>;
}) {
  const { offer: o, days } = props;
  return (
    <section class="card" aria-labelledby="issue" id="issue-form">
      <h2 id="issue">
        Give {o.title} at {o.partnerName}
      </h2>
      <p class="muted">
        {formatMoney(o.priceAmount, o.currency)} is paid to {o.partnerName} when {props.firstName} redeems it.
      </p>
      <form method="post" action={`/console/patients/${props.patientId}/gifts`}>
        <FormKeys csrf={props.s.session.csrf} submission={newSubmissionKey()} />
        <input type="hidden" name="offer_id" value={o.id} />
        <Field
          name="message"
          label="Personal message (optional)"
          hint={`Shown to ${props.firstName} with the gift; at most ${MAX_MESSAGE} characters.`}
          maxlength={MAX_MESSAGE}
          multiline
        />
        <Field
          name="expires_on"
          label="Valid until"
          type="date"
          value={days.byDefault}
          min={days.first}
          max={days.last}
          required
          hint={`Up to ${days.last}. The gift lapses at the end of that day.`}
        />
        <button type="submit">Give the gift</button>
      </form>
      <p>
        <a href={`/console/patients/${props.patientId}/gift`}>Choose another offer</a>
      </p>
    </section>
  );
}

function CataloguePage(props: {
  s: Signed;
  cat: GiftCatalogue;
  suggested: GiftSuggestions | null;
  browse: Browse;
  q: Record<string, string>;
  days: ReturnType<typeof expiryDays>;
  allowance: GiftAllowance | null;
}) {
  const { s, cat, browse } = props;
  const p = cat.patient;
  const filter = { category: browse.category, partner: browse.partner, q: browse.q };
  return (
    <ConsolePage
      title={`A gift for ${p.firstName} ${p.lastName}`}
      principal={s.principal}
      csrf={s.session.csrf}
      area="patients"
    >
      <p>
        <a href={`/console/patients/${p.id}`}>
          Back to {p.firstName} {p.lastName}
        </a>
      </p>
      <h1>
        A gift for {p.firstName} {p.lastName}
      </h1>
      <FieldFlash q={props.q} />
      <VipGiftLimit allowance={props.allowance} />
      {cat.chosen ? (
        <IssueForm s={s} patientId={p.id} firstName={p.firstName} offer={cat.chosen} days={props.days} />
      ) : null}
      {/* What fits the patient comes first; browsing the catalogue (a filter, a later page) narrows to it. */}
      {browse.category || browse.partner || browse.q || browse.after ? null : (
        <SuggestedGifts
          firstName={p.firstName}
          suggested={props.suggested}
          chooseHref={(offer) => giftUrl(p.id, { offer }, '#issue-form')}
        />
      )}
      <div class="grid side">
        <section aria-labelledby="catalogue">
          <h2 id="catalogue">The network's catalogue</h2>
          <form method="get" action={`/console/patients/${p.id}/gift`} class="card">
            {browse.partner ? <input type="hidden" name="partner" value={browse.partner} /> : null}
            <div class="row">
              <div>
                <label for="category">Category</label>
                <select id="category" name="category">
                  <option value="">All categories</option>
                  {PARTNER_CATEGORIES.map((c) => (
                    <option value={c} selected={browse.category === c}>
                      {c}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="q">Words</label>
                <input id="q" name="q" type="search" value={browse.q ?? ''} maxlength={MAX_QUERY} />
              </div>
              <button type="submit">Show offers</button>
            </div>
            {browse.partner ? (
              <p>
                Only offers of <strong>{cat.partner?.name ?? 'this partner'}</strong> ·{' '}
                <a href={giftUrl(p.id, { ...filter, partner: undefined })}>all partners</a>
              </p>
            ) : null}
          </form>
          {cat.offers.length === 0 ? (
            <p class="muted" role="status">
              No offer matches. Try another category or fewer words.
            </p>
          ) : (
            <ul class="plain">
              {cat.offers.map((o) => {
                const liked = matches(o, p.tags);
                return (
                  <li>
                    <span>
                      <strong>{o.title}</strong> · {formatMoney(o.priceAmount, o.currency)}
                      <br />
                      <a href={giftUrl(p.id, { ...filter, partner: o.partnerId })}>{o.partnerName}</a> ·{' '}
                      {o.category}
                      {o.description ? (
                        <>
                          <br />
                          <span class="muted">{o.description}</span>
                        </>
                      ) : null}
                      {liked.length ? (
                        <>
                          <br />
                          <span class="tag">Likes {liked.join(', ')}</span>
                        </>
                      ) : null}
                    </span>
                    <a class="num" href={giftUrl(p.id, { ...filter, offer: o.id }, '#issue-form')}>
                      Choose <span class="muted">{o.title}</span>
                    </a>
                  </li>
                );
              })}
            </ul>
          )}
          <nav class="pager" aria-label="Pages of offers">
            {browse.after ? <a href={giftUrl(p.id, filter)}>First page</a> : null}
            {cat.next ? <a href={giftUrl(p.id, { ...filter, after: cat.next })}>More offers</a> : null}
          </nav>
        </section>
        <aside class="card" aria-labelledby="likes">
          <h2 id="likes">{p.firstName}'s preferences</h2>
          {p.tags.length ? (
            <ul class="plain">
              {p.tags.map((t) => (
                <li>
                  <a
                    href={giftUrl(
                      p.id,
                      isCategory(t.toLowerCase())
                        ? { category: t.toLowerCase() as PartnerCategory }
                        : { q: t },
                    )}
                  >
                    {t}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No preferences noted.</p>
          )}
          {p.notes ? <p>{p.notes}</p> : null}
        </aside>
      </div>
    </ConsolePage>
  );
}

/** A VIP's gifts this year against the clinic's limit, before the clinic picks (issue 12). */
function VipGiftLimit(props: { allowance: GiftAllowance | null }) {
  const a = props.allowance;
  if (!a?.vip || a.limit === null) return null;
  return a.allowed ? (
    <p class="status" role="status">
      VIP: {a.name} has had {a.given} of {a.limit} gifts this year (VIP limit; perks are not counted).
    </p>
  ) : (
    <p class="status bad" role="alert">
      {giftLimitSentence(a)}
    </p>
  );
}

const STATE_TEXT = {
  issued: 'Not redeemed yet.',
  redeemed: 'Redeemed.',
  voided: 'Voided.',
  expired: 'Expired before it was redeemed.',
} as const;

function GiftPage(props: {
  s: Signed;
  w: VoucherWithLink & { reach: ChannelReach[] };
  q: Record<string, string>;
  now: number;
}) {
  const { s, q } = props;
  const v = props.w.voucher;
  const url = props.w.url;
  const tz = s.principal.organization.timezone;
  const state = displayStatus(v, props.now);
  return (
    <ConsolePage
      title={`Gift: ${v.title}`}
      principal={s.principal}
      csrf={s.session.csrf}
      area="patients"
      scripts={['/console/copy.js']}
    >
      <p>
        <a href={`/console/patients/${v.patientId}`}>Back to the patient</a>
      </p>
      <h1>Gift: {v.title}</h1>
      {q.issued === '1' ? (
        <p class="status ok" role="status">
          The gift was issued. Give the patient this link.
        </p>
      ) : null}
      {q.voided === '1' && v.status === 'voided' ? (
        <p class="status ok" role="status">
          The gift was voided. Its link now says so.
        </p>
      ) : null}
      <FieldFlash q={q} />
      <div class="grid two">
        <section class="card" aria-labelledby="link">
          <h2 id="link">The patient's link</h2>
          {url && state === 'issued' ? (
            <>
              <label for="gift-link">Link</label>
              <input id="gift-link" class="code" readonly value={url} />
              <button type="button" class="small" data-copy="gift-link" data-copy-status="copy-status" hidden>
                Copy the link
              </button>
              <p id="copy-status" role="status" class="muted" />
              <img class="qr" alt="QR code of the patient's link" src={qrDataUri(url)} />
            </>
          ) : (
            <p>
              The link shows the patient that this gift is {state === 'issued' ? 'not available' : state}.
            </p>
          )}
        </section>
        <section class="card" aria-labelledby="state">
          <h2 id="state">State</h2>
          <p class="status" role="status">
            {STATE_TEXT[state]}
          </p>
          <dl>
            <dt>Value</dt>
            <dd>
              {formatMoney(v.valueAmount, v.currency)}
              {v.kind === 'value' && v.remainingAmount !== v.valueAmount
                ? ` (${formatMoney(v.remainingAmount, v.currency)} left)`
                : ''}
            </dd>
            <dt>Given</dt>
            <dd>{formatWhen(v.issuedAt, tz)}</dd>
            <dt>Valid until</dt>
            <dd>{formatWhen(v.expiresAt - 1, tz)}</dd>
            {v.message ? (
              <>
                <dt>Message</dt>
                <dd>{v.message}</dd>
              </>
            ) : null}
            {v.voidedAt ? (
              <>
                <dt>Voided</dt>
                <dd>
                  {formatDate(v.voidedAt, tz)}: {v.voidReason}
                </dd>
              </>
            ) : null}
          </dl>
          {v.status === 'issued' ? (
            <form method="post" action={`/console/gifts/${v.id}/void`}>
              <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
              <Field name="reason" label="Reason for voiding" required maxlength={MAX_REASON} />
              <button type="submit" class="secondary">
                Void this gift
              </button>
            </form>
          ) : v.status === 'redeemed' ? (
            <p>A redeemed gift cannot be voided.</p>
          ) : null}
        </section>
      </div>
      {url && state === 'issued' ? <SendGift s={s} voucherId={v.id} reach={props.w.reach} q={q} /> : null}
      <p class="muted">Reference {v.id}</p>
    </ConsolePage>
  );
}

export function registerConsoleGifts(app: Hono<AppEnv>) {
  app.get(
    '/console/patients/:id/gift',
    page('gift', async (c, s) => {
      const q = c.req.query();
      const browse: Browse = {};
      if (q.category) {
        if (!isCategory(q.category)) return problemPage(c, s, 'validation_failed', 400);
        browse.category = q.category;
      }
      for (const [key, prefix] of [
        ['partner', 'org'],
        ['after', 'off'],
        ['offer', 'off'],
      ] as const) {
        const v = q[key];
        if (!v) continue;
        if (!isId(prefix, v))
          return problemPage(
            c,
            s,
            key === 'offer' ? 'offer_not_found' : 'validation_failed',
            key === 'offer' ? 404 : 400,
          );
        browse[key] = v;
      }
      const text = (q.q ?? '').trim().slice(0, MAX_QUERY);
      if (text) browse.q = text;
      const out = await readGiftPage(c.var.deps, {
        clinic: s.principal,
        patientId: c.req.param('id') ?? '',
        category: browse.category,
        partnerId: browse.partner,
        q: browse.q,
        after: browse.after,
        offerId: browse.offer,
        limit: CATALOGUE_PAGE,
      });
      if (!out.ok) return problemPage(c, s, out.error.code, 404);
      const days = expiryDays(c.var.clock.now(), s.principal.organization.timezone, c.var.deps.config);
      const { cat, suggested, allowance } = out.value;
      return html(
        c,
        <CataloguePage
          s={s}
          cat={cat}
          suggested={suggested}
          browse={browse}
          q={q}
          days={days}
          allowance={allowance}
        />,
      );
    }),
  );

  app.post(
    '/console/patients/:id/gifts',
    action('gift', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const offerId = f.offer_id ?? '';
      const back = giftUrl(patientId, { offer: isId('off', offerId) ? offerId : undefined });
      const invalid = (field: string) =>
        c.redirect(`${back}${back.includes('?') ? '&' : '?'}error=validation_failed&field=${field}`, 303);
      const tz = s.principal.organization.timezone;
      const days = expiryDays(c.var.clock.now(), tz, c.var.deps.config);
      const message = (f.message ?? '').trim();
      const until = f.expires_on ?? '';
      if (!isId('off', offerId)) return invalid('offer_id');
      if (message.length > MAX_MESSAGE) return invalid('message');
      if (!isDate(until) || until < days.first || until > days.last) return invalid('expires_on');
      return exactlyOnce(c, s, f, back, async () => {
        const out = await issueVoucher(c.var.deps, {
          clinic: s.principal,
          patientId,
          offerId,
          message: message || undefined,
          expiresAt: endOfDay(until, tz),
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `/console/gifts/${out.value.voucher.id}?issued=1` };
      });
    }),
  );

  app.get(
    '/console/gifts/:id',
    page('gift', async (c, s) => {
      const out = await readVoucherForSending(c.var.deps, {
        clinic: s.principal,
        voucherId: c.req.param('id') ?? '',
      });
      if (!out.ok) return problemPage(c, s, 'voucher_not_found', 404);
      return html(c, <GiftPage s={s} w={out.value} q={c.req.query()} now={c.var.clock.now()} />);
    }),
  );

  app.post(
    '/console/gifts/:id/void',
    action('gift', async (c, s, f) => {
      const voucherId = c.req.param('id') ?? '';
      const back = `/console/gifts/${encodeURIComponent(voucherId)}`;
      const reason = (f.reason ?? '').trim();
      if (!reason || reason.length > MAX_REASON)
        return c.redirect(`${back}?error=validation_failed&field=reason`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await voidVoucher(c.var.deps, { clinic: s.principal, voucherId, reason });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?voided=1` };
      });
    }),
  );
}
