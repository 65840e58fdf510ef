import { err, formatMoney, localDate, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  consentEvents,
  type Deps,
  type MessageChannel,
  messages,
  type OrgPrincipal,
  patients,
  runBatch,
  vouchers,
} from '@gratia/db';
import {
  CHANNEL_WORD,
  type ChannelReach,
  channelReach,
  consentCovers,
  messageInsert,
} from '@gratia/messaging';
import { CONSENT_WORDING_SERVICE, CONSENT_WORDING_SERVICE_VERSION } from '@gratia/network';
import { and, eq, sql } from 'drizzle-orm';
import { type VoucherWithLink, withLink } from './config';

// "Send" on a gift (issue 13): the clinic sends a voucher's link by e-mail or SMS, now, on a channel
// it chooses. Each press is a new message (reason `voucher:<id>:send:<n>`, n counting the sends of
// this voucher); a retried request with the same Idempotency-Key is answered from its record, so it is
// one. The platform, not the clinic, decides whether the patient may be messaged: the patient needs
// consent for the channel (service scope at least), or the staff member records that the patient asks
// for the link now, which writes a service-only consent event in the same batch.

export interface SendVoucherInput {
  clinic: OrgPrincipal;
  voucherId: string;
  channel: MessageChannel;
  /** The patient asks for this link on this channel now: record service-only consent first. */
  recordConsent?: boolean;
  /** Where that consent was given ('console' from the console, 'api' otherwise). */
  source: 'console' | 'api';
}

export type SendRefusal = Refusal<'voucher_not_found' | 'voucher_not_active' | 'no_address' | 'no_consent'>;

export interface SentVoucher {
  messageId: string;
  channel: MessageChannel;
  reasonKey: string;
  consentRecorded: boolean;
}

/** A voucher of the clinic with what its patient can be reached by (columns named apart for D1's batch). */
const sendableRow = (deps: Pick<Deps, 'db'>, clinicId: string, voucherId: string) =>
  deps.db
    .select({
      voucher: vouchers,
      patient: {
        id: sql<string>`${patients.id}`.as('p_id'),
        email: patients.email,
        phone: patients.phone,
        consentEmail: patients.consentEmail,
        consentSms: patients.consentSms,
        consentEmailService: patients.consentEmailService,
        consentSmsService: patients.consentSmsService,
        emailInvalidAt: patients.emailInvalidAt,
        phoneInvalidAt: patients.phoneInvalidAt,
      },
    })
    .from(vouchers)
    .innerJoin(patients, eq(patients.id, vouchers.patientId))
    .where(and(eq(vouchers.id, voucherId), eq(vouchers.clinicId, clinicId)));

/** A voucher with its link and how each channel reaches its patient: one query. */
export async function readVoucherForSending(
  deps: Deps,
  input: { clinic: OrgPrincipal; voucherId: string },
): Promise<Result<VoucherWithLink & { reach: ChannelReach[] }, Refusal<'voucher_not_found'>>> {
  const [row] = await sendableRow(deps, input.clinic.organizationId, input.voucherId);
  if (!row) return err({ code: 'voucher_not_found', detail: `No voucher ${input.voucherId}` });
  return ok({ ...(await withLink(deps, row.voucher)), reach: channelReach(row.patient) });
}

/** Writes one voucher_issued message for a voucher: one read, one write batch. */
export async function sendVoucher(
  deps: Deps,
  input: SendVoucherInput,
): Promise<Result<SentVoucher, SendRefusal>> {
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const ch = input.channel;
  const prefix = `voucher:${input.voucherId}:send:`;
  const read = await runBatch(db, {
    row: sendableRow(deps, clinicId, input.voucherId),
  });
  const found = read.row[0];
  if (!found) return err({ code: 'voucher_not_found', detail: `No voucher ${input.voucherId}` });
  const { voucher, patient } = found;
  if (voucher.status !== 'issued' || voucher.expiresAt <= now)
    return err({
      code: 'voucher_not_active',
      detail: `The voucher is ${voucher.status === 'issued' ? 'expired' : voucher.status}: there is nothing to send`,
    });
  const address = ch === 'email' ? patient.email : patient.phone;
  const invalidAt = ch === 'email' ? patient.emailInvalidAt : patient.phoneInvalidAt;
  if (!address || invalidAt != null)
    return err({
      code: 'no_address',
      detail: address
        ? `The patient's ${CHANNEL_WORD[ch]} address no longer works`
        : `The patient has no ${ch === 'email' ? 'e-mail address' : 'phone number'}`,
      errors: [{ path: 'channel', message: `no working ${CHANNEL_WORD[ch]} address` }],
    });
  const consented = consentCovers(patient, ch, 'service');
  const recordConsent = !consented && input.recordConsent === true;
  if (!consented && !recordConsent)
    return err({
      code: 'no_consent',
      detail: `The patient has not agreed to ${CHANNEL_WORD[ch]} messages (consent_${ch} or consent_${ch}_service); record their consent (record_consent) if they ask for this link now`,
    });

  const { url } = await withLink(deps, voucher);
  // The number is counted again inside the write (batches are serialised), so two presses at once get
  // two numbers rather than one losing on the reason's UNIQUE index.
  const reasonKey = sql`${prefix} || ((select count(*) from messages x where x.clinic_id = ${clinicId}
    and x.reason_key >= ${prefix} and x.reason_key < ${`${prefix}\uffff`}) + 1)`;
  const mine = sql`from vouchers v where v.id = ${voucher.id} and v.clinic_id = ${clinicId} and v.status = 'issued'`;
  const message = messageInsert(db, now, {
    clinicId,
    patientId: patient.id,
    kind: 'voucher_issued',
    channel: ch,
    reasonKey,
    vars: {
      gift: voucher.kind === 'offer' ? voucher.title : formatMoney(voucher.valueAmount, voucher.currency),
      url,
      expires_date: localDate(voucher.expiresAt, input.clinic.organization.timezone),
    },
    createdBy: input.clinic.keyId,
    guard: mine,
  });
  const written = sql`exists (select 1 from messages m where m.id = ${message.id})`;
  const flag = ch === 'email' ? { consentEmailService: true } : { consentSmsService: true };
  const done = await runBatch(db, {
    ...(recordConsent && {
      consent: db.insert(consentEvents).select(
        sql`select ${newId('cns', now)}, ${patient.id}, ${ch}, 1, ${input.source}, ${input.clinic.keyId}, ${now},
          ${CONSENT_WORDING_SERVICE[ch]}, ${CONSENT_WORDING_SERVICE_VERSION}, 'service' ${mine}`,
      ),
      flag: db
        .update(patients)
        .set({ ...flag, updatedAt: now })
        .where(and(eq(patients.id, patient.id), sql`exists (select 1 ${mine})`)),
    }),
    message: message.statement.returning({ id: messages.id, reasonKey: messages.reasonKey }),
    audit: auditEntry(db, {
      when: written,
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'voucher.send',
      subject: { type: 'voucher', id: voucher.id },
      patientId: patient.id,
      detail: { channel: ch, message_id: message.id, ...(recordConsent && { consent_recorded: 'service' }) },
      at: now,
    }),
  });
  // A voucher redeemed or voided between the read and the write.
  const sent = done.message[0];
  if (!sent)
    return err({
      code: 'voucher_not_active',
      detail: 'The voucher changed while it was being sent; try again',
    });
  deps.dispatch?.([message.id]);
  return ok({
    messageId: message.id,
    channel: ch,
    reasonKey: sent.reasonKey,
    consentRecorded: recordConsent,
  });
}
