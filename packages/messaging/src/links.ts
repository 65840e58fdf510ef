import { linkSigner } from '@gratia/core';
import type { Deps } from '@gratia/db';

// The one-click unsubscribe link of an e-mail, `/u/<message id>.<HMAC-SHA-256>` with
// deps.config.linkSecret (like the member page's link): it names the message, and so the patient and
// clinic, and a forged or altered token is refused before any read.

const signer = linkSigner('unsubscribe-links');

export async function unsubscribeToken(deps: Pick<Deps, 'config'>, messageId: string): Promise<string> {
  return signer.token(deps.config.linkSecret, messageId, 'unsubscribe');
}

export async function unsubscribeUrl(deps: Pick<Deps, 'config'>, messageId: string): Promise<string> {
  return `${deps.config.baseUrl}/u/${await unsubscribeToken(deps, messageId)}`;
}

/** The message an unsubscribe token names, if it is genuine (checked without the database). */
export async function unsubscribeMessageId(
  deps: Pick<Deps, 'config'>,
  token: string,
): Promise<string | null> {
  return signer.idOf(deps.config.linkSecret, token, 'msg', 'unsubscribe');
}
