import { base64url, randomToken, sha256Hex, timingSafeEqual } from '@gratia/core';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../env';

// The counter page's session: a stateless cookie, HMAC-signed, carrying the API key id, the
// partner, an expiry and the CSRF token of the session. Stateless so that signing in costs no write;
// the key row is still checked on every request (in the same query as the page's data), so revoking
// the key ends every session at once.

export const SESSION_COOKIE = 'gratia_partner';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface PartnerSession {
  keyId: string;
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

export async function startSession(
  c: Context<AppEnv>,
  keyId: string,
  partnerId: string,
): Promise<PartnerSession> {
  const session = { keyId, partnerId, csrf: randomToken(24), expiresAt: c.var.clock.now() + SESSION_TTL_MS };
  const payload = [session.keyId, session.partnerId, session.csrf, String(session.expiresAt)].join('.');
  setCookie(c, SESSION_COOKIE, `${payload}.${await sign(c, payload)}`, {
    path: '/partner',
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    maxAge: SESSION_TTL_MS / 1000,
  });
  return session;
}

/** The session if the cookie is genuine and unexpired (the key itself is checked by the caller). */
export async function readSession(c: Context<AppEnv>): Promise<PartnerSession | null> {
  const raw = getCookie(c, SESSION_COOKIE);
  const parts = raw?.split('.') ?? [];
  if (parts.length !== 5) return null;
  const [keyId, partnerId, csrf, exp, mac] = parts as [string, string, string, string, string];
  const expected = await sign(c, [keyId, partnerId, csrf, exp].join('.'));
  if (!timingSafeEqual(mac, expected)) return null;
  const expiresAt = Number(exp);
  if (!Number.isFinite(expiresAt) || expiresAt <= c.var.clock.now()) return null;
  return { keyId, partnerId, csrf, expiresAt };
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
