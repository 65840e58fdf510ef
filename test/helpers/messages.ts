import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { type MessageChannel, type MessageKind, type MessageStatus, runBatch } from '@gratia/db';
import { messageInsert } from '@gratia/messaging';
import { T0 } from './api';
import { testDeps } from './deps';

// An outbox message written as a producer writes it (messageInsert), optionally moved to a status (a
// dead letter, a sent message with its text), for the outbox's API, pages and proof suites.

let n = 0;

export async function outboxMessage(
  clinicId: string,
  patientId: string | null,
  o: {
    kind?: MessageKind;
    channel?: MessageChannel;
    status?: MessageStatus;
    at?: number;
    body?: string;
    lastError?: string;
    toAddress?: string;
  } = {},
): Promise<string> {
  const at = o.at ?? T0;
  const deps = testDeps(fixedClock(at));
  const { id, statement } = messageInsert(deps.db, at, {
    clinicId,
    patientId,
    kind: o.kind ?? 'voucher_issued',
    channel: o.channel ?? 'email',
    reasonKey: `test-message:${++n}:${Math.random()}`,
    vars: { gift: 'A massage', url: 'https://gratia.test/r/test', expires_date: '2027-03-03' },
    createdBy: 'system',
    toAddress: o.toAddress ?? null,
  });
  await runBatch(deps.db, { statement });
  if (o.status && o.status !== 'queued')
    await env.DB.prepare(
      `update messages set status = ?1, body = ?2, subject = ?3, last_error = ?4, to_address = coalesce(to_address, ?5),
         provider = case when ?1 in ('sent', 'delivered') then 'dev' else provider end,
         sent_at = case when ?1 in ('sent', 'delivered') then created_at end, attempts = 6 where id = ?6`,
    )
      .bind(
        o.status,
        o.body ?? 'Dear Anna, a gift: https://gratia.test/r/test',
        'A gift for you',
        o.lastError ?? (o.status === 'dead' ? 'resend 503: upstream' : null),
        'anna@example.com',
        id,
      )
      .run();
  return id;
}

// The outbox as the producers' tests read it (issue 13): a clinic's messages, by reason key.

export interface MessageRow {
  id: string;
  clinic_id: string;
  patient_id: string | null;
  kind: string;
  purpose: string;
  channel: string;
  reason_key: string;
  vars: string;
  status: string;
  to_address: string | null;
  created_by: string;
}

/** The clinic's messages whose reason starts with `prefix`, ordered by reason. */
export const messagesOf = async (clinicId: string, prefix = '') =>
  (
    await env.DB.prepare(
      'select * from messages where clinic_id = ? and reason_key like ? order by reason_key, id',
    )
      .bind(clinicId, `${prefix}%`)
      .all<MessageRow>()
  ).results;
