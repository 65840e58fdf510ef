import { sha256Hex } from '@gratia/core';
import { redemptions, voucherReversals, vouchers } from '@gratia/db';
import { reverseStatements } from '@gratia/vouchers';
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { JSQR_SOURCE } from '../../generated/jsqr-source';
import { redeemAtCounter, verifyAtCounter } from '../../lib/counter';
import { type KeyRow, keyLookup, principalFromKey } from '../../middleware/auth';
import { SCAN_SCRIPT } from './scan-script';
import { csrfOk, endSession, type PartnerSession, readSession, startSession } from './session';
import { Counter, REFUSAL_TEXT, type RecentRedemption, SignIn, Verification } from './views';

// /partner: the counter page for partners without IT. Sign in with the partner's API key (exchanged
// for an 8-hour HttpOnly, Secure, SameSite=Strict cookie), check a voucher by camera or by pasting
// its code, redeem with one tap, reverse within 24 hours. Every request re-checks the key, in the
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
const MAX_FORM_BYTES = 16 * 1024;
const RECENT_WINDOW_MS = 7 * 24 * 3600_000;

class SessionEnded extends Error {}

const html = (c: Context<AppEnv>, node: unknown, status: 200 | 400 | 401 | 403 | 404 | 413 = 200) =>
  c.html(`<!doctype html>${node}`, status);

/** The authorisation of a counter-page request: the session's own key, still valid, still a partner. */
const keyOfSession = (session: PartnerSession) => (rows: KeyRow[]) => {
  const row = rows[0];
  if (row?.kind !== 'partner' || row.organizationId !== session.partnerId) throw new SessionEnded();
  return principalFromKey(row);
};

function recentRedemptions(c: Context<AppEnv>, partnerId: string) {
  return c.var.db
    .select({
      id: redemptions.id,
      title: vouchers.title,
      amount: redemptions.amount,
      currency: redemptions.currency,
      redeemedAt: redemptions.redeemedAt,
      reversalId: sql<string | null>`${voucherReversals.id}`.as('reversal_id'),
    })
    .from(redemptions)
    .innerJoin(vouchers, eq(vouchers.id, redemptions.voucherId))
    .leftJoin(voucherReversals, eq(voucherReversals.redemptionId, redemptions.id))
    .where(
      and(
        eq(redemptions.partnerId, partnerId),
        gt(redemptions.redeemedAt, c.var.clock.now() - RECENT_WINDOW_MS),
      ),
    )
    .orderBy(desc(redemptions.redeemedAt))
    .limit(20);
}

async function form(c: Context<AppEnv>): Promise<Record<string, string> | null> {
  if (Number(c.req.header('content-length') ?? '0') > MAX_FORM_BYTES) return null;
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** "12.50" -> 1250 minor units; empty -> undefined (all that is left); anything else -> null. */
function parseAmount(input: string | undefined): number | undefined | null {
  const s = (input ?? '').trim().replace(',', '.');
  if (s === '') return undefined;
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

type FormHandler = (
  c: Context<AppEnv>,
  session: PartnerSession,
  form: Record<string, string>,
) => Promise<Response>;

/**
 * A state-changing counter form: needs a genuine session, a form of sane size, this origin and the
 * session's CSRF token; a key revoked meanwhile ends the session (SessionEnded, thrown inside the
 * handler's own batch) and shows the sign-in page.
 */
const withSession = (handler: FormHandler) => async (c: Context<AppEnv>) => {
  const session = await readSession(c);
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const f = await form(c);
  if (!f) return html(c, <SignIn error="That request was too large." />, 413);
  if (!csrfOk(c, session, f.csrf))
    return html(c, <SignIn error="The form expired. Please try again." />, 403);
  try {
    return await handler(c, session, f);
  } catch (e) {
    if (!(e instanceof SessionEnded)) throw e;
    endSession(c);
    return html(c, <SignIn error="Your session has ended. Please sign in again." />, 401);
  }
};

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
    const [keyRows, recent] = await db.batch([
      keyLookup(db, { id: session.keyId }),
      recentRedemptions(c, session.partnerId),
    ]);
    let principal: ReturnType<ReturnType<typeof keyOfSession>>;
    try {
      principal = keyOfSession(session)(keyRows);
    } catch {
      endSession(c);
      return html(c, <SignIn error="Your session has ended. Please sign in again." />, 401);
    }
    if (principal.role !== 'partner') return html(c, <SignIn />, 401);
    const q = c.req.query();
    const redeemed = q.redeemed ? recent.find((r) => r.id === q.redeemed) : undefined;
    const flash = redeemed
      ? { kind: 'ok' as const, text: `Redeemed: ${redeemed.title}.` }
      : q.reversed
        ? { kind: 'ok' as const, text: 'The redemption was reversed; the voucher can be used again.' }
        : q.error && REFUSAL_TEXT[q.error]
          ? { kind: 'bad' as const, text: REFUSAL_TEXT[q.error]! }
          : undefined;
    return html(
      c,
      <Counter
        partnerName={principal.organization.name}
        csrf={session.csrf}
        recent={recent as RecentRedemption[]}
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
      if (!redemption[0]) return c.redirect('/partner?error=redemption_not_found', 303);
      const r = reversal[0];
      if (!r) return c.redirect('/partner?error=reversal_window_closed', 303);
      if (r.id !== reversalId) return c.redirect('/partner?error=redemption_already_reversed', 303);
      return c.redirect(`/partner?reversed=${r.id}`, 303);
    }),
  );

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
