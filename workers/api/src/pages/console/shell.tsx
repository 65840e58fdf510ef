import { ERROR_TEXT, isErrorCode, type Refusal } from '@gratia/core';
import { type Caller, knownCaller, type OrgPrincipal, type StaffRole, staffRefusal } from '@gratia/db';
import { resumeStaffSession } from '@gratia/network';
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../env';
import { type FormOutcome, form, isCallerRefusal, once } from '../../lib/forms';
import { CONSOLE, csrfOk, endSession, type PageSession, readSession } from '../../lib/page-session';
import { retryAfter } from '../../lib/problem';
import { sourceAddress } from '../../middleware/auth';
import { PAGE_STYLE } from '../layout';
import { lockedText } from '../partner/common';
import { PASSKEY_SCRIPTS, PasskeyButton } from '../staff';

// The clinic console's frame: who is signed in, the navigation their role allows, and the session
// check every console request starts with. A request costs the session check (one D1 round trip that
// also refreshes the session's last request) and the page's own use case (one more): two at most.

export type ConsoleArea =
  | 'today'
  | 'patients'
  | 'gift'
  | 'agenda'
  | 'win-back'
  | 'plan'
  | 'offers'
  | 'outbox'
  | 'templates'
  | 'insight'
  | 'segments'
  | 'feedback'
  | 'questionnaire'
  | 'programme'
  | 'reports'
  | 'staff'
  | 'statements';

/** Which staff roles see each area (an area not listed here is for every clinic role). */
export const AREA_ROLES: Partial<Record<ConsoleArea, readonly StaffRole[]>> = {
  plan: ['owner', 'manager'],
  offers: ['owner', 'manager'],
  templates: ['owner', 'manager'],
  insight: ['owner', 'manager'],
  segments: ['owner', 'manager'],
  feedback: ['owner', 'manager'],
  questionnaire: ['owner', 'manager'],
  programme: ['owner', 'manager'],
  reports: ['owner', 'manager'],
  statements: ['owner', 'manager'],
  staff: ['owner'],
};
const NAV: [ConsoleArea, string, string][] = [
  ['today', 'Today', '/console'],
  ['patients', 'Patients', '/console/patients'],
  ['agenda', 'My week', '/console/agenda'],
  ['win-back', 'Win-back', '/console/win-back'],
  ['plan', 'Plan', '/console/plan'],
  ['offers', 'Offers', '/console/offers'],
  ['outbox', 'Outbox', '/console/outbox'],
  ['templates', 'Messages', '/console/templates'],
  ['insight', 'Insight', '/console/insight'],
  ['segments', 'Segments', '/console/segments'],
  ['feedback', 'Feedback', '/console/feedback'],
  ['questionnaire', 'Questionnaire', '/console/questionnaire'],
  ['programme', 'Programme', '/console/programme'],
  ['reports', 'Reports', '/console/reports'],
  ['statements', 'Statements', '/console/statements'],
  ['staff', 'Staff', '/console/staff'],
];
export const ROLE_NAME: Record<StaffRole, string> = {
  owner: 'Owner',
  manager: 'Manager',
  front_desk: 'Front desk',
  staff: 'Staff',
};

const CONSOLE_STYLE = `${PAGE_STYLE}
main.console{max-width:72rem}
header.top{background:#2d2118;color:#fff;padding:.6rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;justify-content:space-between}
header.top a{color:#fff}header.top .who{font-size:.9rem;opacity:.9}
header.top form{display:inline}header.top button{width:auto;margin:0 0 0 .75rem;padding:.35rem .7rem;background:#5a4636;font-size:.9rem}
nav.areas{display:flex;flex-wrap:wrap;gap:.25rem}nav.areas a{padding:.4rem .7rem;border-radius:8px;text-decoration:none;color:#fff}
nav.areas a[aria-current]{background:#fff;color:#2d2118;font-weight:600}
.grid{display:grid;gap:1rem}@media(min-width:56rem){.grid.two{grid-template-columns:1fr 1fr}.grid.side{grid-template-columns:2fr 1fr}}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}.row>*{flex:1 1 10rem}.row>button{flex:0 0 auto;width:auto}
select{width:100%;font:inherit;padding:.65rem;border:1px solid #b9b2a8;border-radius:10px;background:#fff;color:var(--ink)}
fieldset{border:1px solid #ddd;border-radius:10px;padding:.5rem 1rem 1rem;margin:1rem 0}legend{font-weight:600}
input[type=checkbox],input[type=radio]{width:auto;margin-right:.4rem}label.inline{display:flex;align-items:center;font-weight:400}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem}.figure{background:#fff;border-radius:12px;padding:.9rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.figure strong{display:block;font-size:1.5rem}.pager{display:flex;gap:1rem;margin:1rem 0}
.tag{display:inline-block;background:#efe7dc;border-radius:6px;padding:.1rem .45rem;margin:.1rem;font-size:.85rem}
.table-wrap{overflow-x:auto}
ul.calls>li{display:block;border-bottom:0}
.field-error{color:var(--bad);font-weight:600;margin:.25rem 0 0}.hint{color:var(--muted);font-size:.9rem;margin:.2rem 0 0}
[aria-invalid=true]{border-color:var(--bad);border-width:2px}
.barcode{display:block;width:100%;max-width:22rem;background:#fff}
`;

