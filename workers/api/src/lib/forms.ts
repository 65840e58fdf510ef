import { type Refusal, randomToken, sha256Hex } from '@gratia/core';
import {
  type Caller,
  claimIdempotencyKey,
  completeIdempotencyKey,
  markCommitsOf,
  readIdempotentAnswer,
  releaseIdempotencyKey,
} from '@gratia/db';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { readCappedBytes, readCappedText } from './body';

// What every page form shares (the console's, the counter page's): reading a form of sane size, and
// exactly-once submission.

const MAX_FORM_BYTES = 16 * 1024;

/** A submitted form (URL-encoded, as the pages send them), or null when it is over the size limit. */
export async function form(c: Context<AppEnv>): Promise<Record<string, string> | null> {
  const text = await readCappedText(c, MAX_FORM_BYTES);
  if (text === null) return null;
  return Object.fromEntries(new URLSearchParams(text));
}

/** A form that may carry files: its text fields, and the bytes of each file chosen (empty ones left out). */
export interface UploadForm {
  fields: Record<string, string>;
  files: Record<string, Uint8Array>;
}

/**
 * A form sent as multipart/form-data (one with a file input), read up to `maxBytes` in all, declared
 * length or not: 'too_large' past it (without reading the rest), 'malformed' when it does not parse.
 * A URL-encoded form (a browser that dropped the file) is read as one without files.
 */
export async function uploadForm(
  c: Context<AppEnv>,
  maxBytes: number,
): Promise<UploadForm | 'too_large' | 'malformed'> {
  const type = c.req.header('content-type') ?? '';
  const bytes = await readCappedBytes(c, maxBytes);
  if (bytes === null) return 'too_large';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    if (bytes.byteLength > MAX_FORM_BYTES) return 'too_large';
    return { fields: Object.fromEntries(new URLSearchParams(new TextDecoder().decode(bytes))), files: {} };
  }
  let data: FormData;
  try {
    data = await new Response(bytes, { headers: { 'content-type': type } }).formData();
  } catch {
    return 'malformed';
  }
  const out: UploadForm = { fields: {}, files: {} };
  for (const [name, value] of data) {
    if (typeof value === 'string') out.fields[name] = value;
    else if (value.size > 0) out.files[name] = new Uint8Array(await value.arrayBuffer());
  }
  return out;
}

/** A fresh one-time submission key for a form that changes something. */
export const newSubmissionKey = () => randomToken(18);
const SUBMISSION_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** What a form's action decided: where to send the person, or that the session no longer holds. */
export type FormOutcome = { location: string } | { ended: Refusal };

export interface OnceOptions {
  /** The session's caller: the claim of the submission key proves it in the same round trip. */
  caller: Caller;
  /** The organisation the key is scoped to. */
  scope: string;
  /** Where a refusal of the submission itself (a reused key...) sends the person. */
  refusedTo(r: Refusal): string;
  /** The answer when the session no longer holds (signed out, removed, locked). */
  ended(r: Refusal): Response | Promise<Response>;
}

/**
 * Exactly once: the form's one-time submission key becomes the operation's idempotency key (scoped to
 * the organisation, claimed in one round trip that also checks the session's key). The first submit
 * runs the action and stores where it led; a repeated submit (a double tap, a browser retry) is sent
 * to the same place and changes nothing more. The same key with other values is refused.
 */
export async function once(
  c: Context<AppEnv>,
  f: Record<string, string>,
  opts: OnceOptions,
  action: () => Promise<FormOutcome>,
): Promise<Response> {
  const key = f.submission ?? '';
  if (!SUBMISSION_KEY.test(key)) return c.redirect(opts.refusedTo({ code: 'invalid_idempotency_key' }), 303);
  const fields = Object.entries(f)
    .filter(([k]) => k !== 'csrf' && k !== 'submission')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const requestHash = await sha256Hex(`${c.req.path}\n${JSON.stringify(fields)}`);
  const { deps } = c.var;
  const claimed = await claimIdempotencyKey(deps, { caller: opts.caller, key: `form:${key}`, requestHash });
  if (!claimed.ok) return opts.ended(claimed.error);
  const claim = claimed.value.claim;
  if (claim.state === 'replay') return c.redirect(claim.body, 303);
  if (claim.state === 'reused') return c.redirect(opts.refusedTo({ code: 'idempotency_key_reused' }), 303);
  if (claim.state === 'committed')
    return c.redirect(opts.refusedTo({ code: 'idempotency_key_committed' }), 303);
  if (claim.state === 'in_flight') {
    // The twin of a submit still running (a double tap): wait for its answer and show the same.
    const answer = await awaitAnswer(c, { scope: opts.scope, key: `form:${key}` });
    return c.redirect(answer?.body ?? opts.refusedTo({ code: 'idempotency_key_in_use' }), 303);
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
    return opts.ended(outcome.ended);
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

/** A refusal that is about the caller (signed out, not allowed, locked), not about the request. */
export const isCallerRefusal = (r: Refusal) =>
  r.code === 'unauthorized' || r.code === 'forbidden' || r.code === 'rate_limited';
