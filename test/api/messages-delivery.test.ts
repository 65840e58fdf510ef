import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { fixedClock, HOUR_MS, MINUTE_MS } from '@gratia/core';
import type { MessageChannel, MessageKind } from '@gratia/db';
import { type Deps, runBatch } from '@gratia/db';
import {
  backoffMs,
  cardUrl,
  deliverMessage,
  MAX_ATTEMPTS,
  markDead,
  messageInsert,
  providersFrom,
  quietUntil,
  sweepOutbox,
} from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_QUEUE, handleQueue, MESSAGES_QUEUE } from '../../workers/api/src/queue';
import { OUTBOX_CRON, runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';
import { createNetwork, createOffer, createPatient, issueVoucher } from '../helpers/factories';

// The outbox's consumer: a message leaves exactly once (a redelivered id sends nothing), only with
// consent for its channel and purpose, outside quiet hours and under the monthly cap of marketing; a
// provider's passing failure is retried with backoff and ends dead after the last try.

type Call = { url: string; init: RequestInit };

/** Providers with credentials whose fetch answers from `answers` (then 200) and records every call. */
function fakeProviders(answers: Array<() => Response> = []) {
  const calls: Call[] = [];
  const doFetch = (async (url: string, init: RequestInit) => {
    calls.push({ url: String(url), init });
    const next = answers.shift();
    if (next) return next();
    return String(url).includes('twilio')
      ? Response.json({ sid: `SM${calls.length}` }, { status: 201 })
      : Response.json({ id: `re_${calls.length}` });
  }) as unknown as typeof fetch;
  const providers = providersFrom({
    resendApiKey: 're_test',
    emailFrom: 'Clinic <c@example.com>',
    twilioAccountSid: 'AC123',
    twilioAuthToken: 'tok',
    twilioFrom: '+15550001111',
    twilioStatusCallback: 'https://gratia.test/webhooks/twilio/status',
    fetch: doFetch,
  });
  return { providers, calls };
}

const row = (id: string) =>
  env.DB.prepare('select * from messages where id = ?').bind(id).first<Record<string, any>>();
const events = async (id: string) =>
  (
    await env.DB.prepare('select status, detail from message_events where message_id = ? order by at, rowid')
      .bind(id)
      .all<{ status: string; detail: string }>()
  ).results;

interface SceneOptions {
  email?: string | null;
  phone?: string | null;
  consentEmail?: boolean;
  consentSms?: boolean;
  consentSmsService?: boolean;
  timezone?: string | null;
  locale?: string;
}

async function scene(deps: Deps, o: SceneOptions = {}) {
  const clinic = await orgWithCaller(deps, 'clinic');
  const patient = await patientOf(deps, clinic);
  await env.DB.prepare(
    `update patients set email = ?, phone = ?, consent_email = ?, consent_sms = ?, consent_sms_service = ?,
       timezone = ?, locale = ? where id = ?`,
  )
    .bind(
      o.email === undefined ? 'dana@example.com' : o.email,
      o.phone === undefined ? '+15557654321' : o.phone,
      o.consentEmail === false ? 0 : 1,
      o.consentSms ? 1 : 0,
      o.consentSmsService ? 1 : 0,
      o.timezone ?? null,
      o.locale ?? 'en',
      patient.id,
    )
    .run();
  let n = 0;
  const message = async (
    kind: MessageKind = 'voucher_issued',
    channel: MessageChannel = 'email',
    createdBy = 'system',
  ) => {
    const { id, statement } = messageInsert(deps.db, deps.clock.now(), {
      clinicId: clinic.org.id,
      patientId: patient.id,
      kind,
      channel,
      reasonKey: `test:${++n}:${channel}`,
      vars: {
        gift: 'A massage',
        url: 'https://gratia.test/r/abc',
        expires_date: '2027-03-03',
        reward: 'x',
        purpose: 'Hello',
      },
      createdBy,
    });
    await runBatch(deps.db, { statement });
    return id;
  };
  return { clinic, patient, message };
}

describe('delivering a message', () => {
  it('sends a voucher e-mail once, with the unsubscribe headers and the id as idempotency key', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps);
    const id = await s.message();
    const { providers, calls } = fakeProviders();
    expect(await deliverMessage(deps, providers, id)).toEqual({ kind: 'sent', provider: 'resend' });
    expect(await deliverMessage(deps, providers, id)).toEqual({ kind: 'skipped' });
    expect(calls).toHaveLength(1);
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers['Idempotency-Key']).toBe(id);
    const body = JSON.parse(String(calls[0]!.init.body));
    expect(body.to).toEqual(['dana@example.com']);
    expect(body.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(body.headers['List-Unsubscribe']).toMatch(new RegExp(`^<https://gratia.test/u/${id}\\.`));
    const r = await row(id);
    expect(r).toMatchObject({
      status: 'sent',
      provider: 'resend',
      provider_id: 're_1',
      to_address: 'dana@example.com',
      attempts: 1,
    });
    expect(r!.subject).toContain('A gift for you');
    expect(r!.body).toContain('https://gratia.test/r/abc');
    expect(r!.body).toContain('/u/');
    expect((await events(id)).map((e) => e.status)).toEqual(['sent']);
  });

  it('sends exactly one message when the queue redelivers the batch', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps);
    const id = await s.message();
    const { providers, calls } = fakeProviders();
    for (let i = 0; i < 2; i++) {
      const batch = createMessageBatch(MESSAGES_QUEUE, [
        { id: `q${i}`, timestamp: T0, attempts: i + 1, body: { id } },
        { id: `q${i}b`, timestamp: T0, attempts: i + 1, body: { id } },
      ]);
      const ctx = createExecutionContext();
      await handleQueue(batch, env, T0, providers);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks.sort()).toEqual([`q${i}`, `q${i}b`]);
      expect(result.retryMessages).toEqual([]);
    }
    expect(calls).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('without credentials, the dev outbox is the provider: the row holds what would have been sent', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { consentSms: true });
    const id = await s.message('voucher_issued', 'sms');
    expect(await deliverMessage(deps, providersFrom({}), id)).toEqual({ kind: 'sent', provider: 'dev' });
    const r = await row(id);
    expect(r).toMatchObject({ status: 'sent', provider: 'dev', to_address: '+15557654321', subject: null });
    expect(r!.body).toContain('A massage');
    expect(r!.body).toContain('https://gratia.test/r/abc');
  });

  it('suppresses an SMS to a patient without SMS consent, records why, and sends nothing', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { consentSms: false });
    const id = await s.message('voucher_issued', 'sms');
    const { providers, calls } = fakeProviders();
    expect(await deliverMessage(deps, providers, id)).toEqual({ kind: 'suppressed', reason: 'no_consent' });
    expect(calls).toHaveLength(0);
    expect(await row(id)).toMatchObject({
      status: 'suppressed',
      suppressed_reason: 'no_consent',
      body: null,
    });
    expect(await events(id)).toEqual([{ status: 'suppressed', detail: 'no_consent' }]);
  });

  it('service-only consent lets a service message through but not marketing', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { consentSmsService: true });
    const { providers, calls } = fakeProviders();
    const service = await s.message('voucher_issued', 'sms');
    const marketing = await s.message('birthday', 'sms');
    expect((await deliverMessage(deps, providers, service)).kind).toBe('sent');
    expect(await deliverMessage(deps, providers, marketing)).toEqual({
      kind: 'suppressed',
      reason: 'no_consent',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json');
    const form = new URLSearchParams(String(calls[0]!.init.body));
    expect(form.get('To')).toBe('+15557654321');
    expect(form.get('From')).toBe('+15550001111');
    expect(form.get('StatusCallback')).toBe('https://gratia.test/webhooks/twilio/status');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe(
      `Basic ${btoa('AC123:tok')}`,
    );
  });

  it('suppresses when there is no address or the address is known invalid', async () => {
    const deps = testDeps(fixedClock(T0));
    const a = await scene(deps, { email: null });
    const { providers } = fakeProviders();
    expect(await deliverMessage(deps, providers, await a.message())).toEqual({
      kind: 'suppressed',
      reason: 'no_address',
    });
    const b = await scene(deps);
    await env.DB.prepare('update patients set email_invalid_at = ? where id = ?')
      .bind(T0, b.patient.id)
      .run();
    expect(await deliverMessage(deps, providers, await b.message())).toEqual({
      kind: 'suppressed',
      reason: 'address_invalid',
    });
  });

  it('defers a message in quiet hours of the patient’s timezone and sends it when they end', async () => {
    // 09:00 UTC is 01:00 in Chicago (quiet 21:00-08:00): deferred to 08:00 Chicago, 14:00 UTC.
    const clock = fixedClock(T0);
    const deps = testDeps(clock);
    const s = await scene(deps, { timezone: 'America/Chicago' });
    const id = await s.message();
    const { providers, calls } = fakeProviders();
    const out = await deliverMessage(deps, providers, id);
    expect(out).toEqual({ kind: 'deferred', notBefore: Date.parse('2026-11-01T14:00:00Z') });
    expect(calls).toHaveLength(0);
    expect(await row(id)).toMatchObject({
      status: 'queued',
      not_before: Date.parse('2026-11-01T14:00:00Z'),
      attempts: 0,
    });
    clock.set(Date.parse('2026-11-01T13:00:00Z'));
    expect(await deliverMessage(deps, providers, id)).toEqual({ kind: 'skipped' });
    clock.set(Date.parse('2026-11-01T14:00:00Z'));
    expect((await deliverMessage(deps, providers, id)).kind).toBe('sent');
    expect(calls).toHaveLength(1);
    // The clinic's timezone applies when the patient has none (Berlin: 10:00, not quiet).
    expect(quietUntil(T0, 'Europe/Berlin', 21 * 60, 8 * 60)).toBeNull();
  });

  it('in quiet hours, a service message someone caused just now goes at once; marketing waits', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { timezone: 'America/Chicago' });
    const given = await s.message('voucher_issued', 'email', 'key_desk');
    const greeting = await s.message('birthday', 'email', 'key_desk');
    const { providers } = fakeProviders();
    expect((await deliverMessage(deps, providers, given)).kind).toBe('sent');
    expect((await deliverMessage(deps, providers, greeting)).kind).toBe('deferred');
  });

  it('the queue handler re-sends a deferred message with the delay to the end of quiet hours', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { timezone: 'America/Chicago' });
    const id = await s.message();
    const batch = createMessageBatch(MESSAGES_QUEUE, [
      { id: 'q1', timestamp: T0, attempts: 1, body: { id } },
    ]);
    const ctx = createExecutionContext();
    await handleQueue(batch, env, T0, fakeProviders().providers);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(['q1']);
    expect(await row(id)).toMatchObject({ status: 'queued' });
  });

  it('caps marketing messages per month, but never service messages', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps);
    await env.DB.prepare(
      `insert into messaging_settings (clinic_id, quiet_start_minute, quiet_end_minute, monthly_cap, updated_at)
       values (?, 0, 0, 2, ?)`,
    )
      .bind(s.clinic.org.id, T0)
      .run();
    const { providers, calls } = fakeProviders();
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(await deliverMessage(deps, providers, await s.message('survey_request')));
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'suppressed']);
    expect(outcomes[2]).toEqual({ kind: 'suppressed', reason: 'frequency_cap' });
    expect((await deliverMessage(deps, providers, await s.message('voucher_issued'))).kind).toBe('sent');
    expect(calls).toHaveLength(3);
    const month = await env.DB.prepare('select * from patient_message_months where patient_id = ?')
      .bind(s.patient.id)
      .first();
    expect(month).toMatchObject({ month: '2026-11', marketing_sent: 2 });
  });

  it('retries a provider failure with backoff, and the dead-letter queue marks it dead after the last try', async () => {
    const clock = fixedClock(T0);
    const deps = testDeps(clock);
    const s = await scene(deps);
    const id = await s.message();
    const failing = Array.from(
      { length: MAX_ATTEMPTS },
      () => () => new Response('upstream', { status: 503 }),
    );
    const { providers, calls } = fakeProviders(failing);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const batch = createMessageBatch(MESSAGES_QUEUE, [
        { id: `q${attempt}`, timestamp: T0, attempts: attempt, body: { id } },
      ]);
      const ctx = createExecutionContext();
      await handleQueue(batch, env, clock.now(), providers);
      const result = await getQueueResult(batch, ctx);
      // (The test harness records which message was retried, not its delay: backoffMs is checked below.)
      expect(result.retryMessages.map((m) => m.msgId)).toEqual([`q${attempt}`]);
      expect(await row(id)).toMatchObject({
        status: 'queued',
        attempts: attempt,
        last_error: 'resend 503: upstream',
      });
      clock.advance(backoffMs(attempt));
    }
    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(2)).toBe(60_000);
    expect(backoffMs(20)).toBe(HOUR_MS);
    expect(calls).toHaveLength(MAX_ATTEMPTS);
    // The queue gives up after max_retries and moves the message to the dead-letter queue.
    const dlq = createMessageBatch(DEAD_LETTER_QUEUE, [
      { id: 'd1', timestamp: T0, attempts: 1, body: { id } },
    ]);
    const ctx = createExecutionContext();
    await handleQueue(dlq, env, clock.now(), providers);
    expect((await getQueueResult(dlq, ctx)).explicitAcks).toEqual(['d1']);
    expect(await row(id)).toMatchObject({ status: 'dead', last_error: 'resend 503: upstream' });
    expect((await events(id)).at(-1)).toEqual({ status: 'dead', detail: 'resend 503: upstream' });
    // Dead twice is once; a sent message is never marked dead.
    expect(await markDead(deps, id)).toBe(false);
  });

  it('a hard failure (a bad number) is final and marks the number invalid', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { consentSms: true });
    const id = await s.message('voucher_issued', 'sms');
    const { providers } = fakeProviders([
      () => Response.json({ code: 21211, message: 'Invalid To' }, { status: 400 }),
    ]);
    expect((await deliverMessage(deps, providers, id)).kind).toBe('failed');
    expect(await row(id)).toMatchObject({ status: 'failed' });
    const p = await env.DB.prepare('select phone_invalid_at from patients where id = ?')
      .bind(s.patient.id)
      .first();
    expect(p).toEqual({ phone_invalid_at: T0 });
  });

  it('a network error is retryable', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps);
    const id = await s.message();
    const { providers } = fakeProviders([
      () => {
        throw new TypeError('fetch failed');
      },
    ]);
    expect((await deliverMessage(deps, providers, id)).kind).toBe('retry');
  });

  it('takes over a stale claim, and the sweep hands due and stale messages to the queue', async () => {
    const clock = fixedClock(T0);
    const deps = testDeps(clock);
    const dispatched: string[] = [];
    deps.dispatch = (ids) => dispatched.push(...ids);
    const s = await scene(deps);
    const fresh = await s.message();
    const stale = await s.message('card_link');
    await env.DB.prepare("update messages set status = 'sending', claimed_at = ? where id = ?")
      .bind(T0, stale)
      .run();
    clock.advance(2 * MINUTE_MS);
    const swept = await sweepOutbox(deps);
    expect(dispatched).toContain(fresh);
    expect(dispatched).not.toContain(stale);
    expect(swept.dispatched).toBeGreaterThanOrEqual(1);
    clock.advance(10 * MINUTE_MS);
    dispatched.length = 0;
    await sweepOutbox(deps);
    expect(dispatched).toContain(stale);
    expect((await deliverMessage(deps, fakeProviders().providers, stale)).kind).toBe('sent');
  });

  it('renders the patient’s language', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps, { locale: 'es' });
    const id = await s.message();
    await deliverMessage(deps, providersFrom({}), id);
    const r = await row(id);
    expect(r).toMatchObject({ locale: 'es' });
    expect(r!.body).toContain('cancele la suscripción');
  });

  it('the five-minute cron runs the scheduled messages and the outbox sweep; the hourly cron does not sweep', async () => {
    const deps = testDeps(fixedClock(T0));
    const s = await scene(deps);
    await s.message();
    const frequent = await runScheduledJobs(env, T0 + 2 * MINUTE_MS, OUTBOX_CRON);
    // The scheduled messages first (they write to the outbox), then the sweep of what the queue has not taken.
    expect(Object.keys(frequent)).toEqual([
      'expiring_points_messages',
      'birthday_messages',
      'plan_item_messages',
      'survey_request_messages',
      'sweep_outbox',
    ]);
    expect((frequent.sweep_outbox as { dispatched: number }).dispatched).toBeGreaterThanOrEqual(1);
    const hourly = await runScheduledJobs(env, T0 + 2 * MINUTE_MS, '5 * * * *');
    expect(hourly).not.toHaveProperty('sweep_outbox');
    expect(hourly).not.toHaveProperty('expiring_points_messages');
    expect(hourly).toHaveProperty('book_point_expiry');
  });
});

