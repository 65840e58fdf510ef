import { base64url, isId, timingSafeEqual } from '@gratia/core';
import type { Deps } from '@gratia/db';

// The patient's card page link (issue 13): `${baseUrl}/c/<patient id>.<HMAC-SHA-256>`, signed with
// deps.config.linkSecret under its own purpose ('card'), so a member link (/m/) or any other signed
// link is never a card link and a forged or altered token is refused before any read. It does not
// expire: it shows what the card itself shows (name, number, balance, gifts), and sending it again
// changes nothing. The producers of a "card_link" message put `cardUrl` in the message's `url`.

const encoder = new TextEncoder();
const cardKeys = new Map<string, Promise<CryptoKey>>();
const cardKey = (secret: string) => {
  let key = cardKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(`card-links|${secret}`),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    cardKeys.set(secret, key);
  }
  return key;
};

async function cardSignature(secret: string, patientId: string, purpose: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    'HMAC',
    await cardKey(secret),
    encoder.encode(`${patientId}|${purpose}`),
  );
  return base64url(new Uint8Array(mac));
}

/** The token of a patient's card page (the part of the link after `/c/`). */
export async function cardToken(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return `${patientId}.${await cardSignature(deps.config.linkSecret, patientId, 'card')}`;
}

/** The patient's card page. */
export async function cardUrl(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return `${deps.config.baseUrl}/c/${await cardToken(deps, patientId)}`;
}

/** The patient a card token is for, if it is genuine (checked without the database). */
export async function cardPatientId(deps: Pick<Deps, 'config'>, token: string): Promise<string | null> {
  const dot = token.indexOf('.');
  const id = token.slice(0, dot);
  if (dot <= 0 || !isId('pat', id)) return null;
  const expected = await cardSignature(deps.config.linkSecret, id, 'card');
  return timingSafeEqual(token.slice(dot + 1), expected) ? id : null;
}

/**
 * The CSRF token of the card page's photo form: derived from the link (its own purpose), so only a
 * page rendered for this link posts a valid one; checked with the Origin like the survey's form.
 */
export async function cardFormToken(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return cardSignature(deps.config.linkSecret, patientId, 'card-photo-form');
}

export async function cardFormTokenValid(
  deps: Pick<Deps, 'config'>,
  patientId: string,
  token: string,
): Promise<boolean> {
  return timingSafeEqual(token, await cardFormToken(deps, patientId));
}
