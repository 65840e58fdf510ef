import { MINUTE_MS, newId } from '@gratia/core';
import {
  type Deps,
  type MessageRow,
  messageEvents,
  messages,
  messageTemplates,
  messagingSettings,
  organizations,
  type PatientLocale,
  patientMessageMonths,
  patients,
  runBatch,
  type SuppressionReason,
  vouchers,
} from '@gratia/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { cardUrl } from './card';
import { formatIcu, isLocale } from './i18n';
import { unsubscribeUrl } from './links';
import { consentCovers } from './producers';
import type { Providers } from './providers';
import { renderMessage } from './render';

/**
 * Links the consumer signs at send time, for messages whose event could not sign them in its batch
 * (the audience known only in SQL: a referrer's reward, a voucher a rule issued). Given by the Worker,
 * which can sign vouchers (@gratia/vouchers depends on this package, not the other way round).
 */
export interface MessageLinks {
  voucherUrl(v: {
    id: string;
    audience: string;
    issuedAt: number;
    expiresAt: number;
    kid: string;
  }): Promise<string | null>;
}

/** Kinds whose link, when the producer left it out, is the patient's card page. */
const CARD_PAGE_KINDS = new Set(['referral_reward', 'points_expiring', 'birthday', 'card_link', 'plan_item']);

// The queue's consumer, for one outbox id. At-least-once delivery becomes exactly-once sending by the
// CLAIM: one UPDATE ... WHERE moves the row queued -> sending (or takes over a claim older than
// CLAIM_TIMEOUT_MS) and only the caller whose UPDATE returned the row sends; a redelivered id whose row
// is sending, sent or suppressed sends nothing. Consent, quiet hours and the monthly cap are checked
// here, at send time, from the rows read in the claim's batch.

export const CLAIM_TIMEOUT_MS = 10 * MINUTE_MS;
/** The first try and the queue's five retries (wrangler.toml max_retries = 5). */
export const MAX_ATTEMPTS = 6;
/** A queue redelivery a little early (clock skew) still claims a message due by then. */
const NOT_BEFORE_SLACK_MS = 5_000;

/**
 * A clinic's delivery settings when it has no settings row (the table's defaults): the consumer's quiet
 * hours and cap, and the scheduled jobs' reminder days and survey delay.
 */
export const DEFAULT_MESSAGING_SETTINGS = {
  quietStartMinute: 21 * 60,
  quietEndMinute: 8 * 60,
  monthlyCap: 4,
  expiryReminderDays: 14,
  surveyDelayHours: 24,
  birthdayGreetings: true,
};

export type DeliveryOutcome =
  /** Not claimable (already sent or suppressed, claimed by another consumer, or not yet due). */
  | { kind: 'skipped' }
  | { kind: 'sent'; provider: string }
  | { kind: 'suppressed'; reason: SuppressionReason }
  /** Quiet hours: back to queued until `notBefore`. */
  | { kind: 'deferred'; notBefore: number }
  /** A retryable provider failure: back to queued, to be retried after `retryInMs`. */
  | { kind: 'retry'; error: string; attempts: number; retryInMs: number }
  /** A final failure (a bad address, a template that does not render, out of tries). */
  | { kind: 'failed'; error: string };

/** Exponential backoff per attempt, 30 s doubling, capped at an hour. */
export const backoffMs = (attempts: number) =>
  Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * MINUTE_MS);

const footer: Record<PatientLocale, string> = {
  en: 'To stop e-mail from {clinic_name}, unsubscribe: {url}',
  es: 'Para no recibir más correos de {clinic_name}, cancele la suscripción: {url}',
  ru: 'Чтобы не получать письма от {clinic_name}, отпишитесь: {url}',
};

/** The minute of the day and the month (YYYY-MM) at `at` in `timeZone` (UTC when unknown). */
export function localTime(at: number, timeZone: string): { minute: number; month: string } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
  } catch {
    return localTime(at, 'UTC');
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  return {
    minute: Number(get('hour')) * 60 + Number(get('minute')),
    month: `${get('year')}-${get('month')}`,
  };
}

/** When quiet hours [start, end) (wrapping midnight) end, if `at` falls in them; else null. */
export function quietUntil(at: number, timeZone: string, start: number, end: number): number | null {
  if (start === end) return null;
  const { minute } = localTime(at, timeZone);
  const quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return null;
  const wait = (end - minute + 1440) % 1440;
  return at - (at % MINUTE_MS) + wait * MINUTE_MS;
}

