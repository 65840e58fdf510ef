import { env } from 'cloudflare:workers';
import { base64url, newId, randomToken, sha256Hex } from '@gratia/core';
import type { StaffRole } from '@gratia/db';
import type { Client } from './api';
import { type AuthenticateOptions, SoftAuthenticator } from './passkey';

/** The origin the test client's requests come from (the worker's PUBLIC_BASE_URL in the tests). */
export const ORIGIN = 'https://gratia.test';

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

// ---------------------------------------------------------------------------------------------------
// The real thing: an invitation accepted and a sign-in made with a passkey, through the pages' JSON
// exchanges, as the browser's passkey script makes them.

const JSON_HEADERS = { 'content-type': 'application/json', origin: ORIGIN };

/** The session cookie a response set (name=value), or ''. */
export const setCookieOf = (res: { headers: Headers }) =>
  (res.headers.get('set-cookie') ?? '').split(';')[0]!;
/** The CSRF token inside a session cookie. */
export const csrfOf = (cookie: string) => cookie.split('=')[1]?.split('.')[2] ?? '';

export async function invite(
  api: Client,
  organizationId: string,
  body: { role?: StaffRole; name?: string; email?: string } = {},
): Promise<{ url: string; token: string; id: string }> {
  const res = await api.post(`/v1/organizations/${organizationId}/invitations`, {
    token: env.OPERATOR_TOKEN,
    body: { role: 'owner', name: 'Olga Owner', ...body },
  });
  if (res.status !== 201) throw new Error(`invitation: ${res.status} ${res.text}`);
  return { url: res.body.url, token: res.body.url.split('/join/')[1], id: res.body.id };
}

/** Accepts an invitation with a new passkey: the answer of POST /join/{token}, and the cookie it set. */
export async function join(api: Client, token: string, authenticator: SoftAuthenticator, overrides = {}) {
  const start = await api.post(`/join/${token}/options`, { rawBody: '{}', headers: JSON_HEADERS });
  if (start.status !== 200) return { res: start, cookie: '' };
  const response = await authenticator.register(start.body.options, overrides);
  const res = await api.post(`/join/${token}`, {
    rawBody: JSON.stringify({ challenge_id: start.body.challenge_id, response }),
    headers: JSON_HEADERS,
  });
  return { res, cookie: setCookieOf(res) };
}

/** Signs in with a passkey at the console ('clinic') or the counter page ('partner'). */
export async function passkeySignIn(
  api: Client,
  authenticator: SoftAuthenticator,
  kind: 'clinic' | 'partner',
  opts: AuthenticateOptions & { from?: string } = {},
) {
  const home = kind === 'clinic' ? '/console' : '/partner';
  const headers = { ...JSON_HEADERS, ...(opts.from ? { 'cf-connecting-ip': opts.from } : {}) };
  const start = await api.post(`${home}/signin/options`, { rawBody: '{}', headers });
  const response = await authenticator.authenticate(start.body.options, opts);
  const res = await api.post(`${home}/signin`, {
    rawBody: JSON.stringify({ challenge_id: start.body.challenge_id, response }),
    headers,
  });
  return { res, cookie: setCookieOf(res) };
}

export const newAuthenticator = () =>
  new SoftAuthenticator({ origin: ORIGIN, rpId: new URL(ORIGIN).hostname });

/** An organisation's owner, invited by the operator and joined with a passkey: signed in. */
export async function ownerSignedIn(api: Client, organizationId: string, name = 'Olga Owner') {
  const authenticator = newAuthenticator();
  const { token } = await invite(api, organizationId, { name });
  const { res, cookie } = await join(api, token, authenticator);
  if (res.status !== 200) throw new Error(`join: ${res.status} ${res.text}`);
  return { authenticator, cookie, csrf: csrfOf(cookie), location: res.body.location as string };
}
