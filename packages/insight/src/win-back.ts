import { ok, type Result } from '@gratia/core';
import {
  type AbcClass,
  type AuthRefusal,
  type Caller,
  type CallRecord,
  callRecordOf,
  type Deps,
  keyOrganization,
  keyRefOf,
  lastCallJson,
  patientInsight,
  patients,
  type Quadrant,
  runAsCaller,
} from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';

// The win-back list: the clinic's patients the insight row marks for winning back (their engagement
// dropped, or they are overdue against their own usual interval), most overdue first, with how to reach
// them, why they are on the list and what came of the latest call. One statement, paged by keyset
// through patient_insight_win_back_idx (clinic_id, win_back, overdue_days): ties in overdue days are
// broken by the row's rowid, the index's own last column, so the order needs no sort (a tie-break on
// patient_id would make SQLite sort each page's candidates in a temporary B-tree).

export interface WinBackEntry {
  patientId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  consent: { email: boolean; sms: boolean };
  lastVisitAt: number | null;
  /** The patient's own usual interval between visits, in days (null below two visits). */
  usualIntervalDays: number | null;
  /** Days past that interval (0: not overdue; on the list because engagement dropped). */
  overdueDays: number;
  /** Why the patient is on the list, in a sentence. */
  reason: string | null;
  /** 0-100, now and at the last monthly snapshot. */
  engagement: number;
  engagementPrev: number | null;
  quadrant: Quadrant;
  abcClass: AbcClass | null;
  lastCall: CallRecord | null;
}

/** Where a page ended: the last entry's overdue days and patient. */
export interface WinBackPosition {
  overdueDays: number;
  patientId: string;
}

export interface WinBackInput {
  caller: Caller;
  after: WinBackPosition | null;
  limit: number;
}

export interface WinBackPage {
  entries: WinBackEntry[];
  next: WinBackPosition | null;
}

interface Row {
  patient_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  consent_email: number;
  consent_sms: number;
  last_visit_at: number | null;
  usual_interval_days: number | null;
  overdue_days: number;
  win_back_reason: string | null;
  engagement: number;
  engagement_prev: number | null;
  quadrant: Quadrant;
  abc_class: AbcClass | null;
  last_call: string | null;
}

/** The list's one statement (batchable, explained by the query-plan test); the clinic is the caller key's. */
export function winBackStatement(deps: Deps, input: WinBackInput) {
  const clinicId = keyOrganization(keyRefOf(input.caller));
  const after = input.after;
  const col = <T>(expr: SQL, name: string) => sql<T>`${expr}`.as(name);
  return deps.db
    .select({
      patient_id: col<string>(sql`i.patient_id`, 'patient_id'),
      first_name: col<string>(sql`p.first_name`, 'first_name'),
      last_name: col<string>(sql`p.last_name`, 'last_name'),
      email: col<string | null>(sql`p.email`, 'email'),
      phone: col<string | null>(sql`p.phone`, 'phone'),
      consent_email: col<number>(sql`p.consent_email`, 'consent_email'),
      consent_sms: col<number>(sql`p.consent_sms`, 'consent_sms'),
      last_visit_at: col<number | null>(sql`i.last_visit_at`, 'last_visit_at'),
      usual_interval_days: col<number | null>(sql`i.usual_interval_days`, 'usual_interval_days'),
      overdue_days: col<number>(sql`i.overdue_days`, 'overdue_days'),
      win_back_reason: col<string | null>(sql`i.win_back_reason`, 'win_back_reason'),
      engagement: col<number>(sql`i.engagement`, 'engagement'),
      engagement_prev: col<number | null>(sql`i.engagement_prev`, 'engagement_prev'),
      quadrant: col<Quadrant>(sql`i.quadrant`, 'quadrant'),
      abc_class: col<AbcClass | null>(sql`i.abc_class`, 'abc_class'),
      last_call: col<string | null>(lastCallJson(sql`i.clinic_id`, sql`i.patient_id`), 'last_call'),
    })
    .from(alias(patientInsight, 'i'))
    .innerJoin(alias(patients, 'p'), sql`p.id = i.patient_id`)
    .where(
      sql`i.clinic_id = ${clinicId} and i.win_back = 1
        ${
          after
            ? sql`and i.overdue_days <= ${after.overdueDays} and (i.overdue_days < ${after.overdueDays}
              or i.rowid < (select x.rowid from patient_insight x
                where x.patient_id = ${after.patientId} and x.clinic_id = ${clinicId}))`
            : sql``
        }`,
    )
    .orderBy(sql`i.overdue_days desc, i.rowid desc`)
    .limit(input.limit + 1);
}

/** A page of the clinic's win-back list, most overdue first: one round trip, the key check included. */
export async function listWinBack(
  deps: Deps,
  input: WinBackInput,
): Promise<Result<WinBackPage, AuthRefusal>> {
  const run = await runAsCaller(deps, input.caller, ['clinic'], { rows: winBackStatement(deps, input) });
  if (!run.ok) return run;
  const rows = run.value.results.rows as Row[];
  const more = rows.length > input.limit;
  const page = more ? rows.slice(0, input.limit) : rows;
  const last = page[page.length - 1];
  return ok({
    entries: page.map((r) => ({
      patientId: r.patient_id,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      phone: r.phone,
      consent: { email: r.consent_email === 1, sms: r.consent_sms === 1 },
      lastVisitAt: r.last_visit_at,
      usualIntervalDays: r.usual_interval_days,
      overdueDays: r.overdue_days,
      reason: r.win_back_reason,
      engagement: r.engagement,
      engagementPrev: r.engagement_prev,
      quadrant: r.quadrant,
      abcClass: r.abc_class,
      lastCall: r.last_call === null ? null : callRecordOf(r.last_call),
    })),
    next: more && last ? { overdueDays: last.overdue_days, patientId: last.patient_id } : null,
  });
}
