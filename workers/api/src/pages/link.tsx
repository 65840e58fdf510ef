import type { PatientLocale } from '@gratia/db';
import { COMMON_PAGE, formatDate, formatMoney, translator, VOUCHER_PAGE } from '@gratia/messaging';
import { displayStatus, type LinkView, readVoucherLink } from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { qrDataUri } from '../lib/qr';
import { LanguageSwitch, pageLocale } from './language-switch';
import { Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// GET /r/{token}: the patient's link. Read-only by construction (a GET with no writes), so a link
// preview or a scanner can never consume the voucher. No referrer leaves, nothing is cached or
// indexed, and no script runs.

type T = ReturnType<typeof voucherWords>;
const voucherWords = (locale: PatientLocale) => translator(VOUCHER_PAGE, locale);

function StatusBanner({
  v,
  now,
  tz,
  t,
  locale,
}: {
  v: LinkView['voucher'];
  now: number;
  tz: string;
  t: T;
  locale: PatientLocale;
}) {
  const status = displayStatus(v, now);
  if (status === 'redeemed') return <p class="status ok">{t('redeemed')}</p>;
  if (status === 'voided') return <p class="status bad">{t('voided')}</p>;
  if (status === 'expired')
    return <p class="status warn">{t('expired', { date: formatDate(v.expiresAt, tz, locale) })}</p>;
  return null;
}

function Gift({
  view,
  token,
  now,
  locale,
}: {
  view: LinkView;
  token: string;
  now: number;
  locale: PatientLocale;
}) {
  const v = view.voucher;
  const tz = view.clinicTimezone;
  const t = voucherWords(locale);
  const usable = displayStatus(v, now) === 'issued';
  const money = (amount: number) => formatMoney(amount, v.currency, locale);
  return (
    <Page title={t('title', { name: view.holderFirstName })} lang={locale}>
      <LanguageSwitch locale={locale} path={`/r/${token}`} />
      <p class="eyebrow">{view.clinicName}</p>
      <h1>{t('heading', { name: view.holderFirstName, gift: v.title })}</h1>
      <StatusBanner v={v} now={now} tz={tz} t={t} locale={locale} />
      {v.message ? <blockquote>{v.message}</blockquote> : null}
      {v.kind === 'value' ? (
        <p>
          {t('value', { amount: money(v.valueAmount) })}
          {v.remainingAmount !== v.valueAmount
            ? ` ${t('value_left', { amount: money(v.remainingAmount) })}`
            : ''}
        </p>
      ) : null}
      {usable ? (
        <section class="card" aria-labelledby="show">
          <h2 id="show">{t('show_heading')}</h2>
          <img class="qr" alt={t('qr_alt')} src={qrDataUri(token)} />
          <p class="muted">{t('valid_until', { date: formatDate(v.expiresAt, tz, locale) })}</p>
        </section>
      ) : null}
      <section class="card" aria-labelledby="where">
        <h2 id="where">{t('where_heading')}</h2>
        {view.partnerName ? (
          <dl>
            <dt>{view.partnerName}</dt>
            {view.partnerAddress ? <dd>{view.partnerAddress}</dd> : null}
            {view.partnerPhone ? (
              <dd>
                <a href={`tel:${view.partnerPhone}`}>{view.partnerPhone}</a>
              </dd>
            ) : null}
            {view.partnerBookingUrl ? (
              <dd>
                <a href={view.partnerBookingUrl} rel="noopener noreferrer">
                  {t('book')}
                </a>
              </dd>
            ) : null}
          </dl>
        ) : (
          <p>{t('any_partner', { category: v.category })}</p>
        )}
      </section>
      <p class="muted">{t('reference', { id: v.id })}</p>
    </Page>
  );
}

function NotValid({ locale }: { locale: PatientLocale }) {
  const common = translator(COMMON_PAGE, locale);
  return (
    <Page title={common('not_valid_title')} lang={locale}>
      <h1>{common('not_valid_title')}</h1>
      <p>{voucherWords(locale)('not_found')}</p>
    </Page>
  );
}

export function registerLinkPage(app: Hono<AppEnv>) {
  app.get('/r/:token', async (c) => {
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
    const token = c.req.param('token');
    const now = c.var.clock.now();
    const view = await readVoucherLink(c.var.deps, token);
    if (!view) return c.html(`<!doctype html>${<NotValid locale={pageLocale(c)} />}`, 404);
    const locale = pageLocale(c, view.holderLocale);
    return c.html(`<!doctype html>${<Gift view={view} token={token} now={now} locale={locale} />}`, 200);
  });
}
