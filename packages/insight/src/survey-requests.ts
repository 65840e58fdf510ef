import { DAY_MS, newId } from '@gratia/core';
import { type Deps, patientLinks } from '@gratia/db';
import {
  DEFAULT_MESSAGING_SETTINGS,
  MESSAGE_JOB_SLICE,
  preferredChannelInserts,
  reachableAnySql,
  writeMessageBatch,
} from '@gratia/messaging';
import { sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { LINK_DAYS, linkUrl } from './links';

// Survey requests after visits (issue 13), run by the five-minute cron through the outbox: a clinic's
// `survey_delay_hours` (messaging_settings; default 24, null: none) after a paid visit, the visit's
// survey link (the one "Ask for feedback" makes: one per visit, UNIQUE (visit_id, purpose)) and a
// survey_request message carrying it (reason `survey:<visit>`), written together in one batch.
//
// Bounded: only visits between the delay and the delay plus SURVEY_LOOKBACK_DAYS ago, read per clinic
// through visits_clinic_idx (clinic_id, occurred_at), a slice a run. Skipped: a reversed visit, a visit
// that already has its survey link (made by staff, or by an earlier run) or an answer, a visit already
// messaged about, and a patient no channel reaches for marketing. The message is written only with the
// link the same batch wrote, so two runs racing write one link and one message.

/** How long after the delay a visit is still asked about: a run never reads older visits. */
export const SURVEY_LOOKBACK_DAYS = 7;

type Item = BatchItem<'sqlite'>;

/** Writes the due survey requests (a slice); returns how many messages it wrote. */
export async function surveyRequestMessages(deps: Deps): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const delay = sql`3600000 * (case when s.clinic_id is null then ${DEFAULT_MESSAGING_SETTINGS.surveyDelayHours}
    else s.survey_delay_hours end)`;
  const due = await db.all<{ id: string; clinic_id: string; patient_id: string }>(
    sql`select v.id, v.clinic_id, v.patient_id from organizations o
      left join messaging_settings s on s.clinic_id = o.id
      join visits v on v.clinic_id = o.id
        and v.occurred_at <= ${now} - ${delay}
        and v.occurred_at > ${now - SURVEY_LOOKBACK_DAYS * DAY_MS} - ${delay}
      join patients p on p.id = v.patient_id
      where o.kind = 'clinic'
        and not exists (select 1 from visit_reversals r where r.visit_id = v.id)
        and not exists (select 1 from patient_links l where l.visit_id = v.id and l.purpose = 'survey')
        and not exists (select 1 from survey_responses a where a.patient_id = v.patient_id and a.visit_id = v.id)
        and not exists (select 1 from messages m where m.clinic_id = v.clinic_id
          and m.reason_key = 'survey:' || v.id)
        and ${reachableAnySql('marketing')}
      order by v.occurred_at, v.id limit ${MESSAGE_JOB_SLICE}`,
  );
  if (due.length === 0) return 0;
  const expiresAt = now + LINK_DAYS.survey * DAY_MS;
  const statements: Record<string, readonly Item[]> = {};
  for (const v of due) {
    const linkId = newId('lnk', now);
    statements[v.id] = [
      // The visit's link, unless it was reversed or given a link since the read (the UNIQUE index).
      db
        .insert(patientLinks)
        .select(
          sql`select ${linkId}, v.clinic_id, v.patient_id, 'survey', v.id, null, ${now}, ${expiresAt},
            0, null, null, null, null from visits v where v.id = ${v.id}
            and not exists (select 1 from visit_reversals r where r.visit_id = v.id)`,
        )
        .onConflictDoNothing(),
      ...preferredChannelInserts(db, now, {
        clinicId: v.clinic_id,
        patientId: v.patient_id,
        kind: 'survey_request',
        purpose: 'marketing',
        reasonKey: `survey:${v.id}`,
        vars: { url: await linkUrl(deps, { id: linkId, purpose: 'survey' }) },
        createdBy: 'system',
        from: sql`from patient_links l join patients p on p.id = l.patient_id where l.id = ${linkId}`,
      }),
    ];
  }
  return writeMessageBatch(deps, statements);
}
