import { randomToken } from '@gratia/core';
import type { Client } from './api';

// The counter page (/partner) driven through its forms, as a browser without JavaScript would.

export const ORIGIN = 'https://gratia.test';

export async function signIn(api: Client, key: string) {
  const res = await api.post('/partner/session', {
    rawBody: new URLSearchParams({ api_key: key }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
  });
  return { res, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
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
