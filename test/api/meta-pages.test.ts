import { env } from 'cloudflare:workers';
import { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { problemBody } from '../../workers/api/src/lib/problem';
import { createClient } from '../helpers/api';

// The platform's own pages for people who open its base URL or follow a problem's `type`: the home page
// and the problem-code pages. They send the patient link page's security headers.

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
const SECURITY_HEADERS = [
  'content-security-policy',
  'referrer-policy',
  'x-content-type-options',
  'x-robots-tag',
  'cache-control',
];
const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

async function expectSameHeadersAsLinkPage(api: ReturnType<typeof createClient>, headers: Headers) {
  const link = await api.get('/r/not-a-token');
  for (const h of SECURITY_HEADERS) {
    expect(link.headers.get(h), h).toBeTruthy();
    expect(headers.get(h), h).toBe(link.headers.get(h));
  }
}

describe('GET / (the landing page)', () => {
  it('names the network, says what this is and links to the reference, the document, the counter, the JWKS and the problem codes', async () => {
    const api = createClient();
    const res = await api.get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text.startsWith('<!doctype html>')).toBe(true);
    expect(res.text).toContain(`<h1>${escapeHtml(env.NETWORK_NAME ?? 'Gratia')}</h1>`);
    for (const href of ['/docs', '/openapi.json', '/partner', '/.well-known/jwks.json', '/problems']) {
      expect(res.text).toContain(`href="${href}"`);
      expect((await api.get(href)).status, href).toBe(200);
    }
    await expectSameHeadersAsLinkPage(api, res.headers);
  });
});

describe('GET /problems and /problems/{code}', () => {
  it('lists every code with its status and title, linking to its page', async () => {
    const api = createClient();
    const res = await api.get('/problems');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    for (const code of CODES) {
      expect(res.text).toContain(`href="/problems/${code}"`);
      expect(res.text).toContain(escapeHtml(ERROR_TITLES[code]));
    }
    await expectSameHeadersAsLinkPage(api, res.headers);
  });

  it('explains each code: its HTTP status, its title and what a problem with it looks like', async () => {
    const api = createClient();
    for (const code of CODES) {
      const res = await api.get(`/problems/${code}`);
      expect(res.status, code).toBe(200);
      expect(res.text).toContain(`<h1>${escapeHtml(ERROR_TITLES[code])}</h1>`);
      expect(res.text).toContain(`<dd class="code">${code}</dd>`);
      expect(res.text).toContain(`<dd>${ERROR_STATUS[code]} `);
      expect(res.text).toContain(escapeHtml(`"type": "https://gratia.test/problems/${code}"`));
      await expectSameHeadersAsLinkPage(api, res.headers);
    }
  });

  it('answers an unknown code (including inherited property names) with a 404 page', async () => {
    const api = createClient();
    for (const code of ['no_such_code', 'constructor', '__proto__', 'toString', 'NOT_FOUND']) {
      const res = await api.get(`/problems/${code}`);
      expect(res.status, code).toBe(404);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('Unknown problem code');
      expect(res.text).toContain('href="/problems"');
    }
  });
});

describe('the `type` of a problem', () => {
  it('is the page of its code on this platform, and that page answers 200', async () => {
    const api = createClient();
    const errors = [
      await api.get('/v1/patients'),
      await api.get('/v1/patients', { token: 'gra_not_a_key' }),
      await api.get('/v1/no-such-route'),
      await api.post('/v1/patients', { token: env.OPERATOR_TOKEN, rawBody: '{"a":' }),
    ];
    for (const res of errors) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      // PUBLIC_BASE_URL is https://gratia.test in the tests.
      expect(res.body.type).toBe(`https://gratia.test/problems/${res.body.code}`);
      const page = await api.get(new URL(res.body.type).pathname);
      expect(page.status, res.body.type).toBe(200);
      expect(page.text).toContain(`<dd class="code">${res.body.code}</dd>`);
    }
  });

  it('falls back to a relative reference when no base is known, and never doubles a slash', () => {
    expect(problemBody('not_found', 'req_1').type).toBe('/problems/not_found');
    expect(problemBody('not_found', 'req_1', undefined, undefined, 'https://a.example/').type).toBe(
      'https://a.example/problems/not_found',
    );
  });
});

describe('/docs', () => {
  it('carries the security headers of every other page (it runs no script, loads nothing, cannot be framed)', async () => {
    const res = await createClient().get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
