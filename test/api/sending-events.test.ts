import { env } from 'cloudflare:workers';
import { deliverMessage, HIDDEN_SIGN_IN_LINK, providersFrom } from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { createClinic, createPatient } from '../helpers/factories';
import { messagesOf } from '../helpers/messages';
import { invite } from '../helpers/staff';

// Issue 13, events that message someone: a staff invitation with an e-mail address is e-mailed its
// link (a staff_sign_in message without a patient, to the invitation's own address), once.

describe('staff invitations', () => {
  it('writes one staff_sign_in e-mail with the invite link; none without an address', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const inv = await invite(api, clinic.id, { email: 'olga@example.com' });
    await invite(api, clinic.id, { name: 'No Mail' });
    const rows = await messagesOf(clinic.id, 'invite:');
    expect(
      rows.map((r) => [
        r.reason_key,
        r.kind,
        r.purpose,
        r.channel,
        r.patient_id,
        r.to_address,
        r.status,
        r.created_by,
      ]),
    ).toEqual([
      [
        `invite:${inv.id}`,
        'staff_sign_in',
        'service',
        'email',
        null,
        'olga@example.com',
        'queued',
        'operator',
      ],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toEqual({ url: inv.url });
    // Sent (the dev outbox), the outbox still hides the link from whoever reads it: console or API.
    await deliverMessage(testDeps(), providersFrom({}), rows[0]!.id);
    const read = await api.get(`/v1/messages/${rows[0]!.id}`, { token: clinic.key });
    expect(read.status, read.text).toBe(200);
    expect(read.text).not.toContain(inv.url);
    expect(read.text).toContain(HIDDEN_SIGN_IN_LINK);
    const audit = await env.DB.prepare(
      "select count(*) as n from audit_events where subject_id = ? and action = 'staff.invite'",
    )
      .bind(inv.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });
});

describe('POST /v1/patients/{id}/links with send', () => {
  it('messages a questionnaire link on the chosen channel once; without send, none', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const p = await createPatient(api, clinic.key, { phone: '+4915100000003', consent: { sms: true } });
    const headers = { 'idempotency-key': 'q-send-1' };
    const body = { purpose: 'questionnaire', send: 'sms' };
    const res = await api.post(`/v1/patients/${p.id}/links`, { token: clinic.key, body, headers });
    expect(res.status, res.text).toBe(201);
    expect(res.body.message_id).toMatch(/^msg_/);
    const again = await api.post(`/v1/patients/${p.id}/links`, { token: clinic.key, body, headers });
    expect(again.body.message_id).toBe(res.body.message_id);
    const plain = await api.post(`/v1/patients/${p.id}/links`, {
      token: clinic.key,
      body: { purpose: 'questionnaire' },
    });
    expect(plain.body).not.toHaveProperty('message_id');
    const rows = await messagesOf(clinic.id, 'questionnaire:');
    expect(rows.map((r) => [r.id, r.reason_key, r.kind, r.purpose, r.channel, r.patient_id])).toEqual([
      [res.body.message_id, `questionnaire:${res.body.id}`, 'questionnaire', 'marketing', 'sms', p.id],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toEqual({ url: res.body.url });
  });

  it('refuses a bad channel (400)', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const p = await createPatient(api, clinic.key);
    const res = await api.post(`/v1/patients/${p.id}/links`, {
      token: clinic.key,
      body: { purpose: 'questionnaire', send: 'fax' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });
});
