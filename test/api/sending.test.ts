import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient, issueVoucher, type Network } from '../helpers/factories';
import { messagesOf } from '../helpers/messages';
import { describeSecurity, expectProblem } from '../helpers/security';

// Issue 13, the producers' side: a voucher issued writes its link's message in the issue's own batch
// (e-mail first, else SMS, only where the patient can be reached), and "Send" writes one more on the
// channel the clinic chooses, refusing without consent unless the patient asks for it now.

async function scene(api: Client, patient: Record<string, unknown> = {}) {
  const net = await createNetwork(api);
  const p = await createPatient(api, net.clinic.key, patient);
  const offer = await createOffer(api, net.partner.key);
  return { net, patient: p, offer };
}

const consenting = {
  email: 'anna@example.com',
  phone: '+4915112345678',
  consent: { email: true, sms: true, source: 'paper_form' },
};

describe('POST /v1/vouchers: the voucher_issued message', () => {
  it('writes exactly one e-mail message to a consenting patient, with the link, in the issue batch', async () => {
    const api = createClient();
    const { net, patient, offer } = await scene(api, consenting);
    const v = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
    const rows = await messagesOf(net.clinic.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      patient_id: patient.id,
      kind: 'voucher_issued',
      purpose: 'service',
      channel: 'email',
      reason_key: `voucher:${v.id}`,
      status: 'queued',
      created_by: net.clinic.keyId,
    });
    expect(JSON.parse(rows[0]!.vars)).toEqual({
      gift: offer.title,
      url: v.url,
      expires_date: '2027-01-30',
    });
  });

  it('an Idempotency-Key retry writes no second message', async () => {
    const api = createClient();
    const { net, patient, offer } = await scene(api, consenting);
    const headers = { 'idempotency-key': 'gift-once' };
    const body = { patient_id: patient.id, offer_id: offer.id };
    const a = await api.post('/v1/vouchers', { token: net.clinic.key, body, headers });
    const b = await api.post('/v1/vouchers', { token: net.clinic.key, body, headers });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    expect(await messagesOf(net.clinic.id)).toHaveLength(1);
  });

  it('falls back to SMS when only SMS reaches the patient (service consent is enough)', async () => {
    const api = createClient();
    const { net, patient } = await scene(api, { email: 'anna@example.com', phone: '+4915112345678' });
    await env.DB.prepare('update patients set consent_sms_service = 1 where id = ?').bind(patient.id).run();
    const v = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 2500, currency: 'EUR' },
      category: 'massage',
    });
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.channel, r.reason_key])).toEqual([['sms', `voucher:${v.id}`]]);
    expect(JSON.parse(rows[0]!.vars).gift).toBe('€25.00');
  });

  it('writes none without consent, with a bounced address, or with notify false', async () => {
    const api = createClient();
    const { net, offer } = await scene(api);
    const none = await createPatient(api, net.clinic.key, {
      email: 'x@example.com',
      phone: '+4915100000000',
    });
    const bounced = await createPatient(api, net.clinic.key, {
      email: 'b@example.com',
      consent: { email: true },
    });
    await env.DB.prepare('update patients set email_invalid_at = ? where id = ?').bind(T0, bounced.id).run();
    const quiet = await createPatient(api, net.clinic.key, consenting);
    for (const p of [none, bounced])
      await issueVoucher(api, net.clinic.key, { patient_id: p.id, offer_id: offer.id });
    await issueVoucher(api, net.clinic.key, { patient_id: quiet.id, offer_id: offer.id, notify: false });
    expect(await messagesOf(net.clinic.id)).toEqual([]);
  });
});

async function sendScene(api: Client, patient: Record<string, unknown> = consenting) {
  const s = await scene(api, patient);
  const v = await issueVoucher(api, s.net.clinic.key, {
    patient_id: s.patient.id,
    offer_id: s.offer.id,
    notify: false,
  });
  return { ...s, voucher: v };
}

const send = (api: Client, net: Network, id: string, body: Record<string, unknown>, headers = {}) =>
  api.post(`/v1/vouchers/${id}/send`, { token: net.clinic.key, body, headers });

