import type { PatientLocale } from '@gratia/db';
import { type CardView, readCard, readCardPhoto, removeCardPhoto, setCardPhoto } from '@gratia/loyalty';
import {
  CARD_CATALOGS,
  cardFormToken,
  cardFormTokenValid,
  cardPatientId,
  chooseLocale,
  formatDate,
  formatMoney,
  LOCALE_NAMES,
  LOCALES,
  translator,
} from '@gratia/messaging';
import { PHOTO_MAX_BYTES } from '@gratia/network';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { cardBarcodeDataUri } from '../lib/barcode';
import { uploadForm } from '../lib/forms';
import { sameOrigin } from '../lib/page-session';
import { qrDataUri } from '../lib/qr';
import { PAGE_STYLE } from './layout';
import { PRIVATE_IMAGE_HEADERS, STATIC_PAGE_HEADERS } from './static-headers';

// /c/{token}: the patient's card page (issue 13), on the signed link the clinic sends (cardUrl in
// @gratia/messaging), on their phone, no account: the named card with its number as a Code 128
// barcode (bwip-js) and a QR code, the balance in points and money, the next expiry, the discount and
// the progress to the next one, the gifts to use with their links, and a language switch (en, es, ru;
// `?lang=`, else the patient's language, else the browser's). Every word comes from the card catalog.
// The holder may add a photo (JPEG, PNG or WebP, 2 MB at most): the form posts to /c/{token}/photo with
// a token derived from the link, from this origin only; a partner who scans the card sees the photo.
// No script; not cached or indexed; a forged link is a plain 404 page.

