import { ERROR_TEXT, type Refusal } from '@gratia/core';
import {
  acceptInvitation,
  readInvitation,
  signInWithPasskey,
  startPasskeyRegistration,
  startPasskeySignIn,
} from '@gratia/network';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { WEBAUTHN_BROWSER_SOURCE } from '../../generated/webauthn-browser-source';
import { readCappedText } from '../../lib/body';
import { CONSOLE, COUNTER, sameOrigin, startSession } from '../../lib/page-session';
import { retryAfter } from '../../lib/problem';
import { sourceAddress } from '../../middleware/auth';
import { Page } from '../layout';
import { PASSKEY_SCRIPT } from './passkey-script';

// Staff sign-in with passkeys: the invitation link (/join/{token}) where a new staff member creates
// their passkey, and the JSON exchanges behind the "Sign in with a passkey" buttons of the console and
// the counter page. The exchanges take JSON from this origin only (a cross-site form cannot send it),
// and answer where to go next; the session cookie is set for the console or the counter page,
// whichever the staff member's organisation uses.

export const PASSKEY_SCRIPTS = ['/console/webauthn.js', '/console/passkey.js'];
const STAFF_HEADERS = {
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};
const MAX_JSON_BYTES = 16 * 1024;

/** The button that runs a passkey ceremony (see passkey-script), with the place its errors are said. */
export function PasskeyButton(props: {
  mode: 'register' | 'signin';
  options: string;
  action: string;
  label: string;
}) {
  return (
    <>
      <button
        type="button"
        data-passkey={props.mode}
        data-options={props.options}
        data-action={props.action}
        aria-describedby="passkey-status"
        disabled
      >
        {props.label}
      </button>
      <p id="passkey-status" class="status bad" role="alert" hidden />
      <noscript>
        <p class="status warn">Passkeys need JavaScript: turn it on for this site, then reload the page.</p>
      </noscript>
    </>
  );
}

const KIND_HOME = { clinic: '/console', partner: '/partner' } as const;
const ROLE_NAME: Record<string, string> = {
  owner: 'owner',
  manager: 'manager',
  front_desk: 'front desk',
  staff: 'staff',
};

function JoinPage(props: {
  token: string;
  invitation?: {
    name: string;
    organizationName: string;
    organizationKind: 'clinic' | 'partner';
    role: string;
    expiresAt: number;
  };
}) {
  const inv = props.invitation;
  if (!inv)
    return (
      <Page title="Invitation">
        <p class="eyebrow">Gratia</p>
        <h1>This invitation link does not work</h1>
        <p class="status bad">{ERROR_TEXT.invitation_not_found}</p>
      </Page>
    );
  return (
    <Page title={`Join ${inv.organizationName}`} scripts={PASSKEY_SCRIPTS}>
      <p class="eyebrow">{inv.organizationName}</p>
      <h1>Welcome, {inv.name}</h1>
      <div class="card">
        <p>
          You are invited to {inv.organizationName} as <strong>{ROLE_NAME[inv.role] ?? inv.role}</strong>.
          Create a passkey to sign in: your phone or computer keeps it, unlocked by your fingerprint, face or
          screen lock. No password to remember.
        </p>
        <PasskeyButton
          mode="register"
          options={`/join/${props.token}/options`}
          action={`/join/${props.token}`}
          label="Create my passkey"
        />
      </div>
      <p class="muted">
        This link works once. Afterwards, sign in at{' '}
        {inv.organizationKind === 'clinic' ? 'the console (/console)' : 'the counter page (/partner)'} with
        your passkey.
      </p>
    </Page>
  );
}

