import { DAY_MS, localDate } from '@gratia/core';
import { type Deps, type MessageChannel, messages, planItems, runBatch } from '@gratia/db';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { DEFAULT_MESSAGING_SETTINGS } from './consumer';
import { messageInsert } from './enqueue';
import {
  CHANNEL_WORD,
  preferredChannelInserts,
  reachableAnySql,
  reachableSql,
  writtenIds,
} from './producers';

// The scheduled messages (issue 13), run by the cron every few minutes: expiring points, birthdays and
// due plan items on the SMS or e-mail channel. Each job reads a bounded slice of what is due, through an
// index on the due thing (lots by expiry, patients by birth month-day, plan items by clinic, status and
// due day), skipping what already has its message (the reason key, UNIQUE per clinic), and writes the
// slice's messages in one batch: a second run, or two runs racing, write nothing twice.
//
// Only patients a channel reaches now (an address that has not bounced and consent for the message's
// purpose) get a row: a patient no channel reaches would only collect suppressed rows every run. The
// consumer checks consent again when it sends.

/** What the jobs need from outside the outbox: the patient's own page (their card), signed. */
export interface MessageJobLinks {
  patientUrl(patientId: string): Promise<string>;
}

/** Messages one job writes per run at most (each patient message is two guarded INSERTs). */
export const MESSAGE_JOB_SLICE = 40;
/** The furthest ahead a reminder looks, whatever a clinic sets: bounds the lots a run reads. */
export const MAX_EXPIRY_REMINDER_DAYS = 90;

type Item = BatchItem<'sqlite'>;

/**
 * Writes a scheduled job's slice in one batch and hands the messages written to the queue; returns how
 * many were written (entries that wrote nothing, a reason already messaged, count for nothing).
 */
export async function writeMessageBatch(
  deps: Deps,
  statements: Record<string, readonly Item[]>,
): Promise<number> {
  if (Object.keys(statements).length === 0) return 0;
  const done = await runBatch(deps.db, statements);
  // Each entry's results: the INSERT ... RETURNING rows (and, for plan items, the update's outcome).
  const returned = Object.values(done)
    .flat()
    .filter((r): r is { id: string }[] => Array.isArray(r));
  const ids = writtenIds(...returned);
  if (ids.length > 0) deps.dispatch?.(ids);
  return ids.length;
}

/**
 * What is due in each clinic timezone on its local day (`today`, YYYY-MM-DD), zone by zone until the
 * run's slice is spent: `read` gets the slice left.
 */
async function dueByClinicZone<T>(
  deps: Deps,
  read: (timezone: string, today: string, slice: number) => Promise<T[]>,
): Promise<T[]> {
  const zones = await deps.db.all<{ timezone: string }>(
    sql`select distinct timezone from organizations where kind = 'clinic'`,
  );
  const due: T[] = [];
  for (const { timezone } of zones) {
    const slice = MESSAGE_JOB_SLICE - due.length;
    if (slice <= 0) break;
    due.push(...(await read(timezone, localDate(deps.clock.now(), timezone), slice)));
  }
  return due;
}

const notMessaged = (reason: SQL) =>
  sql`not exists (select 1 from messages m where m.clinic_id = p.clinic_id and m.reason_key = ${reason})`;

/**
 * Expiring points: every lot with points left whose expiry is within its clinic's
 * `expiry_reminder_days` (default 14; null: none) gets one points_expiring message, reason
 * `expiry:<lot>`, vars {points, expires_date, url}.
 */
export async function expiringPointsMessages(deps: Deps, links: MessageJobLinks): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const due = await db.all<{
    id: string;
    clinic_id: string;
    patient_id: string;
    remaining: number;
    expires_on: string;
  }>(
    sql`select l.id, l.clinic_id, l.patient_id, l.remaining, l.expires_on
      from point_lots l
      join patients p on p.id = l.patient_id
      left join messaging_settings s on s.clinic_id = l.clinic_id
      where l.remaining > 0 and l.expires_at > ${now} and l.expires_at <= ${now + MAX_EXPIRY_REMINDER_DAYS * DAY_MS}
        and l.expires_at <= ${now} + 86400000 * (case when s.clinic_id is null then ${DEFAULT_MESSAGING_SETTINGS.expiryReminderDays}
          else s.expiry_reminder_days end)
        and ${reachableAnySql('service')} and ${notMessaged(sql`'expiry:' || l.id`)}
      order by l.expires_at limit ${MESSAGE_JOB_SLICE}`,
  );
  const statements: Record<string, readonly Item[]> = {};
  for (const l of due)
    statements[l.id] = preferredChannelInserts(db, now, {
      clinicId: l.clinic_id,
      patientId: l.patient_id,
      kind: 'points_expiring',
      purpose: 'service',
      reasonKey: `expiry:${l.id}`,
      vars: { points: l.remaining, expires_date: l.expires_on, url: await links.patientUrl(l.patient_id) },
      createdBy: 'system',
      from: sql`from point_lots l join patients p on p.id = l.patient_id where l.id = ${l.id} and l.remaining > 0`,
    });
  return writeMessageBatch(deps, statements);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Birthday greetings on the day, in the clinic's timezone (29 February birthdays on 28 February in
 * common years), for clinics with `birthday_greetings` (default on): reason `birthday:<patient>:<year>`.
 */
