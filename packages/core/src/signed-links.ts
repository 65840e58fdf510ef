import { timingSafeEqual } from './hash';
import { base64url, type IdPrefix, isId } from './ids';

// Signed personal links, `<id>.<HMAC-SHA-256>`: a link naming one record (a patient's member page or
// card, a message's unsubscribe link) that is checked without the database, so a forged or altered
// token is refused before any read. Each kind of link has its own key, derived from the link secret
// under the kind's label, and signs `<id>|<purpose>`: a token of one kind or purpose never passes as
// another.

const encoder = new TextEncoder();

/** The signer of one kind of link (`label`: e.g. "member-links"), its key imported once per secret. */
export function linkSigner(label: string) {
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyOf = (secret: string) => {
    let key = keys.get(secret);
    if (!key) {
      key = crypto.subtle.importKey(
        'raw',
        encoder.encode(`${label}|${secret}`),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      keys.set(secret, key);
    }
    return key;
  };
  /** The signature of `<id>|<purpose>`, base64url. */
  const sign = async (secret: string, id: string, purpose: string): Promise<string> =>
    base64url(
      new Uint8Array(
        await crypto.subtle.sign('HMAC', await keyOf(secret), encoder.encode(`${id}|${purpose}`)),
      ),
    );
  return {
    sign,
    /** `<id>.<signature>`. */
    token: async (secret: string, id: string, purpose: string) => `${id}.${await sign(secret, id, purpose)}`,
    /** The id a token names, if it is an id of `prefix` and its signature is genuine; else null. */
    idOf: async (
      secret: string,
      token: string,
      prefix: IdPrefix,
      purpose: string,
    ): Promise<string | null> => {
      const dot = token.indexOf('.');
      const id = token.slice(0, dot);
      if (dot <= 0 || !isId(prefix, id)) return null;
      return timingSafeEqual(token.slice(dot + 1), await sign(secret, id, purpose)) ? id : null;
    },
  };
}
