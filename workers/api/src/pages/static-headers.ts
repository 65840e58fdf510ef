// The headers of the platform's pages that run no script and post no form (the patient's link, home,
// problem explanations): no page of this origin loads anything from elsewhere, leaks a referrer, is
// cached or indexed, or can be framed.
export const STATIC_PAGE_HEADERS: Record<string, string> = {
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** A private image (a card holder's photo): never cached by others, sniffed, framed or run. */
export const PRIVATE_IMAGE_HEADERS: Record<string, string> = {
  ...STATIC_PAGE_HEADERS,
  'cache-control': 'private, no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
};
