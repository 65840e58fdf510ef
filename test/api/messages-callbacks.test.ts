import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { runBatch } from '@gratia/db';
import {
  deliverMessage,
  isStopWord,
  messageInsert,
  providersFrom,
  svixSignature,
  twilioSignature,
  unsubscribeToken,
  verifySvix,
} from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/api/src/app';
import { T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';

// Provider callbacks and opt-outs: signatures verified (good accepted, bad and stale refused), delivery
// statuses applied to the message the provider knows, a hard bounce or a dead number marks the address
// invalid, an SMS stop word (in English, Spanish or Russian) withdraws SMS consent at once with a
// consent event, and an e-mail's one-click unsubscribe withdraws e-mail consent.

const TWILIO_TOKEN = 'twilio-test-token';
const RESEND_SECRET = `whsec_${btoa('resend-test-secret-0123456789')}`;
const configured = { ...env, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, RESEND_WEBHOOK_SECRET: RESEND_SECRET };

function client(bindings: typeof env = configured as typeof env) {
  const clock = fixedClock(T0);
  const app = createApp({ clock });
  return (path: string, init: RequestInit) => app.request(`https://gratia.test${path}`, init, bindings);
}

async function twilioPost(
  post: ReturnType<typeof client>,
  path: string,
  fields: Record<string, string>,
  token = TWILIO_TOKEN,
) {
  const params = new URLSearchParams(fields);
  const signature = await twilioSignature(token, `https://gratia.test${path}`, params);
  return post(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: params.toString(),
  });
}

async function resendPost(post: ReturnType<typeof client>, event: unknown, at = T0, secret = RESEND_SECRET) {
  const body = JSON.stringify(event);
  const ts = String(Math.floor(at / 1000));
  return post('/webhooks/resend', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': 'msg_svix_1',
      'svix-timestamp': ts,
      'svix-signature': await svixSignature(secret, 'msg_svix_1', ts, body),
    },
    body,
  });
}

const one = (sql: string, ...params: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...params)
    .first<Record<string, any>>();

async function sentMessage(channel: 'email' | 'sms', providerId: string, phone = '+1 (555) 010-2030') {
  const deps = testDeps(fixedClock(T0));
  const clinic = await orgWithCaller(deps, 'clinic');
  const patient = await patientOf(deps, clinic);
  await env.DB.prepare(
    `update patients set email = 'p@example.com', phone = ?, consent_email = 1, consent_sms = 1, consent_sms_service = 1 where id = ?`,
  )
    .bind(phone, patient.id)
    .run();
  const { id, statement } = messageInsert(deps.db, T0, {
    clinicId: clinic.org.id,
    patientId: patient.id,
    kind: 'voucher_issued',
    channel,
    reasonKey: `cb:${providerId}`,
    vars: { gift: 'Tea', url: 'https://gratia.test/r/x', expires_date: '2027-01-01' },
    createdBy: 'system',
  });
  await runBatch(deps.db, { statement });
  await deliverMessage(deps, providersFrom({}), id);
  await env.DB.prepare(`update messages set provider = ?, provider_id = ? where id = ?`)
    .bind(channel === 'email' ? 'resend' : 'twilio', providerId, id)
    .run();
  return { deps, clinic, patient, id };
}

