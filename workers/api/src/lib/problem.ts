import { ERROR_STATUS, ERROR_TITLES, type ErrorCode, type FieldError } from '@gratia/core';
import type { Context } from 'hono';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

export function problemBody(
  code: ErrorCode,
  requestId: string,
  detail?: string,
  errors?: FieldError[],
): Problem {
  const body: Problem = {
    type: `https://docs.gratia.dev/errors/${code}`,
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
  // biome-ignore lint/suspicious/noExplicitAny: the status literal is checked by the ERROR_STATUS map
): any {
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  const body = problemBody(code, requestId, detail, errors);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId },
  });
}
