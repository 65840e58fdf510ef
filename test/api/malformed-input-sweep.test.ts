import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../workers/api/src/routes/meta/openapi';
import { type ApiResponse, type Client, createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createNetwork } from '../helpers/factories';
import { routeInventory } from '../helpers/inventory';

// Every operation in the generated OpenAPI document (so every route, including ones added later) is
// hit with malformed input under every role. Nothing may answer 5xx, and every /v1 error must be a
// problem+json with a code. This is the contract "bad input gets a clear 4xx and loses nothing".

type Json = Record<string, any>;
const doc = openApiDocument(createClient().app, 'https://gratia.test') as Json;
const operations: { method: string; path: string; op: Json }[] = [];
for (const [path, item] of Object.entries<Json>(doc.paths)) {
  for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    if (item[method]) operations.push({ method: method.toUpperCase(), path, op: item[method] });
  }
}

const ODD_IDS = [
  'x',
  'pat_01ZZZZZZZZZZZZZZZZZZZZZZZZ',
  'vch_01ZZZZZZZZZZZZZZZZZZZZZZZZ',
  'a'.repeat(300),
  "1' or '1'='1",
  '%00',
  '..%2F..%2Fetc',
  '%F0%9F%92%A9',
];

function resolveSchema(schema: Json | undefined): Json | undefined {
  if (schema?.$ref) return doc.components.schemas[schema.$ref.split('/').pop()];
  return schema;
}

/** Bodies that are well-formed JSON but wrong: wrong types everywhere, nulls, huge strings, arrays. */
function badBodies(op: Json): unknown[] {
  const schema = resolveSchema(op.requestBody?.content?.['application/json']?.schema);
  const props = Object.keys(schema?.properties ?? {});
  const each = (v: unknown) => Object.fromEntries(props.map((p) => [p, v]));
  return [
    {},
    [],
    'a string',
    42,
    null,
    each(null),
    each({ nested: true }),
    each(-1),
    each(true),
    each('x'.repeat(20_000)),
    each(['x']),
    { ...each('x'), unknown_field: 1 },
  ];
}

function expectClean(res: ApiResponse, label: string) {
  expect(res.status, `${label} -> ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), label).toContain('application/problem+json');
    expect(typeof res.body?.code, label).toBe('string');
    expect(res.body.request_id, label).toBe(res.headers.get('x-request-id'));
  }
}

async function sweep(api: Client, tokens: string[], method: string, path: string, op: Json) {
  const concrete = (id: string) => path.replace(/\{[^}]+\}/g, encodeURIComponent(decodeURIComponent(id)));
  const paths = path.includes('{') ? ODD_IDS.map(concrete) : [path];
  for (const token of tokens) {
    for (const p of paths) {
      const label = `${method} ${p} as ${token.slice(0, 10)}`;
      expectClean(await api.request(method, p, { token }), `${label} (no body)`);
      expectClean(
        await api.request(
          method,
          `${p}?limit=abc&cursor=%%%&q=${'q'.repeat(500)}&status=nope&within_days=-1`,
          { token },
        ),
        `${label} (bad query)`,
      );
      if (method === 'GET' || method === 'DELETE') continue;
      const json = { 'content-type': 'application/json' };
      expectClean(
        await api.request(method, p, { token, rawBody: '{"a":', headers: json }),
        `${label} (invalid JSON)`,
      );
      expectClean(
        await api.request(method, p, { token, rawBody: '\u0000\u0001', headers: json }),
        `${label} (binary)`,
      );
      expectClean(
        await api.request(method, p, { token, rawBody: 'a=1', headers: { 'content-type': 'text/plain' } }),
        `${label} (text/plain)`,
      );
      // Empty bodies of every type (curl -d '' sends a form type): these once reached a 500.
      for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
        expectClean(
          await api.request(method, p, { token, rawBody: '', headers: { 'content-type': type } }),
          `${label} (empty ${type})`,
        );
      }
      expectClean(
        await api.request(method, p, {
          token,
          rawBody: JSON.stringify({ a: 'x'.repeat(100_000) }),
          headers: json,
        }),
        `${label} (oversized)`,
      );
      for (const body of badBodies(op)) {
        expectClean(
          await api.request(method, p, { token, rawBody: JSON.stringify(body), headers: json }),
          `${label} ${JSON.stringify(body).slice(0, 60)}`,
        );
      }
    }
  }
}

describe('malformed input sweep over every route', () => {
  it('covers every operation of the router', () => {
    const routes = routeInventory(createClient().app);
    expect(routes.length).toBeGreaterThan(30);
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  for (const { method, path, op } of operations) {
    it(`${method} ${path} answers malformed input with 4xx problem+json only`, async () => {
      const api = createClient();
      const net = await createNetwork(api);
      await sweep(api, [OPERATOR_TOKEN, net.clinic.key, net.partner.key], method, path, op);
    }, 60_000);
  }
});