export function ConsolePage(props: {
  title: string;
  principal: OrgPrincipal;
  csrf: string;
  area?: ConsoleArea;
  scripts?: string[];
  /** More CSS for this page. */
  style?: string;
  children: Child;
}) {
  const p = props.principal;
  const role = p.staff?.role;
  const nav = NAV.filter(([area]) => !role || !AREA_ROLES[area] || AREA_ROLES[area]!.includes(role));
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${props.title} · ${p.organization.name}`}</title>
        <style>{props.style ? `${CONSOLE_STYLE}${props.style}` : CONSOLE_STYLE}</style>
      </head>
      <body>
        <header class="top">
          <nav class="areas" aria-label="Console">
            {nav.map(([area, label, href]) => (
              <a href={href} aria-current={props.area === area ? 'page' : undefined}>
                {label}
              </a>
            ))}
          </nav>
          <div class="who">
            {p.organization.name} · {p.staff ? `${p.staff.name} (${ROLE_NAME[p.staff.role]})` : 'API key'}
            <form method="post" action="/console/signout">
              <input type="hidden" name="csrf" value={props.csrf} />
              <button type="submit">Sign out</button>
            </form>
          </div>
        </header>
        <main class="console">{props.children}</main>
        {(props.scripts ?? []).map((src) => (
          <script src={src} />
        ))}
      </body>
    </html>
  );
}

export function SignInPage(props: { error?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>Clinic console: sign in</title>
        <style>{CONSOLE_STYLE}</style>
      </head>
      <body>
        <main>
          <p class="eyebrow">Clinic console</p>
          <h1>Sign in</h1>
          {props.error ? (
            <p class="status bad" role="alert">
              {props.error}
            </p>
          ) : null}
          <div class="card">
            <p>Sign in with the passkey you created from your invitation.</p>
            <PasskeyButton
              mode="signin"
              options="/console/signin/options"
              action="/console/signin"
              label="Sign in with a passkey"
            />
          </div>
          <p class="muted">
            New here? Your clinic's owner sends you an invitation link. Sessions end after 30 minutes without
            use.
          </p>
        </main>
        {PASSKEY_SCRIPTS.map((src) => (
          <script src={src} />
        ))}
      </body>
    </html>
  );
}

type Status = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;
export const html = (c: Context<AppEnv>, node: unknown, status: Status = 200) =>
  c.html(`<!doctype html>${node}`, status);

/** The sign-in page for a session that no longer holds, or the lock's own words. */
export function signedOut(c: Context<AppEnv>, refusal?: Refusal, status: 200 | 401 = 401) {
  if (refusal?.code === 'rate_limited' && refusal.retryAt !== undefined) {
    c.header('retry-after', retryAfter(refusal.retryAt, c.var.clock.now()));
    return html(c, <SignInPage error={lockedText(refusal.retryAt, c.var.clock.now())} />, 429);
  }
  endSession(c, CONSOLE);
  return html(c, <SignInPage error={refusal ? ERROR_TEXT.unauthorized : undefined} />, status);
}

/** A role that may not do this: a page that says so (the session holds). */
export function notAllowed(c: Context<AppEnv>, principal: OrgPrincipal, csrf: string, detail: string) {
  return html(
    c,
    <ConsolePage title="Not allowed" principal={principal} csrf={csrf}>
      <h1>Not allowed</h1>
      <p class="status bad">{detail}</p>
      <p>
        <a href="/console">Back to Today</a>
      </p>
    </ConsolePage>,
    403,
  );
}

export interface Signed {
  principal: OrgPrincipal;
  session: PageSession;
  /** The signed-in staff member as the caller of a use case (already checked). */
  caller: Caller;
}

type Handler = (c: Context<AppEnv>, s: Signed) => Response | Promise<Response>;
type FormHandlerFn = (
  c: Context<AppEnv>,
  s: Signed,
  f: Record<string, string>,
) => Response | Promise<Response>;

async function signedIn(c: Context<AppEnv>, area?: ConsoleArea): Promise<Signed | Response> {
  const session = await readSession(c, CONSOLE);
  // The console's front door answers its sign-in page as a page (200); any other page says 401.
  if (!session) return signedOut(c, undefined, c.req.path === '/console' ? 200 : 401);
  const out = await resumeStaffSession(c.var.deps, {
    sessionId: session.id,
    organizationId: session.organizationId,
    from: sourceAddress(c),
  });
  if (!out.ok) return signedOut(c, out.error);
  const principal = out.value;
  if (principal.role !== 'clinic') return signedOut(c, { code: 'unauthorized', detail: 'Not a clinic' });
  const roles = area ? AREA_ROLES[area] : undefined;
  const refused = roles ? staffRefusal(principal, roles) : null;
  if (refused) return notAllowed(c, principal, session.csrf, refused.detail ?? ERROR_TEXT.forbidden);
  return { principal, session, caller: knownCaller(principal, sourceAddress(c)) };
}

/** A console page (GET): the session checked (and the area's roles), then the handler. */
export const page =
  (area: ConsoleArea | undefined, handler: Handler) =>
  async (c: Context<AppEnv>): Promise<Response> => {
    const s = await signedIn(c, area);
    return s instanceof Response ? s : handler(c, s);
  };

export const FORM_EXPIRED = 'The form expired. Please go back, reload the page and try again.';

/** A console form (POST): the session, the area's roles, a form of sane size, this origin and the CSRF token. */
export const action =
  (area: ConsoleArea | undefined, handler: FormHandlerFn) =>
  async (c: Context<AppEnv>): Promise<Response> => {
    const f = await form(c);
    if (!f) return html(c, <SignInPage error={ERROR_TEXT.payload_too_large} />, 413);
    const session = await readSession(c, CONSOLE);
    if (!session) return signedOut(c);
    if (!csrfOk(c, session, f.csrf)) return html(c, <SignInPage error={FORM_EXPIRED} />, 403);
    const s = await signedIn(c, area);
    return s instanceof Response ? s : handler(c, s, f);
  };

/** Exactly-once for a console form: the submission key is claimed as the signed-in staff member. */
export const exactlyOnce = (
  c: Context<AppEnv>,
  s: Signed,
  f: Record<string, string>,
  back: string,
  run: () => Promise<FormOutcome>,
) =>
  once(
    c,
    f,
    {
      caller: s.caller,
      scope: s.principal.organizationId,
      refusedTo: (r) => withError(back, r),
      ended: (r) => signedOut(c, r),
    },
    run,
  );

/** `back` with the refusal's code, for the page to say in its own words. */
export const withError = (back: string, r: Refusal) =>
  `${back}${back.includes('?') ? '&' : '?'}error=${encodeURIComponent(r.code)}`;

/** A use case's refusal as a form outcome: caller refusals end the session, others go back with a sentence. */
export const outcome = (back: string, r: Refusal): FormOutcome =>
  isCallerRefusal(r) && r.code !== 'forbidden' ? { ended: r } : { location: withError(back, r) };

/** The sentence for `?error=<code>`: the vocabulary's own; unknown codes show nothing. */
export function Flash(props: { q: Record<string, string>; ok?: string }) {
  const code = props.q.error;
  if (code && isErrorCode(code))
    return (
      <p class="status bad" role="alert">
        {ERROR_TEXT[code]}
      </p>
    );
  if (props.ok)
    return (
      <p class="status ok" role="status">
        {props.ok}
      </p>
    );
  return null;
}

/** Hidden fields every console form carries: the CSRF token and a one-time submission key. */
export function FormKeys(props: { csrf: string; submission?: string }) {
  return (
    <>
      <input type="hidden" name="csrf" value={props.csrf} />
      {props.submission ? <input type="hidden" name="submission" value={props.submission} /> : null}
    </>
  );
}
