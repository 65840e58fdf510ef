import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { signIn } from '../helpers/counter';
import { createVoucherScene } from '../helpers/factories';
import { routeInventory } from '../helpers/inventory';

// Every page (every route registered outside the API, read from the router: a new page is covered
// without anyone listing it) answers with the security headers: a CSP that forbids framing, a
// Referrer-Policy, a cache policy and nosniff, signed in or not, found or not.

const app = createClient().app;
const apiPaths = new Set(
  routeInventory(app).map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`),
);
const pages = [
  ...new Set(
    app.routes
      .filter((r) => r.method === 'GET' || r.method === 'POST')
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !apiPaths.has(k)),
  ),
];

/** Machine-readable documents served beside the pages: JSON and scripts carry nosniff and a cache policy. */
const DOCUMENTS = /^GET \/(openapi\.json|\.well-known\/jwks\.json|health|partner\/(scan|jsqr)\.js)$/;

function expectPageHeaders(label: string, h: Headers) {
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, `${label}: CSP`).toContain("default-src 'none'");
  expect(csp, `${label}: frame-ancestors`).toContain("frame-ancestors 'none'");
  expect(h.get('referrer-policy'), `${label}: Referrer-Policy`).toBeTruthy();
  expect(h.get('cache-control'), `${label}: Cache-Control`).toBeTruthy();
  expect(h.get('x-content-type-options'), `${label}: nosniff`).toBe('nosniff');
}

describe('security headers on every page', () => {
  it('reads the pages from the router', () => {
    expect(pages.length).toBeGreaterThan(12);
    expect(pages).toContain('GET /partner');
    expect(pages).toContain('GET /r/:token');
  });

  it('every page, signed in or not, found or not, carries CSP, frame-ancestors, Referrer-Policy and cache headers', async () => {
    const api = createClient();
    const { net, voucher } = await createVoucherScene(api);
    const { cookie } = await signIn(api, net.partner.key);
    const fill = (path: string) =>
      path
        .replace(':token', voucher.token)
        .replace(':code', 'voucher_expired')
        // A parameter with its own pattern (the calendar feed's `:file{...\.ics}`): a name it matches.
        .replace(/:file\{.*\}$/, 'x.ics')
        .replace(/:(\w+)/g, 'x');
    let checked = 0;
    for (const key of pages) {
      const [method, path] = key.split(' ') as [string, string];
      if (DOCUMENTS.test(key)) {
        const res = await api.request(method, path);
        expect(res.headers.get('x-content-type-options'), key).toBe('nosniff');
        expect(res.headers.get('cache-control'), key).toBeTruthy();
        checked++;
        continue;
      }
      for (const [who, headers] of [
        ['anyone', {}],
        ['signed in', { cookie }],
      ] as const) {
        const form = { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://gratia.test' };
        const res = await api.request(method, fill(path), {
          headers: { ...headers, ...(method === 'POST' ? form : {}) },
          ...(method === 'POST' ? { rawBody: 'csrf=wrong' } : {}),
        });
        expect(res.status, `${key} as ${who}`).toBeLessThan(500);
        expectPageHeaders(`${key} as ${who} (${res.status})`, res.headers);
        checked++;
      }
      // Not found: a page that does not exist under it still carries them.
      if (path.includes(':')) {
        const res = await api.request(
          method,
          path.replace(/:file\{.*\}$/, 'no-such-thing.ics').replace(/:(\w+)/g, 'no-such-thing'),
        );
        expectPageHeaders(`${key} not found (${res.status})`, res.headers);
      }
    }
    expect(checked).toBeGreaterThan(pages.length);
    // One request after another for every page of the router: the time grows with the pages.
  }, 60_000);
});
