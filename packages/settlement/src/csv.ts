import { toIso, toMajorUnits } from '@gratia/core';
import type { Deps, Principal } from '@gratia/db';
import { type LineWithParties, readLines } from './statement';

// A period's lines for accountants: RFC 4180 CSV (header row, CRLF, quoted where needed), UTF-8
// without BOM, amounts in major units beside their currency, and formula-injection safe (OWASP: a
// text cell starting with =, +, -, @, tab or CR is prefixed with a quote; our own numbers are left
// as numbers). Streamed a page of lines at a time, so a month of 100,000 lines never sits in memory.

export const CSV_COLUMNS = [
  'line_id',
  'time',
  'kind',
  'entry',
  'redemption_id',
  'voucher_or_card',
  'offer_or_points',
  'counterparty_id',
  'counterparty',
  'direction',
  'gross',
  'fee',
  'net',
  'currency',
  'receipt_id',
] as const;

const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA = /^[=+\-@\t\r]/;

/** A formula trigger after a separator Excel may split on (";" in German locales, ",", tab). */
const EMBEDDED_FORMULA = /([;,\t])(\s*)([=+\-@])/g;

export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (typeof value === 'string' && !NUMBER.test(s)) {
    if (FORMULA.test(s)) s = `'${s}`;
    s = s.replace(EMBEDDED_FORMULA, "$1$2'$3");
  }
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;

function lineRow(line: LineWithParties, principal: Principal): string {
  const mine = principal.role === 'operator' ? null : principal.organizationId;
  const payable = mine === line.payerId;
  const counterpartyId =
    mine === null ? `${line.payerId}>${line.payeeId}` : payable ? line.payeeId : line.payerId;
  const counterparty =
    mine === null ? `${line.payerName} > ${line.payeeName}` : payable ? line.payeeName : line.payerName;
  return row([
    line.id,
    toIso(line.occurredAt),
    line.kind,
    line.entry,
    line.redemptionId,
    line.voucherId ?? (line.cardLast4 ? `card ${line.cardLast4}` : null),
    line.title,
    counterpartyId,
    counterparty,
    mine === null ? null : payable ? 'payable' : 'receivable',
    toMajorUnits(line.gross, line.currency),
    toMajorUnits(line.fee, line.currency),
    toMajorUnits(line.net, line.currency),
    line.currency,
    line.id,
  ]);
}

export const CSV_PAGE = 500;

/** The period's lines visible to `principal` as a CSV byte stream, read from D1 a page at a time. */
export function linesCsv(
  deps: Deps,
  input: { principal: Principal; period: string },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: string | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(row([...CSV_COLUMNS])));
        return;
      }
      const lines = await readLines(deps, { ...input, after, limit: CSV_PAGE });
      if (lines.length > 0) {
        controller.enqueue(encoder.encode(lines.map((l) => lineRow(l, input.principal)).join('')));
        after = lines[lines.length - 1]!.id;
      }
      if (lines.length < CSV_PAGE) controller.close();
    },
  });
}
