import { ERROR_STATUS, type ErrorCode } from '@gratia/core';
import { z } from '@hono/zod-openapi';
import { PROBLEM_CONTENT_TYPE } from './problem';

// Shared OpenAPI schemas: money, problems, lists. Request objects are strict so that a mistyped field
// is a clear 400 rather than silently ignored.

export const CurrencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
  .openapi({ example: 'EUR' });

export const MoneySchema = z
  .object({
    amount: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000_00)
      .openapi({ description: 'Integer minor units', example: 8500 }),
    currency: CurrencySchema,
  })
  .strict()
  .openapi('Money');

export const TimestampSchema = z
  .string()
  .openapi({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    request_id: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid request',
  401: 'Missing or invalid credentials',
  403: 'The key may not do this',
  404: 'Not found (or another tenant’s resource)',
  409: 'Conflict with the current state',
  410: 'Gone',
  413: 'Body too large',
  415: 'Body must be JSON',
  422: 'Request understood but refused',
};

/** Problem responses for the given statuses, for a route's `responses`. */
export function problemResponses<const S extends number>(...statuses: S[]) {
  const out = {} as Record<
    S,
    { description: string; content: Record<string, { schema: typeof ProblemSchema }> }
  >;
  for (const s of statuses) {
    out[s] = {
      description: STATUS_DESCRIPTIONS[s] ?? 'Error',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return out;
}

/** The errors every authenticated JSON route can answer with. */
export const commonErrors = problemResponses(400, 401, 403, 413, 415);

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1 to 200' }),
  cursor: z.string().max(200).optional().openapi({ description: 'Opaque cursor from next_cursor' }),
});

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);

export const IdParam = (name: string, example: string) =>
  z.object({
    id: z
      .string()
      .max(64)
      .openapi({ param: { name: 'id', in: 'path' }, example, description: name }),
  });

/** The signed receipt of a redemption or reversal (see GET /v1/redemptions/{id}/receipt). */
export const ReceiptSchema = z.string().nullable().openapi({
  description:
    'The signed receipt (compact JWS, typ receipt+jwt, verifiable against /.well-known/jwks.json) of what the issuing clinic owes for this; null when nothing is owed (points honoured by their own clinic)',
});
