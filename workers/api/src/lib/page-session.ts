import { base64url, sha256Hex, timingSafeEqual } from '@gratia/core';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env';

// A page's session cookie (the console's, the counter page's): HMAC-signed, naming a server-side
// session row (page_sessions), the organisation, the session's CSRF token and its expiry. The
// signature keeps forged cookies away from the database; the row (live, not idle, its key unrevoked
// and unlocked) is checked by every request in the same batch as its work, so signing out, idling,
// expiry and removing the staff member all end the session on the server.

export interface PageRealm {
  cookie: string;
  path: string;
}
export const CONSOLE: PageRealm = { cookie: 'gratia_console', path: '/console' };
export const COUNTER: PageRealm = { cookie: 'gratia_partner', path: '/partner' };

export interface PageSession {
  /** The page_sessions row. */
  id: string;
  organizationId: string;
  csrf: string;
  expiresAt: number;
}

async function hmacKey(c: Context<AppEnv>): Promise<CryptoKey> {
  // A dedicated SESSION_SECRET if set; otherwise derived from the operator token (rotating it signs
  // everyone out, which is what a rotation of the operator's secret should do anyway).
  const secret = c.env.SESSION_SECRET || `partner-session:${await sha256Hex(c.env.OPERATOR_TOKEN ?? '')}`;
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

async function sign(c: Context<AppEnv>, realm: PageRealm, payload: string): Promise<string> {
  const data = new TextEncoder().encode(`${realm.cookie}|${payload}`);
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(c), data)));
}

/** Sets the cookie of a session just signed in (the row is written by the sign-in use case). */
export async function startSession(
  c: Context<AppEnv>,
  realm: PageRealm,
  signedIn: { id: string; organizationId: string; expiresAt: number },
): Promise<PageSession> {
  const csrf = base64url(crypto.getRandomValues(new Uint8Array(24)));
  const session = { ...signedIn, csrf };
  const payload = [session.id, session.organizationId, csrf, String(session.expiresAt)].join('.');
  setCookie(c, realm.cookie, `${payload}.${await sign(c, realm, payload)}`, {
    path: realm.path,
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: Math.max(0, Math.floor((session.expiresAt - c.var.clock.now()) / 1000)),
  });
  return session;
}

/** The session if the cookie is genuine and unexpired (its row and key are checked by each use case). */
export async function readSession(c: Context<AppEnv>, realm: PageRealm): Promise<PageSession | null> {
  const raw = getCookie(c, realm.cookie);
  const parts = raw?.split('.') ?? [];
  if (parts.length !== 5) return null;
  const [id, organizationId, csrf, exp, mac] = parts as [string, string, string, string, string];
  const expected = await sign(c, realm, [id, organizationId, csrf, exp].join('.'));
  if (!timingSafeEqual(mac, expected)) return null;
  const expiresAt = Number(exp);
  if (!Number.isFinite(expiresAt) || expiresAt <= c.var.clock.now()) return null;
  return { id, organizationId, csrf, expiresAt };
}

export function endSession(c: Context<AppEnv>, realm: PageRealm): void {
  deleteCookie(c, realm.cookie, { path: realm.path, secure: true, httpOnly: true, sameSite: 'Strict' });
}

/** A request that changes something must come from this origin (when the browser says). */
export function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header('origin');
  return !origin || origin === new URL(c.req.url).origin;
}

/** A state-changing form must come from this origin and carry the session's CSRF token. */
export function csrfOk(c: Context<AppEnv>, session: PageSession, formToken: unknown): boolean {
  return sameOrigin(c) && typeof formToken === 'string' && timingSafeEqual(formToken, session.csrf);
}
