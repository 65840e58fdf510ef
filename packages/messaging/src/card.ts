import { linkSigner, timingSafeEqual } from '@gratia/core';
import type { Deps } from '@gratia/db';

// The patient's card page link (issue 13): `${baseUrl}/c/<patient id>.<HMAC-SHA-256>`, signed with
// deps.config.linkSecret under its own purpose ('card'), so a member link (/m/) or any other signed
// link is never a card link and a forged or altered token is refused before any read. It does not
// expire: it shows what the card itself shows (name, number, balance, gifts), and sending it again
// changes nothing. The producers of a "card_link" message put `cardUrl` in the message's `url`.

const signer = linkSigner('card-links');

/** The token of a patient's card page (the part of the link after `/c/`). */
export async function cardToken(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return signer.token(deps.config.linkSecret, patientId, 'card');
}

/** The patient's card page. */
export async function cardUrl(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return `${deps.config.baseUrl}/c/${await cardToken(deps, patientId)}`;
}

/** The patient a card token is for, if it is genuine (checked without the database). */
export async function cardPatientId(deps: Pick<Deps, 'config'>, token: string): Promise<string | null> {
  return signer.idOf(deps.config.linkSecret, token, 'pat', 'card');
}

/**
 * The CSRF token of the card page's photo form: derived from the link (its own purpose), so only a
 * page rendered for this link posts a valid one; checked with the Origin like the survey's form.
 */
export async function cardFormToken(deps: Pick<Deps, 'config'>, patientId: string): Promise<string> {
  return signer.sign(deps.config.linkSecret, patientId, 'card-photo-form');
}

export async function cardFormTokenValid(
  deps: Pick<Deps, 'config'>,
  patientId: string,
  token: string,
): Promise<boolean> {
  return timingSafeEqual(token, await cardFormToken(deps, patientId));
}
