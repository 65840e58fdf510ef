import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { createOrg, http, operatorToken } from './http';

describe('/openapi.json and /docs', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await http('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(res.body));
    expect(result.valid, result.valid ? '' : JSON.stringify(result.errors, null, 2).slice(0, 2000)).toBe(
      true,
    );
  });

  it('describes every operation with its responses, and every body-taking operation with a request schema', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const ops = Object.entries<any>(doc.paths).flatMap(([p, item]) =>
      ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => ({ p, m, op: item[m] })),
    );
    expect(ops.length).toBeGreaterThanOrEqual(12);
    for (const { p, m, op } of ops) {
      const ok = Object.entries<any>(op.responses).find(([s]) => s.startsWith('2'));
      expect(ok, `${m} ${p} has a success response`).toBeTruthy();
      expect(
        ok![1].content?.['application/json']?.schema ?? ok![1].content,
        `${m} ${p} success schema`,
      ).toBeTruthy();
      if (p.startsWith('/v1/')) {
        expect(op.responses['401'], `${m} ${p} documents 401`).toBeTruthy();
        if (m === 'post' || m === 'patch' || m === 'put') {
          // JSON, but for the one raw body: an offer's photo, the image's own bytes.
          const type = p === '/v1/offers/{id}/photo' ? 'image/png' : 'application/json';
          if (op.requestBody)
            expect(op.requestBody.content[type]?.schema, `${m} ${p} body schema`).toBeTruthy();
        }
      }
    }
  });

  it('serves a readable reference at /docs listing every path', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const res = await http('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    for (const p of Object.keys(doc.paths)) expect(res.text).toContain(p);
  });
});

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations(doc: Json) {
  return Object.entries<Json>(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ p, m, op: item[m] as Json })),
  );
}

/** A `$ref` inside the document, resolved (one level is all the document uses for these). */
const deref = (doc: Json, node: Json): Json =>
  node?.$ref
    ? node.$ref
        .slice(2)
        .split('/')
        .reduce((n: Json, k: string) => n?.[k], doc)
    : node;

describe('/openapi.json is lint-clean and complete', () => {
  it('passes `redocly lint` with the recommended rules without an error', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const dir = mkdtempSync(path.join(tmpdir(), 'gratia-openapi-'));
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    // Offline and quiet: no telemetry, no update check.
    const out = spawnSync(
      process.execPath,
      [cli, 'lint', file, '--extends', 'recommended', '--format', 'json'],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          NO_COLOR: '1',
        },
        timeout: 60_000,
      },
    );
    rmSync(dir, { recursive: true, force: true });
    const report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const errors = report.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors, errors.join('\n')).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('gives every operation a unique camelCase operationId, a summary and declared, described tags', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const ids = operations(doc).map(({ m, p, op }) => {
      expect(op.operationId, `${m} ${p}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(op.summary, `${m} ${p}`).toBeTruthy();
      for (const t of op.tags ?? []) {
        expect(doc.tags.find((d: Json) => d.name === t)?.description, `tag ${t}`).toBeTruthy();
      }
      return op.operationId as string;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents Idempotency-Key on exactly the POSTs that honour it (found by asking each one)', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const clinic = await createOrg({ kind: 'clinic', name: 'Idempotency Probe Clinic' });
    const partner = await createOrg({
      kind: 'partner',
      name: 'Idempotency Probe Partner',
      category: 'massage',
    });
    const param = deref(doc, { $ref: '#/components/parameters/IdempotencyKey' });
    expect(param).toMatchObject({ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } });
    expect(param.schema).toMatchObject({ minLength: 1, maxLength: 255 });
    const honours: string[] = [];
    const documents: string[] = [];
    for (const { p, op } of operations(doc).filter((o) => o.m === 'post')) {
      const label = `POST ${p}`;
      if ((op.parameters ?? []).some((x: Json) => deref(doc, x).name === 'Idempotency-Key'))
        documents.push(label);
      // A malformed key is refused before anything runs, by the middleware alone; whichever role the
      // route admits gets that far.
      for (const token of [operatorToken(), clinic.key, partner.key]) {
        const res = await http(
          'POST',
          p.replace(/\{[^}]+\}/g, 'x'),
          token,
          {},
          { 'idempotency-key': 'not valid' },
        );
        if (res.body?.code === 'invalid_idempotency_key') {
          honours.push(label);
          break;
        }
      }
    }
    expect(honours.length).toBeGreaterThanOrEqual(5);
    expect(documents.sort()).toEqual(honours.sort());
    // And each documents what the key itself can answer.
    for (const { p, op } of operations(doc).filter(
      (o) => o.m === 'post' && documents.includes(`POST ${o.p}`),
    )) {
      expect(op.responses['409'], `POST ${p} documents 409 idempotency_key_in_use`).toBeTruthy();
      expect(op.responses['422'], `POST ${p} documents 422 idempotency_key_reused`).toBeTruthy();
    }
  });

  it('documents x-request-id on every response', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    expect(doc.components.headers.RequestId.schema.type).toBe('string');
    for (const { p, m, op } of operations(doc)) {
      for (const [status, res] of Object.entries<Json>(op.responses)) {
        const header = deref(doc, deref(doc, res).headers?.['x-request-id']);
        expect(header?.schema?.type, `${m} ${p} ${status}`).toBe('string');
      }
    }
  });

  it('types money the API may send as null as nullable (so generated clients do too)', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const nullable = (s: Json) =>
      s.anyOf?.some((x: Json) => x.type === 'null') || (Array.isArray(s.type) && s.type.includes('null'));
    // A shared component is never nullable itself: that happens when a `.nullable()` variant of a named
    // schema is met first, and would make every other use of the component nullable too.
    for (const [name, schema] of Object.entries<Json>(doc.components.schemas)) {
      expect(nullable(schema), `component ${name}`).toBeFalsy();
    }
    expect(nullable(doc.components.schemas.Visit.properties.lot), 'visit lot').toBe(true);
    const voucher = doc.components.schemas.Voucher.properties;
    for (const field of ['value', 'remaining', 'offer']) expect(nullable(voucher[field]), field).toBe(true);
    const redeemed = doc.paths['/v1/redemptions'].post.responses['201'].content['application/json'].schema;
    expect(nullable(findProperty(redeemed, 'remaining')), 'redemption remaining').toBe(true);
  });

  it('is in step with docs/api.md: every operation is listed there, and nothing there under /v1 is missing', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const md = readFileSync(path.resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
    const inDoc = operations(doc).map(({ m, p }) => `${m.toUpperCase()} ${p}`);
    for (const op of inDoc) expect(md, `docs/api.md lists ${op}`).toContain(`\`${op}\``);
    const listed = [...md.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) \/v1\/[^`\s]*)`/g)].map((x) => x[1]!);
    for (const op of listed) expect(inDoc, `${op} (docs/api.md) is in /openapi.json`).toContain(op);
  });

  it('serves the JWKS as a documented, public operation', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const op = doc.paths['/.well-known/jwks.json']?.get;
    expect(op?.security).toEqual([]);
    expect(op?.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Jwks');
  });
});

/** A named property of an object schema, looking through `allOf` parts. */
function findProperty(schema: Json, name: string): Json {
  if (schema.properties?.[name]) return schema.properties[name];
  for (const part of schema.allOf ?? []) {
    const found = findProperty(part, name);
    if (Object.keys(found).length) return found;
  }
  return {};
}