/** The months a patient's local month can be at `at` (every timezone is within 14 hours of UTC). */
const candidateMonths = (at: number) => [
  ...new Set(
    [at - 14 * 60 * MINUTE_MS, at, at + 14 * 60 * MINUTE_MS].map((t) =>
      new Date(t).toISOString().slice(0, 7),
    ),
  ),
];

/** Delivers one outbox message: claims it, decides, sends through the provider and records the outcome. */
export async function deliverMessage(
  deps: Deps,
  providers: Providers,
  id: string,
  links?: MessageLinks,
): Promise<DeliveryOutcome> {
  const { db } = deps;
  const now = deps.clock.now();
  const claimed = sql`(select x.status = 'sending' and x.claimed_at = ${now} from messages x where x.id = ${id})`;
  const months = candidateMonths(now);
  const read = await runBatch(db, {
    claim: db
      .update(messages)
      .set({ status: 'sending', attempts: sql`${messages.attempts} + 1`, claimedAt: now, updatedAt: now })
      .where(
        sql`${messages.id} = ${id} and (
          (${messages.status} = 'queued' and (${messages.notBefore} is null or ${messages.notBefore} <= ${now + NOT_BEFORE_SLACK_MS}))
          or (${messages.status} = 'sending' and ${messages.claimedAt} < ${now - CLAIM_TIMEOUT_MS}))`,
      )
      .returning(),
    patient: db
      .select({
        id: patients.id,
        firstName: patients.firstName,
        email: patients.email,
        phone: patients.phone,
        consentEmail: patients.consentEmail,
        consentSms: patients.consentSms,
        consentEmailService: patients.consentEmailService,
        consentSmsService: patients.consentSmsService,
        locale: patients.locale,
        timezone: patients.timezone,
        emailInvalidAt: patients.emailInvalidAt,
        phoneInvalidAt: patients.phoneInvalidAt,
      })
      .from(patients)
      .where(sql`${patients.id} = (select x.patient_id from messages x where x.id = ${id}) and ${claimed}`),
    clinic: db
      .select({ name: organizations.name, timezone: organizations.timezone })
      .from(organizations)
      .where(
        sql`${organizations.id} = (select x.clinic_id from messages x where x.id = ${id}) and ${claimed}`,
      ),
    settings: db
      .select()
      .from(messagingSettings)
      .where(
        sql`${messagingSettings.clinicId} = (select x.clinic_id from messages x where x.id = ${id}) and ${claimed}`,
      ),
    templates: db
      .select({
        locale: messageTemplates.locale,
        subject: messageTemplates.subject,
        body: messageTemplates.body,
      })
      .from(messageTemplates)
      .where(
        sql`(${messageTemplates.clinicId}, ${messageTemplates.kind}, ${messageTemplates.channel}) =
          (select x.clinic_id, x.kind, x.channel from messages x where x.id = ${id}) and ${claimed}`,
      ),
    // The voucher a voucher_issued message without a link names (signed at send time).
    voucher: db
      .select({
        id: vouchers.id,
        audience: vouchers.audience,
        issuedAt: vouchers.issuedAt,
        expiresAt: vouchers.expiresAt,
        kid: vouchers.kid,
      })
      .from(vouchers)
      .where(
        sql`${vouchers.id} = (select json_extract(x.vars, '$.voucher_id') from messages x
          where x.id = ${id} and json_extract(x.vars, '$.url') is null) and ${claimed}`,
      ),
    months: db
      .select({ month: patientMessageMonths.month, sent: patientMessageMonths.marketingSent })
      .from(patientMessageMonths)
      .where(
        and(
          sql`${patientMessageMonths.patientId} = (select x.patient_id from messages x where x.id = ${id})`,
          inArray(patientMessageMonths.month, months),
          claimed,
        ),
      ),
  });
  const m = read.claim[0];
  if (!m) return { kind: 'skipped' };
  const p = read.patient[0] ?? null;
  const clinic = read.clinic[0] ?? { name: '', timezone: 'UTC' };
  const settings = read.settings[0] ?? DEFAULT_MESSAGING_SETTINGS;
  const claim = { id, at: now };

  if (m.attempts > MAX_ATTEMPTS)
    return finish(deps, claim, { status: 'dead', error: m.lastError ?? 'out of tries' });

  // To a patient: consent for the channel and purpose, a valid address, quiet hours and the cap.
  let to = m.toAddress;
  let locale: PatientLocale = 'en';
  let timeZone = clinic.timezone;
  if (m.patientId) {
    if (!p) return suppress(deps, claim, 'patient_gone');
    if (!consentCovers(p, m.channel, m.purpose)) return suppress(deps, claim, 'no_consent');
    to = m.channel === 'email' ? p.email : p.phone;
    if (!to) return suppress(deps, claim, 'no_address');
    if ((m.channel === 'email' ? p.emailInvalidAt : p.phoneInvalidAt) !== null)
      return suppress(deps, claim, 'address_invalid');
    locale = isLocale(p.locale) ? p.locale : 'en';
    timeZone = p.timezone ?? clinic.timezone;
    // Quiet hours hold for marketing and for whatever the system sends on its own (reminders,
    // greetings); a service message someone caused just now (a gift given or sent at the desk, by a
    // staff member or an API key) goes at once: the patient is waiting for it.
    const quiet = m.purpose === 'marketing' || m.createdBy === 'system';
    const until = quiet
      ? quietUntil(now, timeZone, settings.quietStartMinute, settings.quietEndMinute)
      : null;
    if (until !== null) {
      await runBatch(db, {
        back: db
          .update(messages)
          .set({
            status: 'queued',
            notBefore: until,
            claimedAt: null,
            attempts: sql`${messages.attempts} - 1`,
            updatedAt: now,
          })
          .where(and(eq(messages.id, id), eq(messages.claimedAt, now))),
        event: eventInsert(deps, id, now, 'queued', `quiet hours until ${new Date(until).toISOString()}`),
      });
      return { kind: 'deferred', notBefore: until };
    }
    if (m.purpose === 'marketing') {
      const month = localTime(now, timeZone).month;
      const sent = read.months.find((r) => r.month === month)?.sent ?? 0;
      if (sent >= settings.monthlyCap) return suppress(deps, claim, 'frequency_cap');
    }
  } else if (!to) return suppress(deps, claim, 'no_address');

  // Render: the clinic's template in the patient's language, else the default.
  let rendered: { subject: string | null; body: string };
  let unsubscribe: string | null = null;
  try {
    const t = read.templates.find((r) => r.locale === locale) ?? null;
    const vars: Record<string, string | number | null> = {
      first_name: p?.firstName ?? '',
      clinic_name: clinic.name,
      ...(m.vars as Record<string, string | number | null>),
    };
    // A link the event could not sign: the voucher's, or the patient's card page.
    if (vars.url === undefined || vars.url === null) {
      const v = read.voucher[0];
      if (m.kind === 'voucher_issued' && v && links) vars.url = await links.voucherUrl(v);
      else if (m.patientId && CARD_PAGE_KINDS.has(m.kind)) vars.url = await cardUrl(deps, m.patientId);
      if (vars.url === undefined || vars.url === null) throw new Error(`no link for a ${m.kind} message`);
    }
    rendered = renderMessage({ kind: m.kind, channel: m.channel, locale, vars, template: t });
    if (m.channel === 'email' && m.patientId) {
      unsubscribe = await unsubscribeUrl(deps, id);
      rendered.body += `\n\n--\n${formatIcu(footer[locale], locale, { clinic_name: clinic.name, url: unsubscribe })}`;
    }
  } catch (e) {
    return finish(deps, claim, { status: 'failed', error: `template: ${String(e)}` });
  }

  const out = await providers.send({
    id,
    channel: m.channel,
    to,
    subject: rendered.subject,
    body: rendered.body,
    unsubscribeUrl: unsubscribe,
  });
  const sentRow = {
    toAddress: to,
    locale,
    subject: rendered.subject,
    body: rendered.body,
    provider: out.provider,
  };
  if (out.ok) {
    const month = localTime(now, timeZone).month;
    await runBatch(db, {
      sent: db
        .update(messages)
        .set({
          ...sentRow,
          status: 'sent',
          providerId: out.providerId,
          sentAt: now,
          lastError: null,
          updatedAt: now,
        })
        .where(and(eq(messages.id, id), eq(messages.claimedAt, now))),
      event: eventInsert(
        deps,
        id,
        now,
        'sent',
        out.provider === 'dev' ? 'dev outbox' : `${out.provider} ${out.providerId ?? ''}`.trim(),
      ),
      ...(m.purpose === 'marketing' && m.patientId
        ? {
            month: db
              .insert(patientMessageMonths)
              .select(sql`select ${m.patientId}, ${month}, 1 where true`)
              .onConflictDoUpdate({
                target: [patientMessageMonths.patientId, patientMessageMonths.month],
                set: { marketingSent: sql`${patientMessageMonths.marketingSent} + 1` },
              }),
          }
        : {}),
    });
    return { kind: 'sent', provider: out.provider };
  }
  // A retryable failure goes back to the queue, which retries it with backoff and, after its last try,
  // hands it to the dead-letter queue (markDead). A claim beyond MAX_ATTEMPTS (the sweep's) marks it dead.
  if (out.retryable) {
    const retryInMs = backoffMs(m.attempts);
    await runBatch(db, {
      back: db
        .update(messages)
        .set({
          ...sentRow,
          status: 'queued',
          notBefore: now + retryInMs,
          claimedAt: null,
          lastError: out.error,
          updatedAt: now,
        })
        .where(and(eq(messages.id, id), eq(messages.claimedAt, now))),
      event: eventInsert(deps, id, now, 'queued', `try ${m.attempts} failed: ${out.error}`),
    });
    return { kind: 'retry', error: out.error, attempts: m.attempts, retryInMs };
  }
  return finish(
    deps,
    claim,
    { status: 'failed', error: out.error, invalidate: out.addressInvalid ? m : null },
    sentRow,
  );
}

