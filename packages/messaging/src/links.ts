import { base64url, isId, timingSafeEqual } from '@gratia/core';
import type { Deps } from '@gratia/db';

// The one-click unsubscribe link of an e-mail, `/u/<message id>.<HMAC-SHA-256>` with
// deps.config.linkSecret (like the member page's link): it names the message, and so the patient and
// clinic, and a forged or altered token is refused before any read.

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const keyOf = (secret: string) => {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(`unsubscribe-links|${secret}`),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    keys.set(secret, key);
  }
  return key;
};

async function signature(secret: string, messageId: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    'HMAC',
    await keyOf(secret),
    encoder.encode(`${messageId}|unsubscribe`),
  );
  return base64url(new Uint8Array(mac));
}

export async function unsubscribeToken(deps: Pick<Deps, 'config'>, messageId: string): Promise<string> {
  return `${messageId}.${await signature(deps.config.linkSecret, messageId)}`;
}

export async function unsubscribeUrl(deps: Pick<Deps, 'config'>, messageId: string): Promise<string> {
  return `${deps.config.baseUrl}/u/${await unsubscribeToken(deps, messageId)}`;
}

/** The message an unsubscribe token names, if it is genuine (checked without the database). */
export async function unsubscribeMessageId(
  deps: Pick<Deps, 'config'>,
  token: string,
): Promise<string | null> {
  const dot = token.indexOf('.');
  const id = token.slice(0, dot);
  if (dot <= 0 || !isId('msg', id)) return null;
  return timingSafeEqual(token.slice(dot + 1), await signature(deps.config.linkSecret, id)) ? id : null;
}
