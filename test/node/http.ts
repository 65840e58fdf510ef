import { inject } from 'vitest';

export const baseUrl = () => inject('baseUrl');
export const operatorToken = () => inject('operatorToken');

export async function http(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${baseUrl()}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: json, text };
}

/** An organisation (EUR, Europe/Berlin unless `fields` say otherwise) and an API key for it. */
export async function createOrg(
  fields: Record<string, unknown> & { kind: 'clinic' | 'partner'; name: string },
) {
  const o = await http('POST', '/v1/organizations', operatorToken(), {
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    ...fields,
  });
  if (o.status !== 201) throw new Error(`creating ${fields.name}: ${o.status} ${o.text}`);
  const k = await http('POST', `/v1/organizations/${o.body.id}/api_keys`, operatorToken(), {});
  if (k.status !== 201) throw new Error(`key for ${fields.name}: ${k.status} ${k.text}`);
  return { id: o.body.id as string, key: k.body.secret as string };
}

/** A one-time invitation link for an organisation's owner (the operator's call). */
export async function invitationLink(organizationId: string, name = 'Owner'): Promise<string> {
  const res = await http('POST', `/v1/organizations/${organizationId}/invitations`, operatorToken(), {
    role: 'owner',
    name,
  });
  if (res.status !== 201) throw new Error(`invitation: ${res.status} ${res.text}`);
  return res.body.url;
}