type Claim = { id: string; at: number };

function eventInsert(
  deps: Deps,
  messageId: string,
  at: number,
  status: MessageRow['status'],
  detail: string | null,
) {
  return deps.db.insert(messageEvents).values({ id: newId('mev', at), messageId, status, detail, at });
}

async function suppress(deps: Deps, claim: Claim, reason: SuppressionReason): Promise<DeliveryOutcome> {
  const { db } = deps;
  await runBatch(db, {
    row: db
      .update(messages)
      .set({ status: 'suppressed', suppressedReason: reason, claimedAt: null, updatedAt: claim.at })
      .where(and(eq(messages.id, claim.id), eq(messages.claimedAt, claim.at))),
    event: eventInsert(deps, claim.id, claim.at, 'suppressed', reason),
  });
  deps.log({ level: 'info', event: 'message_suppressed', message_id: claim.id, reason });
  return { kind: 'suppressed', reason };
}

async function finish(
  deps: Deps,
  claim: Claim,
  end: { status: 'failed' | 'dead'; error: string; invalidate?: MessageRow | null },
  sentRow: Partial<MessageRow> = {},
): Promise<DeliveryOutcome> {
  const { db } = deps;
  const m = end.invalidate;
  await runBatch(db, {
    row: db
      .update(messages)
      .set({ ...sentRow, status: end.status, lastError: end.error, claimedAt: null, updatedAt: claim.at })
      .where(and(eq(messages.id, claim.id), eq(messages.claimedAt, claim.at))),
    event: eventInsert(deps, claim.id, claim.at, end.status, end.error),
    ...(m?.patientId
      ? {
          invalid: db
            .update(patients)
            .set(m.channel === 'email' ? { emailInvalidAt: claim.at } : { phoneInvalidAt: claim.at })
            .where(eq(patients.id, m.patientId)),
        }
      : {}),
  });
  deps.log({ level: 'warn', event: `message_${end.status}`, message_id: claim.id, error: end.error });
  return { kind: 'failed', error: end.error };
}

/**
 * The dead-letter queue's consumer: a message the queue gave up on is marked `dead` (unless it was sent
 * meanwhile), with its last error, for staff to see and retry.
 */
export async function markDead(deps: Deps, id: string): Promise<boolean> {
  const { db } = deps;
  const now = deps.clock.now();
  const done = await runBatch(db, {
    event: db.insert(messageEvents).select(
      sql`select ${newId('mev', now)}, m.id, 'dead', coalesce(m.last_error, 'the queue gave up'), ${now}
        from messages m where m.id = ${id} and m.status in ('queued', 'sending')`,
    ),
    row: db
      .update(messages)
      .set({ status: 'dead', claimedAt: null, updatedAt: now })
      .where(sql`${messages.id} = ${id} and ${messages.status} in ('queued', 'sending')`)
      .returning({ id: messages.id }),
  });
  return done.row.length > 0;
}
