import { base64url, randomToken, sha256Hex, timingSafeEqual } from '@gratia/core';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../env';

// The counter page's session: an HMAC-signed cookie naming a server-side session row (page_sessions),
// the partner, an expiry and the session's CSRF token. The signature keeps forged cookies away from the
// database; the row (live, unexpired, its key unrevoked and unlocked) is checked by every request in
// the same batch as the page's data, so signing out, expiry and revoking the key all end the session
// on the server.

export const SESSION_COOKIE = 'gratia_partner';
export interface PartnerSession {
  /** The page_sessions row. */
  id: string;
  partnerId: string;
  csrf: string;
  expiresAt: number;
}

async function hmacKey(c: Context<AppEnv>): Promise<CryptoKey> {
  // A dedicated SESSION_SECRET if set; otherwise derived from the operator token (rotating it signs
  // every partner out, which is what a rotation of the operator's secret should do anyway).
  const secret = c.env.SESSION_SECRET || `partner-session:${await sha256Hex(c.env.OPERATOR_TOKEN ?? '')}`;
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

async function sign(c: Context<AppEnv>, payload: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(c), new TextEncoder().encode(payload));
  return base64url(new Uint8Array(mac));
}

/** Sets the cookie of a session just signed in (the row is written by signInWithKey). */
export async function startSession(
  c: Context<AppEnv>,
  signedIn: { id: string; partnerId: string; expiresAt: number },
): Promise<PartnerSession> {
  const session = { ...signedIn, csrf: randomToken(24) };
  const payload = [session.id, session.partnerId, session.csrf, String(session.expiresAt)].join('.');
  setCookie(c, SESSION_COOKIE, `${payload}.${await sign(c, payload)}`, {
    path: '/partner',
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: Math.max(0, Math.floor((session.expiresAt - c.var.clock.now()) / 1000)),
  });
  return session;
}

/** The session if the cookie is genuine and unexpired (its row and key are checked by each use case). */
export async function readSession(c: Context<AppEnv>): Promise<PartnerSession | null> {
  const raw = getCookie(c, SESSION_COOKIE);
  const parts = raw?.split('.') ?? [];
  if (parts.length !== 5) return null;
  const [id, partnerId, csrf, exp, mac] = parts as [string, string, string, string, string];
  const expected = await sign(c, [id, partnerId, csrf, exp].join('.'));
  if (!timingSafeEqual(mac, expected)) return null;
  const expiresAt = Number(exp);
  if (!Number.isFinite(expiresAt) || expiresAt <= c.var.clock.now()) return null;
  return { id, partnerId, csrf, expiresAt };
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/partner', secure: true, httpOnly: true, sameSite: 'Strict' });
}

/** A state-changing form must come from this origin and carry the session's CSRF token. */
export function csrfOk(c: Context<AppEnv>, session: PartnerSession, formToken: unknown): boolean {
  const origin = c.req.header('origin');
  if (origin && origin !== new URL(c.req.url).origin) return false;
  return typeof formToken === 'string' && timingSafeEqual(formToken, session.csrf);
}
