import { randomToken } from '@gratia/core';
import type { Client } from './api';
import { invite, join, newAuthenticator, ORIGIN } from './staff';

// The counter page (/partner) driven through its forms, as a browser without JavaScript would.

export { ORIGIN } from './staff';

/**
 * Signs in at the counter as a staff member of the partner whose API key is given: the operator
 * invites an owner, who joins with a passkey (the session the page's sign-in makes).
 */
export async function signIn(api: Client, key: string) {
  const me = await api.get('/v1/me', { token: key });
  if (me.status !== 200) throw new Error(`signIn: /v1/me answered ${me.status}`);
  const { token } = await invite(api, me.body.organization.id, { name: 'Counter Staff' });
  const authenticator = newAuthenticator();
  const { res, cookie } = await join(api, token, authenticator);
  return { res, cookie, authenticator };
}

export async function counter(api: Client, cookie: string) {
  const res = await api.get('/partner', { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '';
  return { res, csrf };
}

/** A form as a freshly rendered page sends it: with its own one-time submission key, unless given. */
export const submit = (
  api: Client,
  path: string,
  cookie: string,
  fields: Record<string, string>,
  origin = ORIGIN,
) =>
  api.post(path, {
    rawBody: new URLSearchParams({ submission: randomToken(18), ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin },
  });

/** The submission key of the form posting to `action` on a rendered page. */
export function submissionKey(html: string, action: string): string {
  const form = html.slice(html.indexOf(`action="${action}"`));
  return /name="submission" value="([^"]+)"/.exec(form)![1]!;
}
