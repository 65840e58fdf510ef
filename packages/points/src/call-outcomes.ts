import { err, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  auditEntry,
  CALL_NEWEST_FIRST,
  CALL_RECORD_FROM,
  CALL_RECORD_JSON,
  type CallOutcome,
  type CallRecord,
  callOutcomes,
  callRecordOf,
  type Db,
  type Deps,
  type OrgPrincipal,
  patients,
  runBatch,
} from '@gratia/db';
import { and, eq, sql } from 'drizzle-orm';

// What came of the calls staff make from the call list: reached, left a message, no answer, or do not
// call. Each call is a record of its own (append-only: a trigger refuses updates), with the key that
// recorded it and the staff member that key belongs to, so the console shows who called whom.
//
// Do not call: a patient whose LATEST outcome is `do_not_call` is left off the call list (buildCallList)
// until a later outcome of another kind is recorded for them (staff called back at the patient's
// request, say). Nothing else is kept: the latest record decides, so the history explains the state.

/** Where a page of a patient's call history ends: the last record's time and id. */
export interface CallPosition {
  at: number;
  id: string;
}

/** Call records as a batchable query (raw SQL cannot be batched with parameters). */
const selectRecords = (db: Db) =>
  db.select({ record: sql<string>`${CALL_RECORD_JSON}`.as('record') }).from(CALL_RECORD_FROM);

/** The patient, only if it is the clinic's. */
const ownPatientRow = (db: Db, clinicId: string, patientId: string) =>
  db
    .select({ id: patients.id })
    .from(patients)
    .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId)));

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

/**
 * Records what came of a call to one of the clinic's patients, with an audit entry, in one batch: the
 * row is inserted only if the patient is the clinic's and the key is live, and the entry only if the
 * row was; another clinic's patient is not found.
 */
export async function recordCallOutcome(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; outcome: CallOutcome; note?: string | null },
): Promise<Result<CallRecord, Refusal<'patient_not_found' | 'unauthorized'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('cal', now);
  const { organizationId: clinicId, keyId } = input.clinic;
  const ownPatient = sql`exists (select 1 from patients p
    where p.id = ${input.patientId} and p.clinic_id = ${clinicId})`;
  const done = await runBatch(db, {
    record: db.insert(callOutcomes).select(
      sql`select ${id}, ${clinicId}, ${input.patientId}, ${input.outcome}, ${input.note ?? null}, ${keyId},
          (select m.id from staff_members m where m.key_id = ${keyId}), ${now}
        where ${ownPatient}
          and exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`,
    ),
    audit: auditEntry(db, {
      actor: { id: keyId },
      organizationId: clinicId,
      action: 'call.record',
      subject: { type: 'call_outcome', id },
      patientId: input.patientId,
      detail: { outcome: input.outcome },
      when: sql`exists (select 1 from call_outcomes x where x.id = ${id})`,
      at: now,
    }),
    after: selectRecords(db).where(sql`c.id = ${id}`),
    patient: ownPatientRow(db, clinicId, input.patientId),
  });
  const row = done.after[0];
  if (row) return ok(callRecordOf(row.record));
  // Not recorded: the patient is not the clinic's, or the key was revoked since the request began.
  if (done.patient.length === 0) return err(notFound(input.patientId));
  return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}

/**
 * A patient's call history, newest first, with who made each call: the patient (only if it is the
 * clinic's) and one page, in one round trip, read from call_outcomes_patient_idx.
 */
export async function listCallOutcomes(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; before: CallPosition | null; limit: number },
): Promise<Result<{ records: CallRecord[]; next: CallPosition | null }, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(notFound(input.patientId));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const before = input.before;
  const read = await runBatch(db, {
    patient: ownPatientRow(db, clinicId, input.patientId),
    page: selectRecords(db)
      .where(
        sql`c.clinic_id = ${clinicId} and c.patient_id = ${input.patientId}
          ${
            before
              ? sql`and c.at <= ${before.at} and (c.at < ${before.at}
            or c.rowid < (select x.rowid from call_outcomes x where x.id = ${before.id}))`
              : sql``
          }`,
      )
      .orderBy(CALL_NEWEST_FIRST)
      .limit(input.limit + 1),
  });
  if (read.patient.length === 0) return err(notFound(input.patientId));
  const records = read.page.map((r) => callRecordOf(r.record));
  const more = records.length > input.limit;
  const kept = more ? records.slice(0, input.limit) : records;
  const last = kept[kept.length - 1];
  return ok({ records: kept, next: more && last ? { at: last.at, id: last.id } : null });
}
