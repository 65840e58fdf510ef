import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type ApiResponse, createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createNetwork } from '../helpers/factories';
import { concretePath, routeInventory } from '../helpers/inventory';

// Authorisation before anything: for every authenticated route of the router, an unknown or revoked
// key is answered 401 whatever is wrong with the rest of the request (body, query, Idempotency-Key),
// and claims no idempotency key. The deferred routes (the counter's hot paths, which look the key up
// inside their own batch) are where this used to fail open: a bad body got 400 first.

const routes = routeInventory(createClient().app).filter((r) => r.authorization);
const deferred = routes.filter((r) => r.authorization?.mode === 'deferred');

function expectUnauthorized(res: ApiResponse, label: string) {
  expect(res.status, `${label}: ${res.text.slice(0, 200)}`).toBe(401);
  expect(res.headers.get('content-type'), label).toContain('application/problem+json');
  expect(res.body.code, label).toBe('unauthorized');
}

const BAD_REQUESTS: { label: string; rawBody?: string; headers?: Record<string, string>; query?: string }[] =
  [
    { label: 'malformed JSON', rawBody: '{"a":', headers: { 'content-type': 'application/json' } },
    {
      label: 'wrong fields',
      rawBody: '{"nonsense":[1,2,3]}',
      headers: { 'content-type': 'application/json' },
    },
    { label: 'wrong media type', rawBody: 'a=1', headers: { 'content-type': 'text/plain' } },
    {
      label: 'oversized body',
      rawBody: JSON.stringify({ a: 'x'.repeat(100_000) }),
      headers: { 'content-type': 'application/json' },
    },
    { label: 'bad query', query: '?limit=abc&cursor=%%%&within_days=-1' },
    { label: 'bad cursor alone', query: '?limit=10&cursor=bm90LWEtY3Vyc29y' },
    { label: 'empty JSON body', rawBody: '', headers: { 'content-type': 'application/json' } },
    { label: 'empty text body', rawBody: '', headers: { 'content-type': 'text/plain' } },
    {
      label: 'empty form body',
      rawBody: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    { label: 'bad Idempotency-Key', headers: { 'idempotency-key': ' not printable\u0001' } },
  ];

describe('authorisation comes first, on every authenticated route of the router', () => {
  it('finds the routes in the router, including every deferred one', () => {
    expect(routes.length).toBe(
      routeInventory(createClient().app).filter((r) => r.path.startsWith('/v1/')).length,
    );
    const ids = deferred.map((r) => r.operationId).sort();
    // The counter's hot paths and the card reads; more may be added, none may silently drop out.
    for (const op of ['verifyVoucher', 'redeemVoucher', 'spendPoints', 'getPointsBalance', 'recordVisit'])
      expect(ids.join(' ')).toContain(op);
    expect(deferred.length).toBeGreaterThanOrEqual(6);
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} (${route.authorization!.mode}): a bad key is 401 whatever its request`, async () => {
      const api = createClient();
      const net = await createNetwork(api);
      const revoked = net.otherPartner.key;
      expect(
        (await api.delete(`/v1/api_keys/${net.otherPartner.keyId}`, { token: OPERATOR_TOKEN })).status,
      ).toBe(200);
      const path = concretePath(route.path);
      for (const [who, token] of [
        ['unknown key', 'gr_ptn_thisKeyDoesNotExist0123456789abcdefghij'],
        ['revoked key', revoked],
      ] as const) {
        for (const bad of BAD_REQUESTS) {
          const key = `auth-first-${crypto.randomUUID()}`;
          const res = await api.request(route.method, `${path}${bad.query ?? ''}`, {
            token,
            rawBody: route.method === 'GET' || route.method === 'DELETE' ? undefined : bad.rawBody,
            headers: { 'idempotency-key': key, ...bad.headers },
          });
          expectUnauthorized(res, `${route.method} ${path} ${who}, ${bad.label}`);
          const claimed = await env.DB.prepare('select count(*) as n from idempotency_keys where key = ?')
            .bind(key)
            .first<{ n: number }>();
          expect(claimed?.n, `${route.method} ${path} ${who}: no idempotency claim`).toBe(0);
        }
      }
    });
  }
});
