import { err, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type MessageEventRow,
  type MessageKind,
  type MessageRow,
  type MessageStatus,
  messageEvents,
  messages,
  messagingSettings,
  type OrgPrincipal,
  patients,
  runBatch,
  type StaffRole,
  staffRefusal,
} from '@gratia/db';
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { DEFAULT_MESSAGING_SETTINGS } from './consumer';

// The clinic's outbox as staff see it (the console's Outbox and the API): the messages newest first
// with their statuses, one message with its history, a dead or failed message retried, and the
// delivery settings (quiet hours, the monthly cap of marketing, reminder timings). Every clinic role
// reads; owners and managers (and API keys) retry and change settings.

export const OUTBOX_EDITORS: readonly StaffRole[] = ['owner', 'manager'];

export interface OutboxMessage extends MessageRow {
  patientName: string | null;
}

const selectMessage = (deps: Deps) =>
  deps.db
    .select({
      message: messages,
      firstName: patients.firstName,
      lastName: patients.lastName,
    })
    .from(messages)
    .leftJoin(patients, eq(patients.id, messages.patientId));

/** What the outbox shows instead of a staff sign-in link: the link is for its addressee alone. */
export const HIDDEN_SIGN_IN_LINK = '(sign-in link hidden: only its addressee may use it)';

/**
 * A staff sign-in message with its link hidden from everyone reading the outbox (console and API): a
 * front-desk member must not be able to copy a manager's invitation and sign in as them.
 */
function withoutSignInLink(m: MessageRow): MessageRow {
  if (m.kind !== 'staff_sign_in') return m;
  const url = typeof m.vars?.url === 'string' ? m.vars.url : null;
  return {
    ...m,
    vars: { ...m.vars, url: HIDDEN_SIGN_IN_LINK },
    body: m.body && url ? m.body.split(url).join(HIDDEN_SIGN_IN_LINK) : m.body,
  };
}

const messageOf = (r: {
  message: MessageRow;
  firstName: string | null;
  lastName: string | null;
}): OutboxMessage => ({
  ...withoutSignInLink(r.message),
  patientName: r.firstName === null ? null : `${r.firstName} ${r.lastName ?? ''}`.trim(),
});

export interface OutboxFilter {
  status?: MessageStatus | undefined;
  patientId?: string | undefined;
  kind?: MessageKind | undefined;
}

/** A page of the clinic's messages, newest first (keyset on the id, which is time-ordered). One query. */
export async function listMessages(
  deps: Deps,
  input: { clinic: OrgPrincipal; filter: OutboxFilter; before: string | null; limit: number },
): Promise<{ messages: OutboxMessage[]; next: string | null }> {
  const f = input.filter;
  const rows = await selectMessage(deps)
    .where(
      and(
        eq(messages.clinicId, input.clinic.organizationId),
        f.status ? eq(messages.status, f.status) : undefined,
        f.patientId ? eq(messages.patientId, f.patientId) : undefined,
        f.kind ? eq(messages.kind, f.kind) : undefined,
        input.before ? lt(messages.id, input.before) : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(input.limit + 1);
  const more = rows.length > input.limit;
  const kept = (more ? rows.slice(0, input.limit) : rows).map(messageOf);
  return { messages: kept, next: more ? (kept[kept.length - 1]?.id ?? null) : null };
}

const notFound = (id: string): Refusal<'message_not_found'> => ({
  code: 'message_not_found',
  detail: `No message ${id}`,
});

/** One of the clinic's messages with its history (one round trip); another clinic's is not found. */
export async function readMessage(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string },
): Promise<Result<{ message: OutboxMessage; events: MessageEventRow[] }, Refusal<'message_not_found'>>> {
  if (!isId('msg', input.id)) return err(notFound(input.id));
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(deps.db, {
    message: selectMessage(deps).where(and(eq(messages.id, input.id), eq(messages.clinicId, clinicId))),
    events: deps.db
      .select()
      .from(messageEvents)
      .where(
        sql`${messageEvents.messageId} = ${input.id}
          and exists (select 1 from messages m where m.id = ${input.id} and m.clinic_id = ${clinicId})`,
      )
      .orderBy(asc(messageEvents.at), asc(sql`rowid`))
      .limit(200),
  });
  const row = read.message[0];
  if (!row) return err(notFound(input.id));
  return ok({ message: messageOf(row), events: read.events });
}

/**
 * A dead or failed message back to the queue: attempts reset, due at once, an event and an audit
 * entry, in one batch; then handed to the queue. Anything else is message_not_retryable.
 */
export async function retryMessage(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string },
): Promise<Result<OutboxMessage, Refusal<'message_not_found' | 'message_not_retryable' | 'forbidden'>>> {
  const refused = staffRefusal(input.clinic, OUTBOX_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!isId('msg', input.id)) return err(notFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const retryable = sql`exists (select 1 from messages m where m.id = ${input.id} and m.clinic_id = ${clinicId}
    and m.status in ('dead', 'failed'))`;
  const done = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'message.retry',
      subject: { type: 'message', id: input.id },
      patientId: sql`(select m.patient_id from messages m where m.id = ${input.id})`,
      when: retryable,
      at: now,
    }),
    event: db
      .insert(messageEvents)
      .select(
        sql`select ${newId('mev', now)}, ${input.id}, 'queued', 'retried by staff', ${now} where ${retryable}`,
      ),
    retry: db
      .update(messages)
      .set({ status: 'queued', attempts: 0, notBefore: null, claimedAt: null, updatedAt: now })
      .where(
        and(
          eq(messages.id, input.id),
          eq(messages.clinicId, clinicId),
          sql`${messages.status} in ('dead', 'failed')`,
        ),
      )
      .returning({ id: messages.id }),
    after: selectMessage(deps).where(and(eq(messages.id, input.id), eq(messages.clinicId, clinicId))),
  });
  const row = done.after[0];
  if (!row) return err(notFound(input.id));
  if (done.retry.length === 0)
    return err({
      code: 'message_not_retryable',
      detail: `Message ${input.id} is ${row.message.status}: only a dead or failed message can be retried`,
    });
  deps.dispatch?.([input.id]);
  return ok(messageOf(row));
}

