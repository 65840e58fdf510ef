import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { http } from './http';

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
          if (op.requestBody)
            expect(op.requestBody.content['application/json'].schema, `${m} ${p} body schema`).toBeTruthy();
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
