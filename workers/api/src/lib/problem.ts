import { ERROR_STATUS, ERROR_TITLES, type ErrorCode, type FieldError } from '@gratia/core';
import type { Context } from 'hono';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemTypeUrl = (code: ErrorCode, base = '') => `${base.replace(/\/+$/, '')}/problems/${code}`;

/** Where the problem pages are served: PUBLIC_BASE_URL when set, else the request's own origin. */
export function problemBase(c: Context): string {
  const configured = (c.env as { PUBLIC_BASE_URL?: string } | undefined)?.PUBLIC_BASE_URL;
  return configured || new URL(c.req.url).origin;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

/**
 * The problem document for `code`. Its `type` is this platform's own page for the code
 * (`/problems/{code}`): absolute from `base` (the deployment's origin), else a relative reference.
 */
export function problemBody(
  code: ErrorCode,
  requestId: string,
  detail?: string,
  errors?: FieldError[],
  base = '',
): Problem {
  const body: Problem = {
    type: problemTypeUrl(code, base),
    title: ERROR_TITLES[code],
    status: ERROR_STATUS[code],
    detail: detail ?? ERROR_TITLES[code],
    code,
    request_id: requestId,
  };
  if (errors) body.errors = errors;
  return body;
}

/** An RFC 9457 problem response with the stable `code` and the request id. */
export function problem(
  c: Context,
  code: ErrorCode,
  detail?: string,
  errors?: FieldError[],
  retryAt?: number,
  // biome-ignore lint/suspicious/noExplicitAny: the status literal is checked by the ERROR_STATUS map
): any {
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  const body = problemBody(code, requestId, detail, errors, problemBase(c));
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId };
  if (retryAt !== undefined) {
    const now = (c.get('clock') as { now(): number } | undefined)?.now() ?? Date.now();
    headers['retry-after'] = retryAfter(retryAt, now);
  }
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

/** A Retry-After header value (whole seconds, at least 1) for a caller who may try again at `retryAt`. */
export const retryAfter = (retryAt: number, now: number) =>
  String(Math.max(1, Math.ceil((retryAt - now) / 1000)));
