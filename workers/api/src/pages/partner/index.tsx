import { sha256Hex } from '@gratia/core';
import { reverseStatements } from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { JSQR_SOURCE } from '../../generated/jsqr-source';
import { redeemAtCounter, verifyAtCounter } from '../../lib/counter';
import { reversalRefusal } from '../../lib/reversal';
import { keyLookup } from '../../middleware/auth';
import { formatMoney } from '../layout';
import {
  form,
  html,
  keyOfSession,
  parseAmount,
  recentPointRedemptions,
  recentRedemptions,
  withSession,
} from './common';
import { registerPartnerPoints } from './points';
import type { RecentPointRedemption } from './points-views';
import { SCAN_SCRIPT } from './scan-script';
import { csrfOk, endSession, readSession, startSession } from './session';
import { Counter, REFUSAL_TEXT, type RecentRedemption, SignIn, Verification } from './views';

// /partner: the counter page for partners without IT. Sign in with the partner's API key (exchanged
// for an 8-hour HttpOnly, Secure, SameSite=Strict cookie), check a voucher by camera or by pasting
// its code, redeem with one tap, reverse within 24 hours; take card points by card number. Every request re-checks the key, in the
// same D1 round trip as its work, so revoking the key ends the session at once.

const PAGE_HEADERS = {
  // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the page's own
  // form posts, which would defeat the Origin check. Nothing leaks to other sites either way.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};
type Flash = { kind: 'ok' | 'bad'; text: string };

/** The one-line outcome a form's redirect asks the counter page to show. */
function flashFor(
  q: Record<string, string>,
  recent: { id: string; title: string }[],
  recentPoints: RecentPointRedemption[],
): Flash | undefined {
  const redeemed = q.redeemed ? recent.find((r) => r.id === q.redeemed) : undefined;
  if (redeemed) return { kind: 'ok', text: `Redeemed: ${redeemed.title}.` };
  const took = q.points_redeemed ? recentPoints.find((r) => r.id === q.points_redeemed) : undefined;
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
  // Own keys only: ?error=constructor must not find Object.prototype's.
  const refusal = q.error && Object.hasOwn(REFUSAL_TEXT, q.error) ? REFUSAL_TEXT[q.error] : undefined;
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
    const session = await readSession(c);
    if (!session) return html(c, <SignIn />);
    const { db } = c.var;
    const [keyRows, recent, recentPoints] = await db.batch([
      keyLookup(db, { id: session.keyId }),
      recentRedemptions(c, session.partnerId),
      recentPointRedemptions(c, session.partnerId),
    ]);
    let principal: ReturnType<ReturnType<typeof keyOfSession>>;
    try {
      principal = keyOfSession(session)(keyRows);
    } catch {
      endSession(c);
      return html(c, <SignIn error="Your session has ended. Please sign in again." />, 401);
    }
    if (principal.role !== 'partner') return html(c, <SignIn />, 401);
    const flash = flashFor(c.req.query(), recent, recentPoints);
    return html(
      c,
      <Counter
        partnerName={principal.organization.name}
        csrf={session.csrf}
        recent={recent as RecentRedemption[]}
        recentPoints={recentPoints}
        now={c.var.clock.now()}
        flash={flash}
      />,
    );
  });

  app.post('/partner/session', async (c) => {
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin)
      return html(c, <SignIn error="Sign in from this page." />, 403);
    const f = await form(c);
    if (!f) return html(c, <SignIn error="That request was too large." />, 413);
    const secret = (f.api_key ?? '').trim();
    const [row] =
      secret.length >= 16 && secret.length <= 300 ? await keyLookup(c.var.db, await sha256Hex(secret)) : [];
    if (!row) return html(c, <SignIn error="That key is not valid. Check it and try again." />, 401);
    if (row.kind !== 'partner')
      return html(c, <SignIn error="Only partner keys can sign in at the counter." />, 403);
    await startSession(c, row.keyId, row.organizationId);
    return c.redirect('/partner', 303);
  });

  app.post(
    '/partner/verify',
    withSession(async (c, session, f) => {
      const token = (f.token ?? '').trim();
      if (!token) return c.redirect('/partner?error=invalid_voucher', 303);
      const result = await verifyAtCounter(c, token, { id: session.keyId }, keyOfSession(session));
      return html(c, <Verification csrf={session.csrf} token={token} result={result} />);
    }),
  );

  app.post(
    '/partner/redeem',
    withSession(async (c, session, f) => {
      const amountMinor = parseAmount(f.amount);
      if (amountMinor === null || amountMinor === 0) return c.redirect('/partner?error=amount_invalid', 303);
      const amount =
        amountMinor === undefined
          ? undefined
          : { amount: amountMinor, currency: (f.currency ?? '').toUpperCase() };
      const out = await redeemAtCounter(
        c,
        (f.token ?? '').trim(),
        amount,
        { id: session.keyId },
        keyOfSession(session),
      );
      return out.ok
        ? c.redirect(`/partner?redeemed=${out.redemption.id}`, 303)
        : c.redirect(`/partner?error=${out.code}`, 303);
    }),
  );

  app.post(
    '/partner/reversal',
    withSession(async (c, session, f) => {
      const { db, clock } = c.var;
      const { reversalId, statements } = reverseStatements(db, {
        redemptionId: f.redemption_id ?? '',
        partnerId: session.partnerId,
        now: clock.now(),
      });
      const [keyRows, , , redemption, reversal] = await db.batch([
        keyLookup(db, { id: session.keyId }),
        ...statements,
      ]);
      keyOfSession(session)(keyRows);
      const refusal = reversalRefusal(Boolean(redemption[0]), reversal[0], reversalId);
      return c.redirect(refusal ? `/partner?error=${refusal}` : `/partner?reversed=${reversalId}`, 303);
    }),
  );

  registerPartnerPoints(app);

  app.post('/partner/signout', async (c) => {
    const session = await readSession(c);
    const f = await form(c);
    if (session && f && csrfOk(c, session, f.csrf)) endSession(c);
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