export async function birthdayMessages(deps: Deps, links: MessageJobLinks): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const due = await dueByClinicZone(deps, async (timezone, today, slice) => {
    const year = today.slice(0, 4);
    const md = today.slice(5);
    const days = md === '02-28' && !isLeap(Number(year)) ? ['02-28', '02-29'] : [md];
    const reason = sql`'birthday:' || p.id || ':' || ${year}`;
    const rows = await db.all<{ id: string; clinic_id: string }>(
      sql`select p.id, p.clinic_id from organizations o
        join patients p on p.clinic_id = o.id
          and substr(p.birth_date, 6, 5) in (${sql.join(
            days.map((d) => sql`${d}`),
            sql`, `,
          )})
        left join messaging_settings s on s.clinic_id = o.id
        where o.kind = 'clinic' and o.timezone = ${timezone} and (s.clinic_id is null or s.birthday_greetings = 1)
          and ${reachableAnySql('marketing')} and ${notMessaged(reason)}
        order by p.id limit ${slice}`,
    );
    return rows.map((p) => ({ ...p, year }));
  });
  const statements: Record<string, readonly Item[]> = {};
  for (const p of due)
    statements[p.id] = preferredChannelInserts(db, now, {
      clinicId: p.clinic_id,
      patientId: p.id,
      kind: 'birthday',
      purpose: 'marketing',
      reasonKey: `birthday:${p.id}:${p.year}`,
      vars: { url: await links.patientUrl(p.id) },
      createdBy: 'system',
      from: sql`from patients p where p.id = ${p.id}`,
    });
  return writeMessageBatch(deps, statements);
}

/**
 * Plan items on the SMS or e-mail channel, planned and due today or overdue (clinic time): a plan_item
 * message on the item's own channel (reason `plan:<item>`, vars {purpose, url}), and the item marked
 * done ("Sent by SMS") in the same batch, so the agenda does not ask staff to send it by hand too. An
 * item whose channel does not reach the patient stays on the agenda for staff.
 */
export async function planItemMessages(deps: Deps, links: MessageJobLinks): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const due = await dueByClinicZone(deps, (timezone, today, slice) =>
    db.all<{
      id: string;
      clinic_id: string;
      patient_id: string;
      channel: MessageChannel;
      purpose: string;
    }>(
      sql`select i.id, i.clinic_id, i.patient_id, i.channel, i.purpose from organizations o
        join plan_items i on i.clinic_id = o.id and i.status = 'planned' and i.due_on <= ${today}
          and i.channel in ('sms', 'email')
        join patients p on p.id = i.patient_id
        where o.kind = 'clinic' and o.timezone = ${timezone}
          and ((i.channel = 'email' and ${reachableSql('email', 'marketing')})
            or (i.channel = 'sms' and ${reachableSql('sms', 'marketing')}))
          and ${notMessaged(sql`'plan:' || i.id`)}
        order by i.due_on, i.id limit ${slice}`,
    ),
  );
  const statements: Record<string, readonly Item[]> = {};
  for (const i of due) {
    const reasonKey = `plan:${i.id}`;
    const m = messageInsert(db, now, {
      clinicId: i.clinic_id,
      patientId: i.patient_id,
      kind: 'plan_item',
      channel: i.channel,
      reasonKey,
      vars: { purpose: i.purpose, url: await links.patientUrl(i.patient_id) },
      createdBy: 'system',
      guard: sql`from plan_items i where i.id = ${i.id} and i.status = 'planned'`,
    });
    statements[i.id] = [
      m.statement.returning({ id: messages.id }),
      db
        .update(planItems)
        .set({ status: 'done', outcome: `Sent by ${CHANNEL_WORD[i.channel]}`, doneAt: now, updatedAt: now })
        .where(
          and(
            eq(planItems.id, i.id),
            eq(planItems.status, 'planned'),
            sql`exists (select 1 from messages m where m.id = ${m.id})`,
          ),
        ),
    ];
  }
  return writeMessageBatch(deps, statements);
}