describe('links the event could not sign', () => {
  it('a voucher message without a link gets the voucher’s signed link; a reward message the card page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, {
      email: 'lina@example.com',
      consent: { email: true, sms: false },
    });
    const offer = await createOffer(api, net.partner.key);
    const v = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      offer_id: offer.id,
      notify: false,
    });
    const deps = testDeps(fixedClock(T0));
    const write = async (kind: MessageKind, vars: Record<string, string>) => {
      const { id, statement } = messageInsert(deps.db, T0, {
        clinicId: net.clinic.id,
        patientId: patient.id,
        kind,
        channel: 'email',
        reasonKey: `links:${kind}`,
        vars,
        createdBy: 'system',
      });
      await runBatch(deps.db, { statement });
      return id;
    };
    const voucherMessage = await write('voucher_issued', {
      gift: offer.title,
      expires_date: '2027-01-30',
      voucher_id: v.id,
    });
    const rewardMessage = await write('referral_reward', { reward: '70 bonus points' });
    const { providers } = fakeProviders();
    const batch = createMessageBatch(MESSAGES_QUEUE, [
      { id: 'a', timestamp: T0, attempts: 1, body: { id: voucherMessage } },
      { id: 'b', timestamp: T0, attempts: 1, body: { id: rewardMessage } },
    ]);
    await handleQueue(batch, env, T0, providers);
    const sentVoucher = await row(voucherMessage);
    expect(sentVoucher).toMatchObject({ status: 'sent', last_error: null });
    expect(sentVoucher!.body).toContain(v.url);
    const sentReward = await row(rewardMessage);
    expect(sentReward).toMatchObject({ status: 'sent' });
    expect(sentReward!.body).toContain(await cardUrl(deps, patient.id));
  });
});
