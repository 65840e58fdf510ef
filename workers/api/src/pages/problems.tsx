import { ERROR_STATUS, ERROR_TITLES, type ErrorCode } from '@gratia/core';
import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { problemBase, problemBody } from '../lib/problem';
import { Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// GET /problems and /problems/{code}: what each error code means, server-rendered. Every problem+json
// the API sends has `type` pointing here, so the link in an error resolves on the platform itself.

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** What a caller should do, by status: the codes of one status call for the same reaction. */
const ADVICE: Record<number, string> = {
  400: 'The request is malformed or not valid. Fix it before sending it again: the same request gets the same answer. When fields are at fault, `errors` lists each one with its path.',
  401: 'Send `Authorization: Bearer <secret>` with an organisation API key that has not been revoked, or the operator token.',
  403: 'The key is genuine, but its role (operator, clinic or partner) or its organisation may not do this.',
  404: 'Nothing with this id exists for the caller. Another organisation’s resource answers the same way, by design.',
  405: 'The path exists, but not with this method.',
  409: 'The request conflicts with the current state of the resource. Read the current state before deciding what to do; sending the same request again does not help.',
  410: 'The resource exists but can no longer be used.',
  413: 'The request body is larger than 64 KiB.',
  415: 'Send the request body as `application/json`.',
  422: 'The request is well formed but a rule of the platform refuses it; `detail` says which. Change the request rather than retrying it.',
  429: 'Too many failed attempts came from this key, its organisation or its address: every request of theirs is refused until the time `Retry-After` gives (in seconds). Check what is being sent; guessing voucher codes or card numbers is what these limits stop.',
  500: 'Something went wrong on the platform’s side. The request may be retried (a POST with the same Idempotency-Key); if it keeps failing, report the `request_id`.',
};

/** Where one code calls for something other than its status's advice. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  idempotency_key_in_use:
    'A request with this Idempotency-Key is still running. Retry shortly with the same key and body: once the first request finishes you get its response.',
  idempotency_key_committed:
    'The first request under this Idempotency-Key wrote its work but failed before its answer was stored. It will not run again: read the result (the list or the resource) instead.',
  idempotency_key_reused:
    'This Idempotency-Key was already used, within the last 24 hours, for a request with a different body or path. Use a new key for a new request.',
  invalid_idempotency_key: 'An Idempotency-Key is 1 to 255 printable ASCII characters, without spaces.',
  internal_error: ADVICE[500]!,
};

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
const isCode = (s: string): s is ErrorCode => Object.hasOwn(ERROR_STATUS, s);
const statusLine = (status: number) => `${status} ${REASONS[status] ?? ''}`.trim();

/** Text with `backticked` spans shown as code. */
function Rich({ text }: { text: string }) {
  return <>{text.split('`').map((part, i) => (i % 2 ? <code>{part}</code> : part))}</>;
}

function ProblemList() {
  return (
    <Page title="Problem codes">
      <p class="eyebrow">API reference</p>
      <h1>Problem codes</h1>
      <p>
        Every error the API answers with is an RFC 9457 <code>application/problem+json</code> document with a
        stable <code>code</code> (listed here), the HTTP status, a <code>title</code>, a <code>detail</code>{' '}
        for this occurrence and the <code>request_id</code>. Its <code>type</code> links to the code’s page.
      </p>
      <ul class="plain">
        {CODES.map((code) => (
          <li>
            <a href={`/problems/${code}`} class="code">
              {code}
            </a>
            <span class="muted">
              {ERROR_STATUS[code]} · {ERROR_TITLES[code]}
            </span>
          </li>
        ))}
      </ul>
      <p>
        <a href="/docs">API reference</a> · <a href="/">Home</a>
      </p>
    </Page>
  );
}

function ProblemPage({ code, base }: { code: ErrorCode; base: string }) {
  const status = ERROR_STATUS[code];
  const example = problemBody(code, 'req_01JD0000000000000000000000', undefined, undefined, base);
  return (
    <Page title={`${code}: ${ERROR_TITLES[code]}`}>
      <p class="eyebrow">Problem code</p>
      <h1>{ERROR_TITLES[code]}</h1>
      <dl>
        <dt>Code</dt>
        <dd class="code">{code}</dd>
        <dt>HTTP status</dt>
        <dd>{statusLine(status)}</dd>
      </dl>
      <section class="card" aria-labelledby="todo">
        <h2 id="todo">What to do</h2>
        <p>
          <Rich text={HINTS[code] ?? ADVICE[status] ?? ''} />
        </p>
      </section>
      <section class="card" aria-labelledby="shape">
        <h2 id="shape">What the response looks like</h2>
        <pre class="code" style="white-space:pre-wrap">
          {JSON.stringify(example, null, 2)}
        </pre>
      </section>
      <p>
        <a href="/problems">All problem codes</a> · <a href="/docs">API reference</a>
      </p>
    </Page>
  );
}

function UnknownProblem() {
  return (
    <Page title="Unknown problem code">
      <h1>Unknown problem code</h1>
      <p>The API never answers with this code.</p>
      <p>
        <a href="/problems">All problem codes</a>
      </p>
    </Page>
  );
}

export function registerProblemPages(app: Hono<AppEnv>) {
  app.get('/problems', (c) => {
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
    return c.html(`<!doctype html>${<ProblemList />}`, 200);
  });
  app.get('/problems/:code', (c) => {
    for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
    const code = c.req.param('code');
    if (!isCode(code)) return c.html(`<!doctype html>${<UnknownProblem />}`, 404);
    return c.html(`<!doctype html>${<ProblemPage code={code} base={problemBase(c)} />}`, 200);
  });
}
