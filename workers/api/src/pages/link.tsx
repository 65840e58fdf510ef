import { displayStatus, type LinkView, readVoucherLink } from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { qrDataUri } from '../lib/qr';
import { formatDate, formatMoney, Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// GET /r/{token}: the patient's link. Read-only by construction (a GET with no writes), so a link
// preview or a scanner can never consume the voucher. No referrer leaves, nothing is cached or
// indexed, and no script runs.

function StatusBanner({ v, now, tz }: { v: LinkView['voucher']; now: number; tz: string }) {
  const status = displayStatus(v, now);
  if (status === 'redeemed')
    return <p class="status ok">This gift has been redeemed. We hope you enjoyed it!</p>;
  if (status === 'voided')
    return (
      <p class="status bad">
        This gift has been withdrawn by the clinic. Please contact them with any questions.
      </p>
    );
  if (status === 'expired')
    return <p class="status warn">This gift expired on {formatDate(v.expiresAt, tz)}.</p>;
  return null;
}

function Gift({ view, token, now }: { view: LinkView; token: string; now: number }) {
  const v = view.voucher;
  const tz = view.clinicTimezone;
  const usable = displayStatus(v, now) === 'issued';
  return (
    <Page title={`A gift for ${view.holderFirstName}`}>
      <p class="eyebrow">{view.clinicName}</p>
      <h1>
        A gift for you, {view.holderFirstName}: {v.title}
      </h1>
      <StatusBanner v={v} now={now} tz={tz} />
      {v.message ? <blockquote>{v.message}</blockquote> : null}
      {v.kind === 'value' ? (
        <p>
          Value: <strong>{formatMoney(v.valueAmount, v.currency)}</strong>
          {v.remainingAmount !== v.valueAmount ? ` (${formatMoney(v.remainingAmount, v.currency)} left)` : ''}
        </p>
      ) : null}
      {usable ? (
        <section class="card" aria-labelledby="show">
          <h2 id="show">Show this code at the counter</h2>
          <img class="qr" alt="QR code of your gift voucher" src={qrDataUri(token)} />
          <p class="muted">Valid until {formatDate(v.expiresAt, tz)}.</p>
        </section>
      ) : null}
      <section class="card" aria-labelledby="where">
        <h2 id="where">Where</h2>
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
                  Book your appointment
                </a>
              </dd>
            ) : null}
          </dl>
        ) : (
          <p>Any {v.category} partner of the network.</p>
        )}
      </section>
      <p class="muted">Reference {v.id}</p>
    </Page>
  );
}

function NotValid({ status }: { status: number }) {
  return (
    <Page title="This link is not valid">
      <h1>This link is not valid</h1>
      <p>
        {status === 404
          ? 'We could not find a gift for this link. Please check that the whole link was copied, or ask your clinic to send it again.'
          : 'Something is wrong with this link.'}
      </p>
    </Page>
  );
}

export function registerLinkPage(app: Hono<AppEnv>) {
  app.get('/r/:token', async (c) => {
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
    const token = c.req.param('token');
    const now = c.var.clock.now();
    const view = await readVoucherLink(c.var.deps, token);
    if (!view) return c.html(`<!doctype html>${<NotValid status={404} />}`, 404);
    return c.html(`<!doctype html>${<Gift view={view} token={token} now={now} />}`, 200);
  });
}
