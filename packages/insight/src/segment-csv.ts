import { err, ok, type Refusal, type Result, toIso, toMajorUnits } from '@gratia/core';
import type { Deps, OrgPrincipal } from '@gratia/db';
import { csvCell } from '@gratia/settlement';
import { listSegmentMembers, type SegmentMember } from './segments';

// A segment's members for a spreadsheet or a mailing tool: RFC 4180 (header row, CRLF, quoted where
// needed) through the settlement CSV's cell rule (formula-injection safe: a name like "=HYPERLINK(...)"
// is written as text), every member, read from D1 in keyset chunks of 500 by patient id and streamed,
// so a segment of 100,000 patients never sits in memory.

export const SEGMENT_CSV_COLUMNS = [
  'patient_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'abc_class',
  'quadrant',
  'spend_12m',
  'currency',
  'last_visit_at',
  'engagement',
  'consent_email',
  'consent_sms',
] as const;

export const SEGMENT_CSV_CHUNK = 500;

const row = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;

const memberRow = (m: SegmentMember, currency: string) =>
  row([
    m.patientId,
    m.firstName,
    m.lastName,
    m.email,
    m.phone,
    m.abcClass,
    m.quadrant,
    toMajorUnits(m.spend12m, currency),
    currency,
    m.lastVisitAt === null ? null : toIso(m.lastVisitAt),
    m.engagement,
    m.consentEmail ? 'yes' : 'no',
    m.consentSms ? 'yes' : 'no',
  ]);

/**
 * Every member of the clinic's segment as a CSV byte stream. The first chunk is read before the stream
 * is made (it proves the segment is the clinic's: a refusal, not an empty file), the rest as it is read.
 */
export async function segmentMembersCsv(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; chunk?: number },
): Promise<Result<ReadableStream<Uint8Array>, Refusal<'segment_not_found' | 'forbidden'>>> {
  const limit = input.chunk ?? SEGMENT_CSV_CHUNK;
  const first = await listSegmentMembers(deps, { clinic: input.clinic, id: input.id, after: null, limit });
  if (!first.ok) return err(first.error);
  const currency = input.clinic.organization.currency;
  const encoder = new TextEncoder();
  let page: { members: SegmentMember[]; next: string | null } | null = first.value;
  let after: string | null = null;
  let started = false;
  return ok(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(row([...SEGMENT_CSV_COLUMNS])));
          return;
        }
        if (page === null) {
          const next = await listSegmentMembers(deps, { clinic: input.clinic, id: input.id, after, limit });
          // Archived while being read: what was written stands, the file ends.
          page = next.ok ? next.value : { members: [], next: null };
        }
        if (page.members.length > 0)
          controller.enqueue(encoder.encode(page.members.map((m) => memberRow(m, currency)).join('')));
        after = page.next;
        page = null;
        if (after === null) controller.close();
      },
    }),
  );
}
