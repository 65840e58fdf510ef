import { env } from 'cloudflare:workers';
import { base64url, newId, randomToken, sha256Hex } from '@gratia/core';
import type { StaffRole } from '@gratia/db';
import type { Client } from './api';
import { ORIGIN } from './counter';

// A signed-in staff member for page tests: the rows a passkey sign-in writes (console key, staff
// member, session), and the cookie the server would set, signed the same way. The passkey ceremonies
// themselves are tested in test/api/staff-signin.test.ts; pages only need someone signed in.

export interface StaffSession {
  staffId: string;
  keyId: string;
  sessionId: string;
  cookie: string;
  csrf: string;
  get(path: string): ReturnType<Client['get']>;
  /** Posts a form as the page would: with the CSRF token and a fresh submission key unless given. */
  post(path: string, fields?: Record<string, string>, opts?: { origin?: string }): ReturnType<Client['post']>;
}

async function sign(cookieName: string, payload: string): Promise<string> {
  const secret = env.SESSION_SECRET || `partner-session:${await sha256Hex(env.OPERATOR_TOKEN ?? '')}`;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${cookieName}|${payload}`));
  return base64url(new Uint8Array(mac));
}

export async function staffSession(
  api: Client,
  opts: { organizationId: string; kind: 'clinic' | 'partner'; role: StaffRole; name?: string },
): Promise<StaffSession> {
  const now = api.clock.now();
  const staffId = newId('stf', now);
  const keyId = newId('key', now);
  const sessionId = randomToken(24);
  const expiresAt = now + 12 * 3600_000;
  const name = opts.name ?? `${opts.role} ${staffId.slice(-6)}`;
  await env.DB.batch([
    env.DB.prepare(
      `insert into api_keys (id, organization_id, name, prefix, secret_hash, created_at, kind)
       values (?, ?, ?, 'staff', ?, ?, 'staff')`,
    ).bind(keyId, opts.organizationId, `Console: ${name}`, await sha256Hex(randomToken(32)), now),
    env.DB.prepare(
      `insert into staff_members (id, organization_id, name, role, key_id, created_at) values (?, ?, ?, ?, ?, ?)`,
    ).bind(staffId, opts.organizationId, name, opts.role, keyId, now),
    env.DB.prepare(
      `insert into page_sessions (id, key_id, organization_id, created_at, expires_at, staff_id, last_seen_at)
       values (?, ?, ?, ?, ?, ?, ?)`,
    ).bind(sessionId, keyId, opts.organizationId, now, expiresAt, staffId, now),
  ]);
  const realm = opts.kind === 'clinic' ? 'gratia_console' : 'gratia_partner';
  const csrf = randomToken(24);
  const payload = [sessionId, opts.organizationId, csrf, String(expiresAt)].join('.');
  const cookie = `${realm}=${payload}.${await sign(realm, payload)}`;
  return {
    staffId,
    keyId,
    sessionId,
    cookie,
    csrf,
    get: (path) => api.get(path, { headers: { cookie } }),
    post: (path, fields = {}, o = {}) =>
      api.post(path, {
        rawBody: new URLSearchParams({ csrf, submission: randomToken(18), ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: o.origin ?? ORIGIN },
      }),
  };
}
