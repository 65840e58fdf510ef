import type { FC } from 'hono/jsx';

// A readable API reference rendered on the server from the OpenAPI document itself, so it can never
// drift from the code and needs no script or CDN (it works offline, on a laptop demo).

type Json = Record<string, unknown>;
type Doc = {
  info: { title: string; version: string; description?: string };
  paths?: Json;
  components?: { schemas?: Json };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function resolve(doc: Doc, schema: Json | undefined): Json | undefined {
  const ref = schema?.$ref;
  if (typeof ref === 'string') return doc.components?.schemas?.[ref.split('/').pop()!] as Json | undefined;
  return schema;
}

function typeLabel(doc: Doc, schema: Json | undefined): string {
  if (!schema) return '';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop()!;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((s) => typeLabel(doc, s as Json)).join(' | ');
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'object');
  if (t === 'array') return `${typeLabel(doc, schema.items as Json)}[]`;
  return t;
}

const SchemaView: FC<{ doc: Doc; schema: Json | undefined; depth?: number }> = ({
  doc,
  schema,
  depth = 0,
}) => {
  const s = resolve(doc, schema);
  const props = (s?.properties ?? {}) as Record<string, Json>;
  const required = new Set((s?.required as string[] | undefined) ?? []);
  if (!s || Object.keys(props).length === 0 || depth > 3) return <code>{typeLabel(doc, schema)}</code>;
  return (
    <ul class="schema">
      {Object.entries(props).map(([name, p]) => {
        const inner = resolve(doc, (p.type === 'array' ? p.items : p) as Json);
        return (
          <li>
            <code>{name}</code>
            {required.has(name) ? '' : '?'} <span class="type">{typeLabel(doc, p)}</span>
            {p.description ? <span class="desc"> {String(p.description)}</span> : null}
            {inner?.properties ? <SchemaView doc={doc} schema={inner} depth={depth + 1} /> : null}
          </li>
        );
      })}
    </ul>
  );
};

const Operation: FC<{ doc: Doc; method: string; path: string; op: Json }> = ({ doc, method, path, op }) => {
  const params = (op.parameters ?? []) as Json[];
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as
    | Json
    | undefined;
  const responses = (op.responses ?? {}) as Record<string, Json>;
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
  return (
    <section class="op" id={id}>
      <h3>
        <span class={`m ${method}`}>{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      <p>{String(op.summary ?? '')}</p>
      {op.description ? <p class="desc">{String(op.description)}</p> : null}
      {params.length ? (
        <>
          <h4>Parameters</h4>
          <ul class="schema">
            {params.map((p) => (
              <li>
                <code>{String(p.name)}</code>{' '}
                <span class="type">
                  ({String(p.in)}) {typeLabel(doc, p.schema as Json)}
                </span>
                {p.description ? <span class="desc"> {String(p.description)}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {body ? (
        <>
          <h4>Body</h4>
          <SchemaView doc={doc} schema={body.schema as Json} />
        </>
      ) : null}
      <h4>Responses</h4>
      <ul class="responses">
        {Object.entries(responses).map(([status, r]) => {
          const content = (r.content ?? {}) as Record<string, Json>;
          const [type, media] = Object.entries(content)[0] ?? [];
          return (
            <li>
              <b>{status}</b> {String(r.description ?? '')} {type ? <span class="type">{type}</span> : null}
              {media && status.startsWith('2') ? (
                <SchemaView doc={doc} schema={media.schema as Json} />
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
};

export function renderApiReference(doc: Doc): string {
  const byTag = new Map<string, { method: string; path: string; op: Json }[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Json)[method] as Json | undefined;
      if (!op) continue;
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0]!;
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  }
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${doc.info.title} reference`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <h1>
            {doc.info.title} <small>v{doc.info.version}</small>
          </h1>
          <p>{doc.info.description}</p>
          <p>
            Machine-readable: <a href="/openapi.json">/openapi.json</a>
          </p>
        </header>
        <nav aria-label="Operations">
          {[...byTag].map(([tag, ops]) => (
            <div>
              <h2>{tag}</h2>
              <ul>
                {ops.map(({ method, path }) => (
                  <li>
                    <a href={`#${`${method}-${path}`.replace(/[^a-z0-9]+/gi, '-')}`}>
                      {method.toUpperCase()} {path}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main>
          {[...byTag].map(([tag, ops]) => (
            <>
              <h2>{tag}</h2>
              {ops.map((o) => (
                <Operation doc={doc} {...o} />
              ))}
            </>
          ))}
        </main>
      </body>
    </html>
  );
  return `<!doctype html>${page}`;
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;display:grid;grid-template-columns:minmax(220px,300px) 1fr}
header{grid-column:1/-1;padding:1rem 2rem;background:#f4f1ec;border-bottom:1px solid #ddd}
nav{padding:1rem;border-right:1px solid #eee;font-size:13px}nav ul{list-style:none;padding:0}
main{padding:1rem 2rem;max-width:70rem}.op{border:1px solid #e5e5e5;border-radius:8px;padding:0 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2b6cb0}.post{background:#2f855a}.patch,.put{background:#b7791f}.delete{background:#c53030}
.type{color:#6b4f9e;font-size:13px}.desc{color:#555}ul.schema{margin:.2rem 0;padding-left:1.2rem}code{font-size:13px}
a{color:#1f5fa8}@media(max-width:700px){body{display:block}nav{display:none}}
`;
