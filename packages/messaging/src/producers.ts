import { type Db, type MessageChannel, type MessagePurpose, messages } from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';
import { messageInsert, type NewMessage } from './enqueue';

// What the events that message a patient share: which channel reaches the patient (an address that has
// not bounced, and consent for the message's purpose), and the message written on the first channel
// that does, e-mail before SMS, decided in SQL inside the event's own batch (no read of its own).
// The consumer checks consent again when it sends: this only avoids writing messages that would be
// suppressed anyway.

/**
 * SQL: the patient aliased `p` can be reached on the channel for a message of this purpose (the
 * consent rule: marketing needs `consent_<ch>`; service needs it or `consent_<ch>_service`).
 */
export function reachableSql(channel: MessageChannel, purpose: MessagePurpose): SQL {
  const consent =
    purpose === 'marketing'
      ? sql.raw(`p.consent_${channel} = 1`)
      : sql.raw(`(p.consent_${channel} = 1 or p.consent_${channel}_service = 1)`);
  const address =
    channel === 'email'
      ? sql`p.email is not null and p.email <> '' and p.email_invalid_at is null`
      : sql`p.phone is not null and p.phone <> '' and p.phone_invalid_at is null`;
  return sql`(${address} and ${consent})`;
}

/** SQL: some channel reaches the patient aliased `p` for a message of this purpose. */
export const reachableAnySql = (purpose: MessagePurpose): SQL =>
  sql`(${reachableSql('email', purpose)} or ${reachableSql('sms', purpose)})`;

/** The consent columns the rule reads (a patient row, or the columns of one). */
export interface ConsentFlags {
  consentEmail: boolean;
  consentSms: boolean;
  consentEmailService: boolean;
  consentSmsService: boolean;
}

/** The consent rule of reachableSql, on a patient row read already (the consumer, Send). */
export function consentCovers(p: ConsentFlags, channel: MessageChannel, purpose: MessagePurpose): boolean {
  const all = channel === 'email' ? p.consentEmail : p.consentSms;
  const service = channel === 'email' ? p.consentEmailService : p.consentSmsService;
  return all || (purpose === 'service' && service);
}

/** How one channel reaches a patient: the address, whether it stopped working, and the consent held. */
export interface ChannelReach {
  channel: MessageChannel;
  address: string | null;
  /** The address bounced or was reported unreachable. */
  invalid: boolean;
  consent: 'all' | 'service' | 'none';
}

/** Each channel's reach, e-mail first (what the console's Send forms show). */
export function channelReach(
  p: ConsentFlags & {
    email: string | null;
    phone: string | null;
    emailInvalidAt: number | null;
    phoneInvalidAt: number | null;
  },
): ChannelReach[] {
  const consent = (all: boolean, service: boolean): ChannelReach['consent'] =>
    all ? 'all' : service ? 'service' : 'none';
  return [
    {
      channel: 'email',
      address: p.email || null,
      invalid: p.emailInvalidAt != null,
      consent: consent(p.consentEmail, p.consentEmailService),
    },
    {
      channel: 'sms',
      address: p.phone || null,
      invalid: p.phoneInvalidAt != null,
      consent: consent(p.consentSms, p.consentSmsService),
    },
  ];
}

/** A channel as a sentence says it. */
export const CHANNEL_WORD: Readonly<Record<MessageChannel, string>> = { email: 'e-mail', sms: 'SMS' };

export interface PatientMessage extends Omit<NewMessage, 'channel' | 'guard'> {
  /**
   * `from ... where ...` over the event's rows with the patient joined as `p` (e.g. `from vouchers v
   * join patients p on p.id = v.patient_id where v.id = ${id}`): the message is written when it yields
   * one row and the patient is reachable.
   */
  from: SQL;
  purpose: MessagePurpose;
}

/**
 * The message on the patient's preferred reachable channel: two guarded INSERTs under one reason (the
 * e-mail one when e-mail reaches them, else the SMS one), so at most one row is written. Each returns
 * the id it wrote: hand `writtenIds(results)` to `deps.dispatch`.
 */
export function preferredChannelInserts(db: Db, now: number, m: PatientMessage) {
  const { from, purpose, ...message } = m;
  const email = reachableSql('email', purpose);
  const byEmail = messageInsert(db, now, { ...message, channel: 'email', guard: sql`${from} and ${email}` });
  const bySms = messageInsert(db, now, {
    ...message,
    channel: 'sms',
    guard: sql`${from} and not ${email} and ${reachableSql('sms', purpose)}`,
  });
  return [
    byEmail.statement.returning({ id: messages.id }),
    bySms.statement.returning({ id: messages.id }),
  ] as const;
}

/** The ids of the messages a batch's INSERT ... RETURNING statements wrote. */
export const writtenIds = (...results: readonly (readonly { id: string }[] | undefined)[]): string[] =>
  results.flatMap((rows) => rows?.map((r) => r.id) ?? []);
