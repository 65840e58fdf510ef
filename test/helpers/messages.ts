import { env } from 'cloudflare:workers';

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