/** A JSON object from this origin, of sane size; 'too_large' or null when it is not one. */
async function jsonFromPage(c: Context<AppEnv>): Promise<Record<string, unknown> | 'too_large' | null> {
  if (!sameOrigin(c)) return null;
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return null;
  const text = await readCappedText(c, MAX_JSON_BYTES);
  if (text === null) return 'too_large';
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The page's exchange body, or the answer refusing it. */
async function exchange(c: Context<AppEnv>, needsResponse: boolean) {
  const body = await jsonFromPage(c);
  if (body === 'too_large')
    return refused(c, { code: 'payload_too_large', detail: ERROR_TEXT.payload_too_large }, 413);
  if (
    !body ||
    (needsResponse &&
      (typeof body.challenge_id !== 'string' || !body.response || typeof body.response !== 'object'))
  )
    return refused(c, BAD_REQUEST, 400);
  return body as { challenge_id: string; response: never };
}

const refused = (c: Context<AppEnv>, r: Refusal, status: 400 | 401 | 403 | 404 | 413 | 429) => {
  if (r.retryAt !== undefined) c.header('retry-after', retryAfter(r.retryAt, c.var.clock.now()));
  return c.json(
    {
      code: r.code,
      detail:
        r.code === 'rate_limited' ? r.detail : (ERROR_TEXT[r.code as keyof typeof ERROR_TEXT] ?? r.detail),
    },
    status,
  );
};
const BAD_REQUEST: Refusal = { code: 'validation_failed', detail: 'Send this from the page, please.' };
const STATUS = { unauthorized: 401, forbidden: 403, rate_limited: 429, invitation_not_found: 404 } as const;

export function registerStaffPages(app: Hono<AppEnv>) {
  const paths = ['/join/*', '/console/webauthn.js', '/console/passkey.js'];
  for (const home of Object.values(KIND_HOME)) paths.push(`${home}/signin`, `${home}/signin/*`);
  for (const path of paths)
    app.use(path, async (c, next) => {
      await next();
      for (const [k, v] of Object.entries(STAFF_HEADERS)) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
    });

  app.get('/join/:token', async (c) => {
    const token = c.req.param('token');
    const inv = await readInvitation(c.var.deps, { token });
    return c.html(
      `<!doctype html>${<JoinPage token={token} invitation={inv.ok ? inv.value : undefined} />}`,
      inv.ok ? 200 : 404,
    );
  });

  app.post('/join/:token/options', async (c) => {
    const body = await exchange(c, false);
    if (body instanceof Response) return body;
    const out = await startPasskeyRegistration(c.var.deps, { token: c.req.param('token') });
    if (!out.ok) return refused(c, out.error, 404);
    return c.json({ challenge_id: out.value.challengeId, options: out.value.options });
  });

  app.post('/join/:token', async (c) => {
    const body = await exchange(c, true);
    if (body instanceof Response) return body;
    const out = await acceptInvitation(c.var.deps, {
      token: c.req.param('token'),
      challengeId: body.challenge_id,
      response: body.response,
    });
    if (!out.ok) return refused(c, out.error, STATUS[out.error.code]);
    const s = out.value;
    const kind = s.principal.role;
    await startSession(c, kind === 'clinic' ? CONSOLE : COUNTER, {
      id: s.id,
      organizationId: s.principal.organizationId,
      expiresAt: s.expiresAt,
    });
    return c.json({ location: KIND_HOME[kind] });
  });

  for (const kind of ['clinic', 'partner'] as const) {
    const home = KIND_HOME[kind];
    app.post(`${home}/signin/options`, async (c) => {
      const body = await exchange(c, false);
      if (body instanceof Response) return body;
      const out = await startPasskeySignIn(c.var.deps);
      return c.json({ challenge_id: out.challengeId, options: out.options });
    });
    app.post(`${home}/signin`, async (c) => {
      const body = await exchange(c, true);
      if (body instanceof Response) return body;
      const out = await signInWithPasskey(c.var.deps, {
        challengeId: body.challenge_id,
        response: body.response,
        from: sourceAddress(c),
        kind,
      });
      if (!out.ok) return refused(c, out.error, STATUS[out.error.code]);
      const s = out.value;
      await startSession(c, kind === 'clinic' ? CONSOLE : COUNTER, {
        id: s.id,
        organizationId: s.principal.organizationId,
        expiresAt: s.expiresAt,
      });
      return c.json({ location: home });
    });
  }

  app.get('/console/webauthn.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(WEBAUTHN_BROWSER_SOURCE);
  });
  app.get('/console/passkey.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=300');
    return c.body(PASSKEY_SCRIPT);
  });
}
