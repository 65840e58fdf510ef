import type { MiddlewareHandler } from 'hono';
import type { App } from '../../app';
import { idempotency } from '../../middleware/idempotency';

// What the route definitions cannot say on their own, added to the generated document in one place:
// the headers every response carries, the Idempotency-Key of the routes that run the idempotency
// middleware (read from the router, so a new idempotent route is documented without a list here),
// explicit `security: []` on public operations, and nullable references typed as nullable.

type Json = Record<string, unknown>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export const REQUEST_ID_HEADER = {
  description:
    'The request id: the caller’s own `x-request-id` when it is 1 to 128 of `A-Za-z0-9._:-`, otherwise a new `req_` id. Problem bodies repeat it as `request_id`; quote it when reporting an issue.',
  schema: { type: 'string', example: 'req_01JD0000000000000000000000' },
};

export const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the first response under a key is stored for 24 hours and replayed for the same request (with `Idempotent-Replayed: true`). The same key with a different body is `422 idempotency_key_reused`; while the first request is still running, `409 idempotency_key_in_use`. Keys are scoped to the caller.',
  schema: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7E]{1,255}$',
    description: '1 to 255 printable ASCII characters, no spaces',
    example: 'visit-2026-11-01-0042',
  },
};

export const IDEMPOTENT_REPLAYED_HEADER = {
  description: '`true` when this is the stored response of an earlier request with the same Idempotency-Key',
  schema: { type: 'string', enum: ['true'] },
};

/** For public operations that declare no error of their own (they still answer unknown input with one). */
const CLIENT_ERROR = {
  description: 'A client error, as problem+json (for instance 404 `not_found` for a mistyped path)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const IDEMPOTENCY_ANSWERS = [
  ['409', 'A request with this Idempotency-Key is still in progress (`idempotency_key_in_use`)'],
  ['422', 'This Idempotency-Key was used with a different request (`idempotency_key_reused`)'],
] as const;

/** `METHOD /path` (OpenAPI path syntax) of every route whose middleware includes `handler`. */
export function routesUsing(app: App, handler: MiddlewareHandler): Set<string> {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.handler === handler) out.add(`${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  }
  return out;
}

/** `allOf: [{ $ref }, { type: [..., 'null'] }]` (how a nullable component is generated) as `anyOf`. */
function nullableRefs(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) nullableRefs(item);
    return;
  }
  const n = node as Json;
  const all = n.allOf as Json[] | undefined;
  if (Array.isArray(all) && all.length === 2 && all[0]?.$ref && Array.isArray(all[1]?.type)) {
    const { type, ...rest } = all[1] as Json;
    if ((type as string[]).includes('null') && Object.keys(rest).every((k) => k === 'description')) {
      delete n.allOf;
      n.anyOf = [all[0], { type: 'null' }];
      if (rest.description && !n.description) n.description = rest.description;
    }
  }
  for (const v of Object.values(n)) nullableRefs(v);
}

export function polishDocument<D extends object>(app: App, document: D): D {
  const doc = document as Json;
  const components = (doc.components ?? {}) as Json;
  doc.components = components;
  components.headers = {
    ...(components.headers as Json),
    RequestId: REQUEST_ID_HEADER,
    IdempotentReplayed: IDEMPOTENT_REPLAYED_HEADER,
  };
  components.parameters = { ...(components.parameters as Json), IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER };
  const idempotent = routesUsing(app, idempotency);

  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      // Every route states its security; one that states none is public, and the document says so.
      op.security ??= [];
      const responses = (op.responses ?? {}) as Record<string, Json>;
      if (!Object.keys(responses).some((s) => s.startsWith('4')))
        responses['4XX'] = structuredClone(CLIENT_ERROR);
      const replays = idempotent.has(`${method.toUpperCase()} ${path}`);
      if (replays) {
        op.parameters = [
          ...((op.parameters as Json[] | undefined) ?? []),
          { $ref: '#/components/parameters/IdempotencyKey' },
        ];
        // What the key itself can answer: 409 idempotency_key_in_use, 422 idempotency_key_reused.
        for (const [status, description] of IDEMPOTENCY_ANSWERS)
          responses[status] ??= { ...structuredClone(CLIENT_ERROR), description };
      }
      for (const [status, res] of Object.entries(responses)) {
        // Responses may be shared objects in the generated document: give each its own headers.
        const headers: Json = {
          ...(res.headers as Json),
          'x-request-id': { $ref: '#/components/headers/RequestId' },
        };
        // Requests refused before they ran (400, 413, 415) are never stored, so never replayed.
        if (replays && !['400', '413', '415'].includes(status)) {
          headers['Idempotent-Replayed'] = { $ref: '#/components/headers/IdempotentReplayed' };
        }
        responses[status] = { ...res, headers };
      }
      op.responses = responses;
    }
  }
  nullableRefs(components.schemas);
  nullableRefs(doc.paths);
  return document;
}
