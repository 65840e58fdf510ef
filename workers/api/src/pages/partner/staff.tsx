import type { Refusal } from '@gratia/core';
import { knownCaller, staffRefusal } from '@gratia/db';
import { resumeStaffSession, STAFF_MANAGERS } from '@gratia/network';
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../env';
import { form, once } from '../../lib/forms';
import { COUNTER, csrfOk, readSession } from '../../lib/page-session';
import { sourceAddress } from '../../middleware/auth';
import { type Signed, withError } from '../console/shell';
import { Page } from '../layout';
import { registerStaffPages, STAFF_STYLE, type StaffFrame } from '../staff/manage';
import { html, sessionEnded } from './common';
import { SignIn } from './views';

// The partner's staff (owners only): the same pages and forms as the console's (pages/staff/manage.tsx)
// on the counter page. The counter's own forms act as an unresolved session key; managing staff needs
// the staff member it belongs to, so these pages resume the session as the console does.

const BASE = '/partner/staff';

function render(
  c: Context<AppEnv>,
  s: Signed,
  p: { title: string; body: Child; scripts?: string[] },
  status: 200 | 403 | 404 | 422 = 200,
) {
  return c.html(
    `<!doctype html>${(
      <Page title={`${p.title} · ${s.principal.organization.name}`} scripts={p.scripts}>
        <style>{STAFF_STYLE}</style>
        <p class="eyebrow">Partner counter · {s.principal.organization.name}</p>
        <p>
          <a href="/partner">Back to the counter</a>
        </p>
        {p.body}
      </Page>
    )}`,
    status,
  );
}

/** The counter's session as its staff member, if it is an owner's; otherwise the page to answer. */
async function signedIn(c: Context<AppEnv>): Promise<Signed | Response> {
  const session = await readSession(c, COUNTER);
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const out = await resumeStaffSession(c.var.deps, {
    sessionId: session.id,
    organizationId: session.organizationId,
    from: sourceAddress(c),
  });
  if (!out.ok) return sessionEnded(c, out.error);
  const principal = out.value;
  if (principal.role !== 'partner') return sessionEnded(c, { code: 'unauthorized' });
  const s: Signed = { principal, session, caller: knownCaller(principal, sourceAddress(c)) };
  const refused = staffRefusal(principal, STAFF_MANAGERS);
  if (refused)
    return render(c, s, { title: 'Not allowed', body: <p class="status bad">{refused.detail}</p> }, 403);
  return s;
}

const COUNTER_STAFF: StaffFrame = {
  base: BASE,
  kind: 'partner',
  render: (c, s, p, status) => render(c, s, p, status),
  get: (handler) => async (c) => {
    const s = await signedIn(c);
    return s instanceof Response ? s : handler(c, s);
  },
  post: (handler) => async (c) => {
    const f = await form(c);
    if (!f) return html(c, <SignIn error="That request was too large." />, 413);
    const session = await readSession(c, COUNTER);
    if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
    if (!csrfOk(c, session, f.csrf))
      return html(c, <SignIn error="The form expired. Please try again." />, 403);
    const s = await signedIn(c);
    return s instanceof Response ? s : handler(c, s, f);
  },
  once: (c, s, f, back, run) =>
    once(
      c,
      f,
      {
        caller: s.caller,
        scope: s.principal.organizationId,
        refusedTo: (r: Refusal) => withError(back, r),
        ended: (r: Refusal) => sessionEnded(c, r),
      },
      run,
    ),
};

export function registerPartnerStaff(app: Hono<AppEnv>) {
  registerStaffPages(app, COUNTER_STAFF);
}
