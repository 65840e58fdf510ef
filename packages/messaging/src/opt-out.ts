import { newId } from '@gratia/core';
import {
  auditEntry,
  consentEvents,
  type Deps,
  messages,
  organizations,
  patients,
  runBatch,
} from '@gratia/db';
import { and, eq, inArray, sql } from 'drizzle-orm';

// Opting out, at once and on the record: an SMS reply of a stop word (English, Spanish, Russian)
// withdraws SMS consent of every patient with that number; an e-mail's one-click unsubscribe (RFC 8058)
// withdraws e-mail consent of the message's patient. Both clear both flags of the channel (service and
// all), append a consent event of scope `all` and an audit entry by the patient, in one batch, and are
// idempotent (a patient already without consent gets nothing new). START / UNSTOP are not consent: the
// clinic records consent again with the patient's words.

/** The whole trimmed reply, case-insensitive. */
export const SMS_STOP_WORDS: ReadonlySet<string> = new Set([
  'stop',
  'stopall',
  'unsubscribe',
  'quit',
  'cancel',
  'end',
  'baja',
  'parar',
  'alto',
  'cancelar',
  'detener',
  'стоп',
  'отписаться',
  'отмена',
]);

export const isStopWord = (body: string) => SMS_STOP_WORDS.has(body.trim().toLocaleLowerCase());

/** A phone number's digits (how a stored "+1 (555) 765-4321" and Twilio's "+15557654321" are compared). */
const digitsSql = (column: unknown) =>
  sql`replace(replace(replace(replace(replace(replace(${column}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '')`;

/**
 * An inbound SMS: a stop word withdraws SMS consent of every patient with the sender's number (at most
 * 100, in any clinic: the number is the patient's own). Returns how many patients it withdrew.
 */
export async function applySmsReply(
  deps: Deps,
  input: { from: string; body: string },
): Promise<{ stop: boolean; withdrawn: number }> {
  if (!isStopWord(input.body)) return { stop: false, withdrawn: 0 };
  const digits = input.from.replace(/\D/g, '');
  if (digits.length < 6) return { stop: true, withdrawn: 0 };
  const { db } = deps;
  const now = deps.clock.now();
  // A STOP is rare; the number is compared by its digits, as clinics type numbers in any format.
  const found = await db
    .select({ id: patients.id, clinicId: patients.clinicId })
    .from(patients)
    .where(
      and(
        sql`${patients.phone} is not null and ${digitsSql(patients.phone)} = ${digits}`,
        sql`(${patients.consentSms} = 1 or ${patients.consentSmsService} = 1)`,
      ),
    )
    .limit(100);
  if (found.length === 0) return { stop: true, withdrawn: 0 };
  const wording = input.body.trim().slice(0, 160);
  const statements: Record<string, ReturnType<typeof consentInsert> | ReturnType<typeof auditEntry>> = {};
  for (const p of found) {
    const held = sql`exists (select 1 from patients x where x.id = ${p.id} and (x.consent_sms = 1 or x.consent_sms_service = 1))`;
    statements[`audit_${p.id}`] = auditEntry(db, {
      actor: 'patient',
      organizationId: p.clinicId,
      action: 'consent.withdraw',
      subject: { type: 'patient', id: p.id },
      patientId: p.id,
      detail: { channel: 'sms', source: 'sms_stop' },
      when: held,
      at: now,
    });
    statements[`event_${p.id}`] = consentInsert(deps, now, p.id, 'sms', 'sms_stop', wording, held);
  }
  const done = await runBatch(db, {
    ...statements,
    withdraw: db
      .update(patients)
      .set({ consentSms: false, consentSmsService: false, updatedAt: now })
      .where(
        and(
          inArray(
            patients.id,
            found.map((p) => p.id),
          ),
          sql`(${patients.consentSms} = 1 or ${patients.consentSmsService} = 1)`,
        ),
      )
      .returning({ id: patients.id }),
  });
  deps.log({ level: 'info', event: 'sms_stop', withdrawn: done.withdraw.length });
  return { stop: true, withdrawn: done.withdraw.length };
}

function consentInsert(
  deps: Deps,
  now: number,
  patientId: string,
  channel: 'email' | 'sms',
  source: string,
  wording: string | null,
  when: ReturnType<typeof sql>,
) {
  return deps.db.insert(consentEvents).select(
    sql`select ${newId('cns', now)}, ${patientId}, ${channel}, 0, ${source}, null, ${now}, ${wording}, null, 'all'
        where ${when}`,
  );
}

export interface UnsubscribeView {
  clinicName: string;
  /** Whether the patient still has e-mail consent (false: already unsubscribed). */
  subscribed: boolean;
  locale: string;
}

/** What the unsubscribe page shows for a message, or null if it is not a patient's e-mail. */
export async function readUnsubscribe(deps: Deps, messageId: string): Promise<UnsubscribeView | null> {
  const { db } = deps;
  const [row] = await db
    .select({
      clinicName: organizations.name,
      consentEmail: patients.consentEmail,
      consentEmailService: patients.consentEmailService,
      locale: patients.locale,
    })
    .from(messages)
    .innerJoin(patients, eq(patients.id, messages.patientId))
    .innerJoin(organizations, eq(organizations.id, messages.clinicId))
    .where(and(eq(messages.id, messageId), eq(messages.channel, 'email')));
  if (!row) return null;
  return {
    clinicName: row.clinicName,
    subscribed: row.consentEmail || row.consentEmailService,
    locale: row.locale,
  };
}

/**
 * One-click unsubscribe from the e-mail a message was: withdraws the patient's e-mail consent (both
 * flags) with a consent event and an audit entry; idempotent. Null when the message is not a
 * patient's e-mail.
 */
export async function unsubscribeEmail(
  deps: Deps,
  messageId: string,
): Promise<{ clinicName: string; withdrawn: boolean } | null> {
  const { db } = deps;
  const now = deps.clock.now();
  const patientOf = sql`(select m.patient_id from messages m where m.id = ${messageId} and m.channel = 'email')`;
  const held = sql`exists (select 1 from patients x where x.id = ${patientOf} and (x.consent_email = 1 or x.consent_email_service = 1))`;
  const done = await runBatch(db, {
    audit: auditEntry(db, {
      actor: 'patient',
      organizationId: sql`(select m.clinic_id from messages m where m.id = ${messageId})`,
      action: 'consent.withdraw',
      subject: { type: 'message', id: messageId },
      patientId: patientOf,
      detail: { channel: 'email', source: 'email_unsubscribe' },
      when: held,
      at: now,
    }),
    event: db.insert(consentEvents).select(
      sql`select ${newId('cns', now)}, ${patientOf}, 'email', 0, 'email_unsubscribe', null, ${now},
          'One-click unsubscribe', null, 'all' where ${held}`,
    ),
    withdraw: db
      .update(patients)
      .set({ consentEmail: false, consentEmailService: false, updatedAt: now })
      .where(
        sql`${patients.id} = ${patientOf} and (${patients.consentEmail} = 1 or ${patients.consentEmailService} = 1)`,
      )
      .returning({ id: patients.id }),
    clinic: db
      .select({ name: organizations.name })
      .from(messages)
      .innerJoin(organizations, eq(organizations.id, messages.clinicId))
      .where(
        and(
          eq(messages.id, messageId),
          eq(messages.channel, 'email'),
          sql`${messages.patientId} is not null`,
        ),
      ),
  });
  const clinic = done.clinic[0];
  if (!clinic) return null;
  return { clinicName: clinic.name, withdrawn: done.withdraw.length > 0 };
}
