import { type Db, patientInsight } from '@gratia/db';
import { sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';

// The per-patient insight row (patient_insight), re-derived from what is stored about the patient:
// append these statements to the batch of anything that changes what the row depends on (an answer, a
// survey), so the row is never behind the event that changed it. Work that time alone changes
// (recency, trailing windows, A/B/C) is re-derived by the daily refresh.

/** Statements that bring one patient's insight row up to date (creating it if missing). */
export function refreshPatientInsight(db: Db, patientId: string, now: number): BatchItem<'sqlite'>[] {
  return [
    db
      .insert(patientInsight)
      .values({
        patientId,
        clinicId: sql`(select p.clinic_id from patients p where p.id = ${patientId})`,
        refreshedAt: now,
      })
      .onConflictDoNothing(),
  ];
}