export interface MessagingSettingsView {
  quietStartMinute: number;
  quietEndMinute: number;
  monthlyCap: number;
  expiryReminderDays: number | null;
  surveyDelayHours: number | null;
  birthdayGreetings: boolean;
  updatedAt: number | null;
}

const settingsOf = (row: typeof messagingSettings.$inferSelect | undefined): MessagingSettingsView =>
  row
    ? {
        quietStartMinute: row.quietStartMinute,
        quietEndMinute: row.quietEndMinute,
        monthlyCap: row.monthlyCap,
        expiryReminderDays: row.expiryReminderDays,
        surveyDelayHours: row.surveyDelayHours,
        birthdayGreetings: row.birthdayGreetings,
        updatedAt: row.updatedAt,
      }
    : { ...DEFAULT_MESSAGING_SETTINGS, updatedAt: null };

/** The clinic's delivery settings (the defaults until it saves its own). One query. */
export async function readMessagingSettings(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<MessagingSettingsView> {
  const [row] = await deps.db
    .select()
    .from(messagingSettings)
    .where(eq(messagingSettings.clinicId, input.clinic.organizationId));
  return settingsOf(row);
}

export type MessagingSettingsInput = Omit<MessagingSettingsView, 'updatedAt'>;

/** What is wrong with settings, by field (the API's names). */
export function checkMessagingSettings(s: MessagingSettingsInput) {
  const errors: { path: string; message: string }[] = [];
  const within = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!within(s.quietStartMinute, 0, 1439))
    errors.push({ path: 'quiet_start', message: 'must be a time HH:MM' });
  if (!within(s.quietEndMinute, 0, 1439)) errors.push({ path: 'quiet_end', message: 'must be a time HH:MM' });
  if (!within(s.monthlyCap, 0, 100))
    errors.push({ path: 'monthly_cap', message: 'must be a whole number from 0 to 100' });
  if (s.expiryReminderDays !== null && !within(s.expiryReminderDays, 1, 365))
    errors.push({
      path: 'expiry_reminder_days',
      message: 'must be a whole number of days from 1 to 365, or null',
    });
  if (s.surveyDelayHours !== null && !within(s.surveyDelayHours, 0, 720))
    errors.push({
      path: 'survey_delay_hours',
      message: 'must be a whole number of hours from 0 to 720, or null',
    });
  return errors;
}

/** Saves the delivery settings with an audit entry, in one batch. */
export async function saveMessagingSettings(
  deps: Deps,
  input: { clinic: OrgPrincipal; settings: MessagingSettingsInput },
): Promise<Result<MessagingSettingsView, Refusal<'forbidden' | 'validation_failed'>>> {
  const refused = staffRefusal(input.clinic, OUTBOX_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const errors = checkMessagingSettings(input.settings);
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The delivery settings are not valid', errors });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const values = { ...input.settings, updatedAt: now };
  const out = await runBatch(db, {
    save: db
      .insert(messagingSettings)
      .values({ clinicId, ...values })
      .onConflictDoUpdate({ target: messagingSettings.clinicId, set: values }),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'messaging_settings.update',
      subject: { type: 'messaging_settings', id: clinicId },
      detail: {
        quiet_start_minute: input.settings.quietStartMinute,
        quiet_end_minute: input.settings.quietEndMinute,
        monthly_cap: input.settings.monthlyCap,
        expiry_reminder_days: input.settings.expiryReminderDays,
        survey_delay_hours: input.settings.surveyDelayHours,
        birthday_greetings: input.settings.birthdayGreetings,
      },
      at: now,
    }),
    after: db.select().from(messagingSettings).where(eq(messagingSettings.clinicId, clinicId)),
  });
  return ok(settingsOf(out.after[0]));
}

/** "HH:MM" of minutes after midnight, and back (null: not a time). */
export const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
export function minuteOf(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
