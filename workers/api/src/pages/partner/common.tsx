import { ERROR_TEXT, isErrorCode, type Refusal, randomToken, sha256Hex } from '@gratia/core';
import {
  type Caller,
  claimIdempotencyKey,
  completeIdempotencyKey,
  markCommitsOf,
  readIdempotentAnswer,
  releaseIdempotencyKey,
} from '@gratia/db';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { readCappedText } from '../../lib/body';
import { retryAfter } from '../../lib/problem';
import { sourceAddress } from '../../middleware/auth';
import { csrfOk, endSession, type PartnerSession, readSession } from './session';
import { SignIn } from './views';

// What every counter-page handler shares: rendering, the session as a caller of the use cases, forms,
// and exactly-once submission.

const MAX_FORM_BYTES = 16 * 1024;

export const html = (
  c: Context<AppEnv>,
  node: unknown,
  status: 200 | 400 | 401 | 403 | 404 | 413 | 429 = 200,
) => c.html(`<!doctype html>${node}`, status);

/**
 * The session as a caller: its own API key, looked up inside each use case's batch, still unrevoked,
 * still a partner, still this partner. A key revoked meanwhile ends the session at the next request.
 */
export const sessionCaller = (c: Context<AppEnv>, session: PartnerSession): Caller => ({
  resolved: false,
  key: { session: session.id, at: c.var.clock.now(), from: sourceAddress(c) },
  roles: ['partner'],
  organizationId: session.partnerId,
});

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
  endSession(c);
  return html(c, <SignIn error={ERROR_TEXT.unauthorized} />, 401);
}

/** Where a form's refusal sends the person: back to the counter with the refusal's own sentence. */
export const refusedTo = (r: Refusal) => `/partner?error=${r.code}`;

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

/** A submitted form (URL-encoded, as the pages send them), or null when it is over the size limit. */
export async function form(c: Context<AppEnv>): Promise<Record<string, string> | null> {
  const text = await readCappedText(c, MAX_FORM_BYTES);
  if (text === null) return null;
  return Object.fromEntries(new URLSearchParams(text));
}

/** A fresh one-time submission key for a form that changes something. */
export const newSubmissionKey = () => randomToken(18);
const SUBMISSION_KEY = /^[A-Za-z0-9_-]{16,64}$/;

type FormHandler = (
  c: Context<AppEnv>,
  session: PartnerSession,
  form: Record<string, string>,
) => Promise<Response>;

/**
 * A state-changing counter form: needs a genuine session, a form of sane size, this origin and the
 * session's CSRF token.
 */
export const withSession = (handler: FormHandler) => async (c: Context<AppEnv>) => {
  const session = await readSession(c);
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const f = await form(c);
  if (!f) return html(c, <SignIn error={ERROR_TEXT.payload_too_large} />, 413);
  if (!csrfOk(c, session, f.csrf)) return html(c, <SignIn error={FORM_EXPIRED} />, 403);
  return handler(c, session, f);
};

/** What a form's action decided: where to send the person, or that the session's key no longer holds. */
export type FormOutcome = { location: string } | { ended: Refusal };

/**
 * Exactly once: the form's one-time submission key becomes the operation's idempotency key (scoped to
 * the partner, claimed in one round trip that also checks the session's key). The first submit runs
 * the action and stores where it led; a repeated submit (a double tap, a browser retry) is sent to the
 * same place and charges nothing more. The same key with other values is refused.
 */
export async function once(
  c: Context<AppEnv>,
  session: PartnerSession,
  f: Record<string, string>,
  action: () => Promise<FormOutcome>,
): Promise<Response> {
  const key = f.submission ?? '';
  if (!SUBMISSION_KEY.test(key)) return c.redirect(refusedTo({ code: 'invalid_idempotency_key' }), 303);
  const fields = Object.entries(f)
    .filter(([k]) => k !== 'csrf' && k !== 'submission')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const requestHash = await sha256Hex(`${c.req.path}\n${JSON.stringify(fields)}`);
  const { deps } = c.var;
  const claimed = await claimIdempotencyKey(deps, {
    caller: sessionCaller(c, session),
    key: `form:${key}`,
    requestHash,
  });
  if (!claimed.ok) return sessionEnded(c, claimed.error);
  const claim = claimed.value.claim;
  if (claim.state === 'replay') return c.redirect(claim.body, 303);
  if (claim.state === 'reused') return c.redirect(refusedTo({ code: 'idempotency_key_reused' }), 303);
  if (claim.state === 'committed') return c.redirect(refusedTo({ code: 'idempotency_key_committed' }), 303);
  if (claim.state === 'in_flight') {
    // The twin of a submit still running (a double tap): wait for its answer and show the same.
    const answer = await awaitAnswer(c, { scope: session.partnerId, key: `form:${key}` });
    return c.redirect(answer?.body ?? refusedTo({ code: 'idempotency_key_in_use' }), 303);
  }
  markCommitsOf(deps.db, claim.hold);
  let outcome: FormOutcome;
  try {
    outcome = await action();
  } catch (e) {
    await releaseIdempotencyKey(deps.db, claim.hold);
    throw e;
  }
  if ('ended' in outcome) {
    // Refused as a caller (signed out, key revoked, locked): every guarded write proved the caller and
    // wrote nothing, so the key goes even if the batch carried the commit marker.
    await releaseIdempotencyKey(deps.db, claim.hold, { nothingWritten: true });
    return sessionEnded(c, outcome.ended);
  }
  await completeIdempotencyKey(deps.db, claim.hold, 303, outcome.location);
  return c.redirect(outcome.location, 303);
}

const TWIN_WAIT_MS = 5_000;
const TWIN_POLL_MS = 50;

async function awaitAnswer(c: Context<AppEnv>, where: { scope: string; key: string }) {
  for (let waited = 0; waited < TWIN_WAIT_MS; waited += TWIN_POLL_MS) {
    await scheduler.wait(TWIN_POLL_MS);
    const answer = await readIdempotentAnswer(c.var.deps.db, where);
    if (answer) return answer;
  }
  return null;
}

/** An auth refusal ends the session; any other refusal goes back to the counter with its sentence. */
export const outcomeOf = (r: Refusal): FormOutcome =>
  r.code === 'unauthorized' || r.code === 'forbidden' || r.code === 'rate_limited'
    ? { ended: r }
    : { location: refusedTo(r) };
