import { type SQL, sql } from 'drizzle-orm';
import type { CallOutcome } from './schema';

// A call outcome as the console and the API show it, with who recorded it: read as one JSON value per
// record straight from SQL, so a list (the call list, the win-back list, a patient's page) carries a
// patient's latest call in its own statement. Shared by @gratia/points (which records calls) and
// @gratia/insight (whose win-back list shows them), which cannot depend on each other both ways.

/** Who recorded a call: a staff member (through their console key), or an API key. */
export interface CallRecorder {
  kind: 'staff' | 'api_key';
  id: string;
  /** The staff member's name, or the key's (keys may be unnamed). */
  name: string | null;
}

export interface CallRecord {
  id: string;
  patientId: string;
  outcome: CallOutcome;
  note: string | null;
  at: number;
  by: CallRecorder;
}

/** The columns of a call record `c` with who made it (`k`: the key, `m`: its staff member). */
export const CALL_RECORD_JSON = sql`json_object('id', c.id, 'patient_id', c.patient_id, 'outcome', c.outcome,
  'note', c.note, 'at', c.at, 'key_id', c.key_id, 'key_name', k.name, 'staff_id', c.staff_id,
  'staff_name', m.name)`;
export const CALL_RECORD_FROM = sql`call_outcomes c join api_keys k on k.id = c.key_id
  left join staff_members m on m.id = c.staff_id`;

/**
 * Newest first; within a millisecond, the later written first (ids are random within one), straight
 * from call_outcomes_patient_idx, whose entries end in the rowid.
 */
export const CALL_NEWEST_FIRST = sql`c.at desc, c.rowid desc`;

interface RecordJson {
  id: string;
  patient_id: string;
  outcome: CallOutcome;
  note: string | null;
  at: number;
  key_id: string;
  key_name: string | null;
  staff_id: string | null;
  staff_name: string | null;
}

/** A call record from its JSON (CALL_RECORD_JSON). */
export function callRecordOf(json: string): CallRecord {
  const r = JSON.parse(json) as RecordJson;
  return {
    id: r.id,
    patientId: r.patient_id,
    outcome: r.outcome,
    note: r.note,
    at: r.at,
    by:
      r.staff_id !== null
        ? { kind: 'staff', id: r.staff_id, name: r.staff_name }
        : { kind: 'api_key', id: r.key_id, name: r.key_name },
  };
}

/**
 * A patient's latest call record as JSON (null: never called), for a select list: one seek on
 * call_outcomes_patient_idx per patient.
 */
export const lastCallJson = (clinicId: SQL | string, patientId: SQL | string) =>
  sql`(select ${CALL_RECORD_JSON} from ${CALL_RECORD_FROM}
    where c.clinic_id = ${clinicId} and c.patient_id = ${patientId}
    order by ${CALL_NEWEST_FIRST} limit 1)`;