const CARD_HEADERS: Record<string, string> = {
  ...STATIC_PAGE_HEADERS,
  // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the form's post.
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

const CARD_STYLE = `
nav.langs{display:flex;gap:.4rem;justify-content:flex-end;flex-wrap:wrap}nav.langs a{padding:.35rem .6rem;border-radius:8px;background:#e8e1d8;color:var(--ink);text-decoration:none}nav.langs a[aria-current]{background:var(--accent);color:#fff}
.plastic{background:linear-gradient(135deg,#2d2118,#7a4b2a);color:#fff;border-radius:16px;padding:1.1rem;margin:1rem 0}
.plastic .who{display:flex;gap:.9rem;align-items:center}.plastic .holder{font-size:1.3rem;font-weight:700}
.plastic .photo{width:4.5rem;height:4.5rem;border-radius:50%;object-fit:cover;border:2px solid #fff;flex:none}
.plastic .num{font-family:ui-monospace,monospace;font-size:1.15rem;letter-spacing:.08em;margin:.6rem 0}
.codes{background:#fff;border-radius:12px;padding:.6rem;display:grid;gap:.5rem;justify-items:center}
.codes .barcode{width:100%;max-width:22rem;image-rendering:pixelated}.codes .qr{max-width:11rem;padding:0}
.big{font-size:1.8rem;font-weight:700}progress{width:100%;height:1rem}
form.inline button{margin-top:.5rem}ul.gifts li{display:block}ul.gifts .num{display:flex;justify-content:space-between;margin-top:.3rem}input[type=file]{padding:.5rem}
`;

type Status = 200 | 400 | 403 | 404 | 413;
const html = (c: Context<AppEnv>, node: unknown, status: Status = 200) => {
  for (const [k, v] of Object.entries(CARD_HEADERS)) c.header(k, v);
  return c.html(`<!doctype html>${node}`, status);
};

type T = ReturnType<typeof translator<keyof (typeof CARD_CATALOGS)['en']>>;

function Shell(props: { locale: PatientLocale; title: string; children: unknown }) {
  return (
    <html lang={props.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{props.title}</title>
        {/* Raw: the style is this file's constant, and escaping would break its `>` selectors. */}
        <style dangerouslySetInnerHTML={{ __html: `${PAGE_STYLE}${CARD_STYLE}` }} />
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

function NotValid({ locale }: { locale: PatientLocale }) {
  const t = translator(CARD_CATALOGS, locale);
  return (
    <Shell locale={locale} title={t('notValidTitle')}>
      <h1>{t('notValidTitle')}</h1>
      <p>{t('notValid')}</p>
    </Shell>
  );
}

const grouped = (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1 ');
const percent = (bps: number, locale: PatientLocale) =>
  new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(bps / 10_000);

function Languages({ token, locale, t }: { token: string; locale: PatientLocale; t: T }) {
  return (
    <nav class="langs" aria-label={t('language')}>
      {LOCALES.map((l) => (
        <a
          href={`/c/${token}?lang=${l}`}
          lang={l}
          hreflang={l}
          aria-current={l === locale ? 'true' : undefined}
        >
          {LOCALE_NAMES[l]}
        </a>
      ))}
    </nav>
  );
}

const FLASH = { saved: 'photoSaved', removed: 'photoRemoved' } as const;
const PHOTO_ERRORS = {
  photo_too_large: 'photoTooLarge',
  unsupported_image: 'photoBadType',
  validation_failed: 'photoEmpty',
} as const;
type PhotoError = keyof typeof PHOTO_ERRORS;

function CardPage(props: {
  card: CardView;
  token: string;
  locale: PatientLocale;
  formToken: string;
  done?: keyof typeof FLASH;
  error?: PhotoError;
}) {
  const { card, token, locale } = props;
  const t = translator(CARD_CATALOGS, locale);
  const name = `${card.firstName} ${card.lastName}`;
  const b = card.balance;
  const tier = card.nextTier;
  const q = `?lang=${locale}`;
  return (
    <Shell locale={locale} title={t('title', { clinic: card.clinicName })}>
      <Languages token={token} locale={locale} t={t} />
      <p class="eyebrow">{card.clinicName}</p>
      <h1>{t('title', { clinic: card.clinicName })}</h1>
      <p>{t('hello', { name: card.firstName })}</p>
      {props.done ? (
        <p class="status ok" role="status">
          {t(FLASH[props.done])}
        </p>
      ) : null}
      {props.error ? (
        <p class="status bad" role="alert">
          {t(PHOTO_ERRORS[props.error])}
        </p>
      ) : null}
      <section aria-labelledby="card-heading">
        <h2 id="card-heading">{t('cardHeading')}</h2>
        <div class="plastic">
          <div class="who">
            {card.hasPhoto ? (
              <img class="photo" src={`/c/${token}/photo`} alt={t('photoAlt', { name })} />
            ) : null}
            <div>
              <div class="muted-light">{t('holder')}</div>
              <div class="holder" id="holder">
                {name}
              </div>
            </div>
          </div>
          <div class="num" id="card-number" title={t('number')}>
            {grouped(card.cardNumber)}
          </div>
          <div class="codes">
            <img
              id="barcode"
              class="barcode"
              src={cardBarcodeDataUri(card.cardNumber)}
              alt={t('barcodeAlt', { number: card.cardNumber })}
            />
            <img
              class="qr"
              id="qr"
              src={qrDataUri(card.cardNumber)}
              alt={t('qrAlt', { number: card.cardNumber })}
            />
          </div>
        </div>
        <p class="muted">{t('showAtCounter')}</p>
      </section>
      <section class="card" aria-labelledby="balance-heading">
        <h2 id="balance-heading">{t('balanceHeading')}</h2>
        <p class="big" id="balance">
          {t('points', { count: b.balance })}
        </p>
        <p id="worth">{t('worth', { money: formatMoney(card.worth.amount, card.worth.currency, locale) })}</p>
        <p id="expiry">
          {b.nextExpiry
            ? t('nextExpiry', {
                count: b.nextExpiry.points,
                date: formatDate(b.nextExpiry.expiresAt, card.clinicTimezone, locale),
              })
            : t('noExpiry')}
        </p>
      </section>
      <section class="card" aria-labelledby="tier-heading">
        <h2 id="tier-heading">{t('tierHeading')}</h2>
        <p id="tier">
          {card.discountBps > 0
            ? t('tier', { clinic: card.clinicName, percent: percent(card.discountBps, locale) })
            : t('noTier')}
        </p>
        {tier ? (
          <>
            <p id="progress-text">
              {t('progress', {
                money: formatMoney(tier.remaining, b.currency, locale),
                percent: percent(tier.discountBps, locale),
              })}
            </p>
            <progress id="progress" max={100} value={tier.progressPct} aria-label={t('progressLabel')}>
              {`${tier.progressPct}%`}
            </progress>
          </>
        ) : card.hasTiers ? (
          <p>{t('topTier')}</p>
        ) : null}
      </section>
      <section class="card" aria-labelledby="gifts-heading">
        <h2 id="gifts-heading">{t('giftsHeading')}</h2>
        {card.gifts.length === 0 ? (
          <p>{t('noGifts')}</p>
        ) : (
          <ul class="plain gifts" id="gifts">
            {card.gifts.map((g) => (
              <li>
                <div>
                  {t('gift', { title: g.title, date: formatDate(g.expiresAt, card.clinicTimezone, locale) })}
                </div>
                <div class="num">
                  <span>{formatMoney(g.remainingAmount, g.currency, locale)}</span>
                  {g.url ? <a href={g.url}>{t('giftOpen')}</a> : null}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="photo-heading">
        <h2 id="photo-heading">{t('photoHeading')}</h2>
        <p class="muted">{t('photoHelp')}</p>
        <form method="post" action={`/c/${token}/photo${q}`} enctype="multipart/form-data" class="inline">
          <label for="photo">{t('photoFile')}</label>
          <input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" required />
          <input type="hidden" name="csrf" value={props.formToken} />
          <button type="submit">{card.hasPhoto ? t('photoReplace') : t('photoAdd')}</button>
        </form>
        {card.hasPhoto ? (
          <form method="post" action={`/c/${token}/photo${q}`} enctype="multipart/form-data" class="inline">
            <input type="hidden" name="csrf" value={props.formToken} />
            <input type="hidden" name="remove" value="1" />
            <button type="submit" class="secondary">
              {t('photoRemove')}
            </button>
          </form>
        ) : null}
      </section>
    </Shell>
  );
}

/** The photo form's whole body at most: the photo and a little for the fields and multipart framing. */
const MAX_UPLOAD_BYTES = PHOTO_MAX_BYTES + 64 * 1024;

export function registerCardPage(app: Hono<AppEnv>) {
  const localeOf = (c: Context<AppEnv>, patient?: string | null) =>
    chooseLocale(c.req.query('lang'), patient, c.req.header('accept-language'));

  const show = async (
    c: Context<AppEnv>,
    extra: { done?: keyof typeof FLASH; error?: PhotoError; status?: Status } = {},
  ) => {
    const { deps } = c.var;
    const token = c.req.param('token') ?? '';
    const patientId = await cardPatientId(deps, token);
    const card = patientId ? await readCard(deps, { patientId }) : null;
    if (!patientId || !card) return html(c, <NotValid locale={localeOf(c)} />, 404);
    return html(
      c,
      <CardPage
        card={card}
        token={token}
        locale={localeOf(c, card.locale)}
        formToken={await cardFormToken(deps, patientId)}
        done={extra.done}
        error={extra.error}
      />,
      extra.status ?? 200,
    );
  };

  app.get('/c/:token', (c) => {
    const done = c.req.query('done');
    return show(c, { done: done === 'saved' || done === 'removed' ? done : undefined });
  });

  app.get('/c/:token/photo', async (c) => {
    const { deps } = c.var;
    const patientId = await cardPatientId(deps, c.req.param('token'));
    const photo = patientId ? await readCardPhoto(deps, { patientId, store: c.env.CARD_PHOTOS }) : null;
    if (!photo) return c.body(null, 404, PRIVATE_IMAGE_HEADERS);
    return c.body(photo.body, 200, {
      ...PRIVATE_IMAGE_HEADERS,
      'content-type': photo.httpMetadata?.contentType ?? 'application/octet-stream',
    });
  });

  app.post('/c/:token/photo', async (c) => {
    const { deps } = c.var;
    const token = c.req.param('token');
    const patientId = await cardPatientId(deps, token);
    if (!patientId) return html(c, <NotValid locale={localeOf(c)} />, 404);
    if (!sameOrigin(c)) return html(c, <NotValid locale={localeOf(c)} />, 403);
    const upload = await uploadForm(c, MAX_UPLOAD_BYTES);
    if (upload === 'too_large') return show(c, { error: 'photo_too_large', status: 413 });
    if (upload === 'malformed') return show(c, { error: 'validation_failed', status: 400 });
    const f = upload.fields;
    if (!(await cardFormTokenValid(deps, patientId, f.csrf ?? '')))
      return html(c, <NotValid locale={localeOf(c)} />, 403);
    const back = (done: 'saved' | 'removed') =>
      c.redirect(`/c/${token}?lang=${localeOf(c)}&done=${done}`, 303);
    if (f.remove === '1') {
      const out = await removeCardPhoto(deps, { patientId, store: c.env.CARD_PHOTOS });
      return out.ok ? back('removed') : html(c, <NotValid locale={localeOf(c)} />, 404);
    }
    const photo = upload.files.photo;
    if (!photo) return show(c, { error: 'validation_failed', status: 400 });
    const out = await setCardPhoto(deps, { patientId, photo, store: c.env.CARD_PHOTOS });
    if (out.ok) return back('saved');
    if (out.error.code === 'patient_not_found') return html(c, <NotValid locale={localeOf(c)} />, 404);
    return show(c, { error: out.error.code, status: out.error.code === 'photo_too_large' ? 413 : 400 });
  });
}