describe('POST /v1/vouchers/{id}/send', () => {
  it('10 presses at once: 10 messages, numbered 1 to 10, none refused', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api);
    const all = await Promise.all(
      Array.from({ length: 10 }, () => send(api, net, voucher.id, { channel: 'email' })),
    );
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(all.map((r) => r.body.reason_key).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `voucher:${voucher.id}:send:${i + 1}`).sort(),
    );
    expect((await messagesOf(net.clinic.id, `voucher:${voucher.id}:send:`)).length).toBe(10);
  });

  it('queues one message per press on the chosen channel, audited; an Idempotency-Key retry is one', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api);
    const a = await send(api, net, voucher.id, { channel: 'sms' }, { 'idempotency-key': 'send-a' });
    expect(a.status, a.text).toBe(202);
    expect(a.body).toEqual({
      message_id: expect.stringMatching(/^msg_/),
      voucher_id: voucher.id,
      channel: 'sms',
      status: 'queued',
      reason_key: `voucher:${voucher.id}:send:1`,
      consent_recorded: false,
    });
    const again = await send(api, net, voucher.id, { channel: 'sms' }, { 'idempotency-key': 'send-a' });
    expect(again.body.message_id).toBe(a.body.message_id);
    const b = await send(api, net, voucher.id, { channel: 'email' });
    expect(b.body.reason_key).toBe(`voucher:${voucher.id}:send:2`);
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.id, r.channel, r.status])).toEqual([
      [a.body.message_id, 'sms', 'queued'],
      [b.body.message_id, 'email', 'queued'],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toMatchObject({ url: voucher.url });
    const audit = await env.DB.prepare(
      "select * from audit_events where subject_id = ? and action = 'voucher.send' order by id",
    )
      .bind(voucher.id)
      .all<{ detail: string; actor_key_id: string }>();
    // Same clock, same millisecond: ids do not order the two entries, so compare them as a set.
    expect(audit.results.map((e) => JSON.parse(e.detail).message_id).sort()).toEqual(
      [a.body.message_id, b.body.message_id].sort(),
    );
  });

  it('refuses without consent for the channel (409 no_consent), writing nothing', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api, { phone: '+4915112345678', email: 'a@example.com' });
    const res = await send(api, net, voucher.id, { channel: 'sms' });
    expectProblem(res, 409, 'no_consent');
    expect(res.body.detail).toContain('consent_sms');
    expect(await messagesOf(net.clinic.id)).toEqual([]);
  });

  it('records service-only consent with its wording when the patient asks now, then queues', async () => {
    const api = createClient();
    const { net, voucher, patient } = await sendScene(api, { phone: '+4915112345678' });
    const res = await send(api, net, voucher.id, { channel: 'sms', record_consent: true });
    expect(res.status, res.text).toBe(202);
    expect(res.body.consent_recorded).toBe(true);
    const p = await env.DB.prepare('select consent_sms, consent_sms_service from patients where id = ?')
      .bind(patient.id)
      .first();
    expect(p).toEqual({ consent_sms: 0, consent_sms_service: 1 });
    const events = await env.DB.prepare('select * from consent_events where patient_id = ?')
      .bind(patient.id)
      .all<Record<string, unknown>>();
    expect(events.results).toEqual([
      expect.objectContaining({
        channel: 'sms',
        granted: 1,
        scope: 'service',
        source: 'api',
        wording_version: 'console-service-2026-12',
        wording: expect.stringContaining('no offers or advertising'),
      }),
    ]);
    expect(await messagesOf(net.clinic.id)).toHaveLength(1);
  });

  it('refuses a channel without an address (422 no_address)', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api, {
      email: 'a@example.com',
      consent: { email: true, sms: true },
    });
    expectProblem(
      await send(api, net, voucher.id, { channel: 'sms', record_consent: true }),
      422,
      'no_address',
    );
  });

  it('refuses a voided voucher (409 voucher_not_active)', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api);
    const voided = await api.post(`/v1/vouchers/${voucher.id}/void`, {
      token: net.clinic.key,
      body: { reason: 'wrong patient' },
    });
    expect(voided.status).toBe(200);
    expectProblem(await send(api, net, voucher.id, { channel: 'email' }), 409, 'voucher_not_active');
  });

  it('refuses an expired voucher (409) and an unknown one (404)', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api);
    await env.DB.prepare('update vouchers set expires_at = ? where id = ?')
      .bind(T0 - 1, voucher.id)
      .run();
    expectProblem(await send(api, net, voucher.id, { channel: 'email' }), 409, 'voucher_not_active');
    expectProblem(await send(api, net, 'vch_nope', { channel: 'email' }), 404, 'voucher_not_found');
  });

  it('validates the body (400)', async () => {
    const api = createClient();
    const { net, voucher } = await sendScene(api);
    expectProblem(await send(api, net, voucher.id, { channel: 'fax' }), 400, 'validation_failed');
    expectProblem(await send(api, net, voucher.id, { channel: 'sms', extra: 1 }), 400, 'validation_failed');
  });
});

describeSecurity('POST /v1/vouchers/{id}/send', {
  method: 'POST',
  roles: ['clinic'],
  setup: async (api, net) => {
    const p = await createPatient(api, net.clinic.key, consenting);
    const offer = await createOffer(api, net.partner.key);
    return issueVoucher(api, net.clinic.key, { patient_id: p.id, offer_id: offer.id, notify: false });
  },
  path: (v) => `/v1/vouchers/${v.id}/send`,
  body: () => ({ channel: 'email' }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'voucher_not_found',
});