describe('signatures', () => {
  it('Svix: accepts a good signature, refuses a wrong, missing or stale one', async () => {
    const body = '{"type":"email.delivered"}';
    const ts = String(T0 / 1000);
    const sig = await svixSignature(RESEND_SECRET, 'id1', ts, body);
    const h = (signature: string | null, timestamp = ts) => ({ id: 'id1', timestamp, signature });
    expect(await verifySvix(RESEND_SECRET, h(sig), body, T0)).toEqual({ ok: true });
    expect(await verifySvix(RESEND_SECRET, h(`v1,bad ${sig}`), body, T0)).toEqual({ ok: true });
    expect(await verifySvix(RESEND_SECRET, h(sig), `${body} `, T0)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(await verifySvix(RESEND_SECRET, h(null), body, T0)).toEqual({ ok: false, reason: 'missing' });
    expect(await verifySvix(RESEND_SECRET, h(sig), body, T0 + 6 * 60_000)).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('the webhooks refuse a bad signature with 401 problem+json, and do not exist unconfigured', async () => {
    const post = client();
    const bad = await post('/webhooks/twilio/status', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await bad.json<{ code: string }>()).code).toBe('invalid_signature');
    const forged = await twilioPost(
      post,
      '/webhooks/twilio/inbound',
      { From: '+15550102030', Body: 'STOP' },
      'other-token',
    );
    expect(forged.status).toBe(401);
    const stale = await resendPost(
      post,
      { type: 'email.delivered', data: { email_id: 'x' } },
      T0 - 10 * 60_000,
    );
    expect(stale.status).toBe(401);
    const wrongSecret = await resendPost(
      post,
      { type: 'email.delivered', data: { email_id: 'x' } },
      T0,
      `whsec_${btoa('other')}`,
    );
    expect(wrongSecret.status).toBe(401);
    const bare = client(env);
    expect((await bare('/webhooks/resend', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await bare('/webhooks/twilio/inbound', { method: 'POST', body: '' })).status).toBe(404);
  });
});

describe('delivery statuses', () => {
  it('Resend: delivered, then a hard bounce marks the address invalid', async () => {
    const m = await sentMessage('email', 're_abc');
    const post = client();
    const delivered = await resendPost(post, { type: 'email.delivered', data: { email_id: 're_abc' } });
    expect(delivered.status).toBe(200);
    expect(await delivered.json()).toEqual({ received: true, matched: true });
    expect(await one('select status from messages where id = ?', m.id)).toEqual({ status: 'delivered' });
    await resendPost(post, {
      type: 'email.bounced',
      data: { email_id: 're_abc', bounce: { type: 'Permanent' } },
    });
    expect(await one('select status from messages where id = ?', m.id)).toEqual({ status: 'bounced' });
    expect(await one('select email_invalid_at from patients where id = ?', m.patient.id)).toEqual({
      email_invalid_at: T0,
    });
  });

  it('Resend: a complaint withdraws e-mail consent', async () => {
    const m = await sentMessage('email', 're_spam');
    await resendPost(client(), { type: 'email.complained', data: { email_id: 're_spam' } });
    expect(
      await one('select consent_email, consent_email_service from patients where id = ?', m.patient.id),
    ).toEqual({
      consent_email: 0,
      consent_email_service: 0,
    });
    expect(
      await one(
        "select source, granted from consent_events where patient_id = ? and channel = 'email'",
        m.patient.id,
      ),
    ).toEqual({
      source: 'email_complaint',
      granted: 0,
    });
  });

  it('Twilio: an undelivered SMS to a dead number marks the number invalid', async () => {
    const m = await sentMessage('sms', 'SMdead');
    const res = await twilioPost(client(), '/webhooks/twilio/status', {
      MessageSid: 'SMdead',
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
    });
    expect(res.status).toBe(204);
    expect(await one('select status, last_error from messages where id = ?', m.id)).toEqual({
      status: 'bounced',
      last_error: 'undelivered (error 30005)',
    });
    expect(await one('select phone_invalid_at from patients where id = ?', m.patient.id)).toEqual({
      phone_invalid_at: T0,
    });
  });
});

describe('SMS stop words', () => {
  it('recognises the stop words in English, Spanish and Russian, whole and trimmed', () => {
    for (const w of [
      'STOP',
      ' stop ',
      'Unsubscribe',
      'QUIT',
      'cancel',
      'END',
      'stopall',
      'BAJA',
      'parar',
      'Alto',
      'CANCELAR',
      'detener',
      'СТОП',
      'стоп',
      'Отписаться',
      'ОТМЕНА',
    ])
      expect(isStopWord(w), w).toBe(true);
    for (const w of ['START', 'UNSTOP', 'please stop', 'stop it', 'hello'])
      expect(isStopWord(w), w).toBe(false);
  });

  for (const word of ['STOP', 'СТОП', 'BAJA']) {
    it(`"${word}" withdraws SMS consent at once, with a consent event and an audit entry`, async () => {
      const m = await sentMessage('sms', `SM${word}`, `+1 555 010 ${1000 + word.length}`);
      const res = await twilioPost(client(), '/webhooks/twilio/inbound', {
        From: `+1555010${1000 + word.length}`,
        Body: word,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/xml');
      expect(await res.text()).toContain('<Response>');
      expect(
        await one(
          'select consent_sms, consent_sms_service, consent_email from patients where id = ?',
          m.patient.id,
        ),
      ).toEqual({
        consent_sms: 0,
        consent_sms_service: 0,
        consent_email: 1,
      });
      expect(
        await one(
          "select granted, source, scope, wording from consent_events where patient_id = ? and channel = 'sms'",
          m.patient.id,
        ),
      ).toEqual({ granted: 0, source: 'sms_stop', scope: 'all', wording: word });
      expect(
        await one(
          "select action, organization_id from audit_events where patient_id = ? and action = 'consent.withdraw'",
          m.patient.id,
        ),
      ).toEqual({
        action: 'consent.withdraw',
        organization_id: m.clinic.org.id,
      });
      // A second STOP records nothing new; the next SMS is suppressed.
      await twilioPost(client(), '/webhooks/twilio/inbound', {
        From: `+1555010${1000 + word.length}`,
        Body: word,
      });
      expect(
        await one(
          "select count(*) n from consent_events where patient_id = ? and channel = 'sms'",
          m.patient.id,
        ),
      ).toEqual({ n: 1 });
    });
  }

  it('START is not consent: nothing is recorded', async () => {
    const m = await sentMessage('sms', 'SMstart', '+15550109999');
    await env.DB.prepare('update patients set consent_sms = 0, consent_sms_service = 0 where id = ?')
      .bind(m.patient.id)
      .run();
    await twilioPost(client(), '/webhooks/twilio/inbound', { From: '+15550109999', Body: 'START' });
    expect(await one('select consent_sms from patients where id = ?', m.patient.id)).toEqual({
      consent_sms: 0,
    });
    expect(await one('select count(*) n from consent_events where patient_id = ?', m.patient.id)).toEqual({
      n: 0,
    });
  });
});

describe('one-click unsubscribe', () => {
  it('GET asks, POST (RFC 8058) withdraws e-mail consent at once, idempotently', async () => {
    const m = await sentMessage('email', 're_unsub');
    const token = await unsubscribeToken(m.deps, m.id);
    const post = client();
    const page = await post(`/u/${token}`, { method: 'GET' });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain(`Unsubscribe from e-mail from ${m.clinic.org.name}?`);
    expect(text).toContain('<form method="post"');
    for (let i = 0; i < 2; i++) {
      const res = await post(`/u/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('You are unsubscribed');
    }
    expect(
      await one(
        'select consent_email, consent_email_service, consent_sms from patients where id = ?',
        m.patient.id,
      ),
    ).toEqual({
      consent_email: 0,
      consent_email_service: 0,
      consent_sms: 1,
    });
    expect(
      await one(
        "select count(*) n, min(source) source, min(scope) scope from consent_events where patient_id = ? and channel = 'email'",
        m.patient.id,
      ),
    ).toEqual({ n: 1, source: 'email_unsubscribe', scope: 'all' });
    expect(
      await one(
        "select count(*) n from audit_events where subject_id = ? and action = 'consent.withdraw'",
        m.id,
      ),
    ).toEqual({ n: 1 });
    expect(await (await post(`/u/${token}`, { method: 'GET' })).text()).toContain('You are unsubscribed');
  });

  it('a forged token is a 404 and changes nothing; the page speaks the patient’s language', async () => {
    const m = await sentMessage('email', 're_forged');
    const post = client();
    const token = await unsubscribeToken(m.deps, m.id);
    expect(
      (await post(`/u/${token.slice(0, -2)}xx`, { method: 'POST', body: 'List-Unsubscribe=One-Click' }))
        .status,
    ).toBe(404);
    expect((await post('/u/nonsense', { method: 'GET' })).status).toBe(404);
    expect(await one('select consent_email from patients where id = ?', m.patient.id)).toEqual({
      consent_email: 1,
    });
    await env.DB.prepare("update patients set locale = 'ru' where id = ?").bind(m.patient.id).run();
    const ru = await (await post(`/u/${token}`, { method: 'GET' })).text();
    expect(ru).toContain('lang="ru"');
    expect(ru).toContain('Отписаться');
  });
});
