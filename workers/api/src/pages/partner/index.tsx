import { formatMoney, parseMoneyInput } from '@gratia/core';
import { staffRefusal } from '@gratia/db';
import { endPageSession, offerManagerRefusal, STAFF_MANAGERS } from '@gratia/network';
import {
  type CounterActivity,
  readCounterActivity,
  redeemVoucher,
  reverseRedemption,
  verifyVoucher,
} from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { JSQR_SOURCE } from '../../generated/jsqr-source';
import { COUNTER, csrfOk, endSession } from '../../lib/page-session';
import { registerPartnerCards, scannedCardNumber } from './cards';
import {
  counterSession,
  errorText,
  form,
  html,
  invalidField,
  once,
  outcomeOf,
  sessionCaller,
  sessionEnded,
  withSession,
} from './common';
import { registerPartnerLocation } from './location';
import { registerPartnerOffers } from './offers';
import { registerPartnerPoints } from './points';
import { SCAN_SCRIPT } from './scan-script';
import { registerPartnerStaff } from './staff';
import { registerPartnerStatements } from './statements';
import { Counter, SignIn, Verification } from './views';

// /partner: the counter page for partners without IT. Staff sign in with their passkey (a 12-hour
// server-side session that ends after 30 idle minutes, in an HttpOnly, Secure, SameSite=Strict cookie), check a voucher by camera or by pasting
// its code, redeem with one tap, reverse within 24 hours; take card points by card number. Every
// action is a use case called with the session as its caller, so the key is re-checked in the same
// D1 round trip as the work and revoking it ends the session at once; every form that changes
// something is exactly-once (see `once`).

const PAGE_HEADERS = {
  // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the page's own
  // form posts, which would defeat the Origin check. Nothing leaks to other sites either way.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};
type Flash = { kind: 'ok' | 'bad'; text: string };

/** The one-line outcome a form's redirect asks the counter page to show. */
function flashFor(q: Record<string, string>, recent: CounterActivity): Flash | undefined {
  const redeemed = q.redeemed ? recent.vouchers.find((r) => r.id === q.redeemed) : undefined;
  if (redeemed) return { kind: 'ok', text: `Redeemed: ${redeemed.title}.` };
  const took = q.points_redeemed ? recent.points.find((r) => r.id === q.points_redeemed) : undefined;
  if (took) {
    const left = /^\d{1,12}$/.test(q.left ?? '')
      ? ` ${Number(q.left).toLocaleString('en-GB')} points left.`
      : '';
    const value = formatMoney(took.valueAmount, took.currency);
    return {
      kind: 'ok',
      text: `Took ${took.points.toLocaleString('en-GB')} points (${value}) from card ending ${took.cardLast4}.${left}`,
    };
  }
  if (q.reversed) return { kind: 'ok', text: 'The redemption was reversed; the voucher can be used again.' };
  if (q.points_reversed) return { kind: 'ok', text: 'The points were given back to the card.' };
  const refusal = errorText(q.error, q.field);
  return refusal ? { kind: 'bad', text: refusal } : undefined;
}

export function registerPartnerPage(app: Hono<AppEnv>) {
  app.use('/partner', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(PAGE_HEADERS)) c.res.headers.set(k, v);
  });
  app.use('/partner/*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(PAGE_HEADERS)) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
  });
  app.get('/partner', async (c) => {
    const session = await counterSession(c);
    if (!session) return html(c, <SignIn />);
    const activity = await readCounterActivity(c.var.deps, { caller: sessionCaller(c, session) });
    if (!activity.ok) return sessionEnded(c, activity.error);
    const recent = activity.value;
    return html(
      c,
      <Counter
        partnerName={recent.partner.organization.name}
        csrf={session.csrf}
        recent={recent.vouchers}
        recentPoints={recent.points}
        now={c.var.clock.now()}
        flash={flashFor(c.req.query(), recent)}
        managesOffers={offerManagerRefusal(recent.partner) === null}
        managesStaff={staffRefusal(recent.partner, STAFF_MANAGERS) === null}
      />,
    );
  });

  app.post(
    '/partner/verify',
    withSession(async (c, session, f) => {
      const token = (f.token ?? '').trim();
      if (!token) return c.redirect('/partner?error=invalid_voucher', 303);
      // A card's QR code or barcode (16 digits) was scanned: the card's page, to take its points.
      const card = scannedCardNumber(token);
      if (card) return c.redirect(`/partner/cards/${card}`, 303);
      const out = await verifyVoucher(c.var.deps, { caller: sessionCaller(c, session), token });
      if (!out.ok) return sessionEnded(c, out.error);
      return html(c, <Verification csrf={session.csrf} token={token} result={out.value} />);
    }),
  );

  app.post(
    '/partner/redeem',
    withSession(async (c, session, f) => {
      const currency = /^[A-Z]{3}$/.test(f.currency ?? '') ? f.currency! : c.var.deps.config.currency;
      const amountMinor = parseMoneyInput(f.amount, currency);
      if (amountMinor === null || amountMinor === 0) return c.redirect(invalidField('amount'), 303);
      return once(c, session, f, async () => {
        const out = await redeemVoucher(c.var.deps, {
          caller: sessionCaller(c, session),
          token: (f.token ?? '').trim(),
          amount: amountMinor === undefined ? undefined : { amount: amountMinor, currency },
        });
        return out.ok ? { location: `/partner?redeemed=${out.value.redemption.id}` } : outcomeOf(out.error);
      });
    }),
  );

  app.post(
    '/partner/reversal',
    withSession((c, session, f) =>
      once(c, session, f, async () => {
        const out = await reverseRedemption(c.var.deps, {
          caller: sessionCaller(c, session),
          redemptionId: f.redemption_id ?? '',
        });
        return out.ok ? { location: `/partner?reversed=${out.value.reversal.id}` } : outcomeOf(out.error);
      }),
    ),
  );

  registerPartnerPoints(app);
  registerPartnerCards(app);
  registerPartnerStatements(app);
  registerPartnerOffers(app);
  registerPartnerLocation(app);
  registerPartnerStaff(app);

  app.post('/partner/signout', async (c) => {
    const session = await counterSession(c);
    if (!session) return c.redirect('/partner', 303);
    const f = await form(c);
    // A sign-out from another site (or a stale form) is refused: it must not end the session either.
    if (!f || !csrfOk(c, session, f.csrf))
      return html(c, <SignIn error="The form expired. Please reload the page and try again." />, 403);
    await endPageSession(c.var.deps, { sessionId: session.id });
    endSession(c, COUNTER);
    return c.redirect('/partner', 303);
  });

  app.get('/partner/scan.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=300');
    return c.body(SCAN_SCRIPT);
  });
  app.get('/partner/jsqr.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(JSQR_SOURCE);
  });
}
