import { newId } from '@gratia/core';
import { type Db, MESSAGE_PURPOSE, type MessageChannel, type MessageKind, messages } from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';

// Writing a message: one INSERT, meant for the batch of the event that causes it (a voucher issued, a
// reward written, a reminder due), so the message exists exactly when the event does. The row's reason
// key is UNIQUE per clinic: the same reason again (a retried request, a second cron run) writes nothing.
// Nothing is checked here but the guard: consent, quiet hours and the cap are the consumer's, at send
// time, so a consent withdrawn after the event still stops the message.

/** A value or a SQL expression over the guard's FROM (e.g. `v.patient_id`). */
type Value<T> = T | SQL;

export interface NewMessage {
  clinicId: Value<string>;
  /** The patient it is for (null for staff: then `toAddress`). */
  patientId: Value<string> | null;
  kind: MessageKind;
  channel: MessageChannel;
  /** Never twice for the same reason, per clinic (e.g. `voucher:<id>:email`, `expiry:<lot>`). */
  reasonKey: Value<string>;
  /** The template's variables; a SQL expression must yield a JSON object text. */
  vars: Record<string, string | number | null> | SQL;
  /** A staff member's id, an API key's id, or `system`. */
  createdBy: Value<string>;
  /** Only for messages without a patient (staff sign-in links). */
  toAddress?: string | null;
  /** Not before this time (e.g. a survey request a day after the visit). */
  notBefore?: Value<number> | null;
  /**
   * `from ... where ...` (or `where ...`) the row is written under: the event's own row, read in the same
   * batch (e.g. `from vouchers v where v.id = ${id}`). Without it the message is written unconditionally.
   */
  guard?: SQL;
}

/** The message's id and its INSERT (no row when the guard fails or the reason was already messaged). */
export function messageInsert(
  db: Db,
  now: number,
  m: NewMessage,
): { id: string; statement: ReturnType<typeof insertOf> } {
  const id = newId('msg', now);
  return { id, statement: insertOf(db, id, now, m) };
}

function insertOf(db: Db, id: string, now: number, m: NewMessage) {
  const vars = isSql(m.vars) ? m.vars : sql`${JSON.stringify(m.vars)}`;
  return db
    .insert(messages)
    .select(
      sql`select ${id}, ${m.clinicId}, ${m.patientId}, ${m.kind}, ${MESSAGE_PURPOSE[m.kind]}, ${m.channel},
        ${m.reasonKey}, ${vars}, 'queued', null, ${m.notBefore ?? null}, 0, null, ${m.toAddress ?? null},
        null, null, null, null, null, ${m.createdBy}, ${now}, null, null, ${now}
        ${m.guard ?? sql`where 1`}`,
    )
    .onConflictDoNothing();
}

const isSql = (v: unknown): v is SQL => typeof v === 'object' && v !== null && 'queryChunks' in v;
