import { ERROR_TEXT, isErrorCode, type Refusal } from '@gratia/core';
import type { Caller } from '@gratia/db';
import { touchSession } from '@gratia/network';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { type FormOutcome, form, isCallerRefusal, once as onceFor } from '../../lib/forms';
import { COUNTER, csrfOk, endSession, type PageSession, readSession } from '../../lib/page-session';
import { retryAfter } from '../../lib/problem';
import { sourceAddress } from '../../middleware/auth';
import { SignIn } from './views';

export { form, newSubmissionKey } from '../../lib/forms';

// What every counter-page handler shares: rendering, the session as a caller of the use cases, forms,
// and exactly-once submission.

export const html = (
  c: Context<AppEnv>,
  node: unknown,
  status: 200 | 400 | 401 | 403 | 404 | 413 | 429 = 200,
) => c.html(`<!doctype html>${node}`, status);

/**
 * The session as a caller: its own API key, looked up inside each use case's batch, still unrevoked,
 * still a partner, still this partner. A key revoked meanwhile ends the session at the next request.
 */
export const sessionCaller = (c: Context<AppEnv>, session: PageSession): Caller => ({
  resolved: false,
  key: { session: session.id, at: c.var.clock.now(), from: sourceAddress(c) },
  roles: ['partner'],
  organizationId: session.organizationId,
});

/** The counter's session, if its cookie is genuine; its last request is refreshed off the response path. */
export async function counterSession(c: Context<AppEnv>): Promise<PageSession | null> {
  const session = await readSession(c, COUNTER);
  if (session) touchSession(c.var.deps, session.id);
  return session;
}

/** "Try again at 14:35 (in 12 minutes)": when a locked caller may try again, in the partner's words. */
export function lockedText(until: number, now: number, timeZone?: string): string {
  const at = new Date(until).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone });
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return `Too many failed attempts. Try again at ${at} (in ${minutes} minute${minutes === 1 ? '' : 's'}).`;
}

/** The sign-in page for a session that no longer holds (signed out, expired, key revoked) or is locked. */
export function sessionEnded(c: Context<AppEnv>, refusal?: Refusal) {
  if (refusal?.code === 'rate_limited' && refusal.retryAt !== undefined) {
    c.header('retry-after', retryAfter(refusal.retryAt, c.var.clock.now()));
    return html(c, <SignIn error={lockedText(refusal.retryAt, c.var.clock.now())} />, 429);
  }
  endSession(c, COUNTER);
  return html(c, <SignIn error={ERROR_TEXT.unauthorized} />, 401);
}

/** Where a form's refusal sends the person: back to the counter (or `back`) with the refusal's own sentence. */
export const refusedTo = (r: Refusal, back = '/partner') => `${back}?error=${r.code}`;

/** How to fill in a field the page found invalid (`validation_failed` with `field`). */
const FIELD_HELP = {
  amount: 'Enter the amount as a number, like 12.50, or leave it empty.',
  points: 'Enter the 16-digit card number and a whole number of points (and the bill as 12.50, if any).',
} as const;

/** Where a field the page found invalid sends the person: the vocabulary's code, and the field. */
export const invalidField = (field: keyof typeof FIELD_HELP) =>
  `/partner?error=validation_failed&field=${field}`;

/** The sentence for `?error=<code>[&field=...]`: the vocabulary's, own keys only; unknown codes show nothing. */
export function errorText(code: string | undefined, field?: string): string | undefined {
  if (!code || !isErrorCode(code)) return undefined;
  if (code === 'validation_failed' && field && Object.hasOwn(FIELD_HELP, field))
    return FIELD_HELP[field as keyof typeof FIELD_HELP];
  return ERROR_TEXT[code];
}

const FORM_EXPIRED = 'The form expired. Please try again.';

type FormHandler = (
  c: Context<AppEnv>,
  session: PageSession,
  form: Record<string, string>,
) => Promise<Response>;

/**
 * A state-changing counter form: needs a genuine session, a form of sane size, this origin and the
 * session's CSRF token.
 */
export const withSession = (handler: FormHandler) => async (c: Context<AppEnv>) => {
  const session = await counterSession(c);
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const f = await form(c);
  if (!f) return html(c, <SignIn error={ERROR_TEXT.payload_too_large} />, 413);
  if (!csrfOk(c, session, f.csrf)) return html(c, <SignIn error={FORM_EXPIRED} />, 403);
  return handler(c, session, f);
};

/**
 * Exactly once (see lib/forms `once`), as the counter's session: a refusal goes back to the counter
 * (or `back`) with its sentence, a session that no longer holds to the sign-in page.
 */
export const once = (
  c: Context<AppEnv>,
  session: PageSession,
  f: Record<string, string>,
  action: () => Promise<FormOutcome>,
  back = '/partner',
) =>
  onceFor(
    c,
    f,
    {
      caller: sessionCaller(c, session),
      scope: session.organizationId,
      refusedTo: (r) => refusedTo(r, back),
      ended: (r) => sessionEnded(c, r),
    },
    action,
  );

/** An auth refusal ends the session; any other refusal goes back to the counter with its sentence. */
export const outcomeOf = (r: Refusal): FormOutcome =>
  isCallerRefusal(r) ? { ended: r } : { location: refusedTo(r) };
