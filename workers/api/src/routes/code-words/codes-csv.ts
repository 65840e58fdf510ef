import { err, ok, type Refusal, type Result } from '@gratia/core';
import type { Deps, OrgPrincipal } from '@gratia/db';
import { listCodeWordCodes, type PatientCode } from '@gratia/loyalty';
import { csvCell } from '@gratia/settlement';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { CodeWordIdParam } from './schema';

// A campaign's codes for sending them (issue 13 will send them itself): RFC 4180 through the settlement
// CSV's cell rule (formula-injection safe), read 500 codes at a time by patient id and streamed.

export const CODES_CSV_COLUMNS = [
  'patient_id',
  'first_name',
  'last_name',
  'code',
  'phone',
  'email',
  'consent_email',
  'consent_sms',
] as const;
const CHUNK = 500;

const row = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;
const codeRow = (c: PatientCode) =>
  row([
    c.patientId,
    c.firstName,
    c.lastName,
    c.code,
    c.phone,
    c.email,
    c.consentEmail ? 'yes' : 'no',
    c.consentSms ? 'yes' : 'no',
  ]);

/** Every code of the clinic's campaign as a CSV stream; the first page proves the campaign is the clinic's. */
export async function codesCsv(
  deps: Deps,
  clinic: OrgPrincipal,
  id: string,
): Promise<Result<{ word: string; body: ReadableStream<Uint8Array> }, Refusal<'code_word_not_found'>>> {
  const first = await listCodeWordCodes(deps, { clinic, id, after: null, limit: CHUNK });
  if (!first.ok) return err(first.error);
  const encoder = new TextEncoder();
  let page: { codes: PatientCode[]; next: string | null } | null = first.value;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(row([...CODES_CSV_COLUMNS])));
        return;
      }
      if (page === null) {
        controller.close();
        return;
      }
      if (page.codes.length > 0) controller.enqueue(encoder.encode(page.codes.map(codeRow).join('')));
      const after = page.next;
      if (after === null) {
        page = null;
        return;
      }
      const next = await listCodeWordCodes(deps, { clinic, id, after, limit: CHUNK });
      page = next.ok ? next.value : null;
    },
  });
  return ok({ word: first.value.word, body });
}

export const csvResponse = (word: string, body: ReadableStream<Uint8Array>) =>
  new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="codes-${word.toLowerCase()}.csv"`,
      'cache-control': 'no-store',
    },
  });

export const route = createRoute({
  method: 'get',
  path: '/v1/code-words/{id}/codes.csv',
  operationId: 'getCodeWordCodesCsv',
  tags: ['Code words'],
  summary: 'Every unique code of a campaign, with what sending it needs, as CSV',
  description:
    'RFC 4180 (header row, CRLF), UTF-8, formula-injection safe: patient_id, first_name, last_name, code, phone, email, consent_email, consent_sms. Streamed 500 codes at a time.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: CodeWordIdParam },
  responses: {
    200: {
      description: 'The codes, one row each',
      content: { 'text/csv': { schema: z.string().openapi({ example: 'patient_id,first_name,...' }) } },
    },
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerCodeWordCodesCsv(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const out = await codesCsv(c.var.deps, orgOf(c), id);
    if (!out.ok) return refusal(c, out.error);
    return csvResponse(out.value.word, out.value.body);
  });
}
