import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { outboxMessage } from '../helpers/messages';
import { staffSession } from '../helpers/staff';

// The console's Outbox: every clinic role sees the list with status chips and a Dead letters tab, and
// each message's page with the text as sent (links clickable: the dev outbox) and its history; owners
// and managers retry a dead message and change the delivery settings; front desk cannot.

async function scene(role: 'owner' | 'manager' | 'front_desk' = 'owner') {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { email: 'anna@example.com' });
  const staff = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role });
  return { api, net, patient, staff };
}

describe('/console/outbox', () => {
  it('lists the clinic’s messages with status chips, by tab, and not another clinic’s', async () => {
    const { api, net, patient, staff } = await scene('front_desk');
    const sent = await outboxMessage(net.clinic.id, patient.id, { status: 'sent' });
    const dead = await outboxMessage(net.clinic.id, patient.id, { status: 'dead', kind: 'card_link' });
    const theirs = await outboxMessage(
      net.otherClinic.id,
      (await createPatient(api, net.otherClinic.key)).id,
    );
    const all = await staff.get('/console/outbox');
    expect(all.status).toBe(200);
    expect(all.text).toContain(`/console/outbox/${sent}`);
    expect(all.text).toContain(`/console/outbox/${dead}`);
    expect(all.text).not.toContain(theirs);
    expect(all.text).toContain('Dead letters');
    expect(all.text).toContain('class="chip ok">Sent');
    // Front desk sees the outbox but not the settings link.
    expect(all.text).not.toContain('/console/outbox/settings');
    const deadTab = await staff.get('/console/outbox?status=dead');
    expect(deadTab.text).toContain(`/console/outbox/${dead}`);
    expect(deadTab.text).not.toContain(`/console/outbox/${sent}`);
  });

  it('shows a message as sent with clickable links and its history: the dev outbox', async () => {
    const { net, patient, staff } = await scene('front_desk');
    const id = await outboxMessage(net.clinic.id, patient.id, {
      status: 'sent',
      body: 'Dear Anna, your gift: https://gratia.test/r/abc.def and more',
    });
    await env.DB.prepare(
      "insert into message_events (id, message_id, status, detail, at) values ('mev_01JD0000000000000000000002', ?, 'sent', 'dev outbox', 1)",
    )
      .bind(id)
      .run();
    const res = await staff.get(`/console/outbox/${id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<a href="https://gratia.test/r/abc.def" rel="noopener noreferrer">');
    expect(res.text).toContain('Subject:</strong> A gift for you');
    expect(res.text).toContain('the dev outbox (not sent: no provider configured)');
    expect(res.text).toContain('dev outbox</span>');
    // No Retry for a sent message, nor for front desk.
    expect(res.text).not.toContain('/retry');
  });

  it('another clinic’s message or a bad id is not found', async () => {
    const { api, net, staff } = await scene();
    const theirs = await outboxMessage(
      net.otherClinic.id,
      (await createPatient(api, net.otherClinic.key)).id,
    );
    expect((await staff.get(`/console/outbox/${theirs}`)).status).toBe(404);
    expect((await staff.get('/console/outbox/nope')).status).toBe(404);
  });

  it('an owner retries a dead letter; a second try of the same form does it once', async () => {
    const { net, patient, staff } = await scene('manager');
    const id = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
    const page = await staff.get(`/console/outbox/${id}`);
    expect(page.text).toContain(`action="/console/outbox/${id}/retry"`);
    expect(page.text).toContain('resend 503: upstream');
    const res = await staff.post(`/console/outbox/${id}/retry`, { submission: 'retry-once-000000001' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/outbox/${id}?retried=1`);
    expect(
      await env.DB.prepare('select status, attempts from messages where id = ?').bind(id).first(),
    ).toEqual({
      status: 'queued',
      attempts: 0,
    });
    const again = await staff.post(`/console/outbox/${id}/retry`, { submission: 'retry-once-000000001' });
    expect(again.status).toBe(303);
    expect(
      await env.DB.prepare(
        "select count(*) n from audit_events where subject_id = ? and action = 'message.retry'",
      )
        .bind(id)
        .first(),
    ).toEqual({ n: 1 });
    // Queued now: retrying again is refused in words.
    const refused = await staff.post(`/console/outbox/${id}/retry`);
    expect(refused.headers.get('location')).toBe(`/console/outbox/${id}?error=message_not_retryable`);
  });

  it('front desk may not retry', async () => {
    const { net, patient, staff } = await scene('front_desk');
    const id = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
    const res = await staff.post(`/console/outbox/${id}/retry`);
    expect(res.headers.get('location')).toBe(`/console/outbox/${id}?error=forbidden`);
    expect(await env.DB.prepare('select status from messages where id = ?').bind(id).first()).toEqual({
      status: 'dead',
    });
  });

  it('a form without the CSRF token is refused', async () => {
    const { api, net, patient, staff } = await scene();
    const id = await outboxMessage(net.clinic.id, patient.id, { status: 'dead' });
    const res = await api.request('POST', `/console/outbox/${id}/retry`, {
      headers: {
        cookie: staff.cookie,
        origin: 'https://gratia.test',
        'content-type': 'application/x-www-form-urlencoded',
      },
      rawBody: 'submission=x',
    });
    expect(res.status).toBe(403);
    expect(await env.DB.prepare('select status from messages where id = ?').bind(id).first()).toEqual({
      status: 'dead',
    });
  });

  it('signed out: the sign-in page', async () => {
    const api = createClient();
    expect((await api.get('/console/outbox')).status).toBe(401);
  });
});

describe('/console/outbox/settings', () => {
  it('an owner reads and saves the delivery settings; bad values are explained', async () => {
    const { net, staff } = await scene();
    const page = await staff.get('/console/outbox/settings');
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="21:00"');
    const fields = {
      quiet_start: '22:00',
      quiet_end: '07:30',
      monthly_cap: '3',
      expiry_reminder_days: '10',
      survey_delay_hours: '',
      birthday_greetings: 'on',
    };
    const saved = await staff.post('/console/outbox/settings', fields);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/outbox/settings?saved=1');
    expect(
      await env.DB.prepare(
        'select quiet_start_minute, quiet_end_minute, monthly_cap, expiry_reminder_days, survey_delay_hours, birthday_greetings from messaging_settings where clinic_id = ?',
      )
        .bind(net.clinic.id)
        .first(),
    ).toEqual({
      quiet_start_minute: 1320,
      quiet_end_minute: 450,
      monthly_cap: 3,
      expiry_reminder_days: 10,
      survey_delay_hours: null,
      birthday_greetings: 1,
    });
    const bad = await staff.post('/console/outbox/settings', {
      ...fields,
      quiet_start: '9pm',
      monthly_cap: 'many',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a time as HH:MM');
    expect(bad.text).toContain('Enter a whole number from 0 to 100');
  });

  it('front desk may not see or change them', async () => {
    const { net, staff } = await scene('front_desk');
    expect((await staff.get('/console/outbox/settings')).status).toBe(403);
    const res = await staff.post('/console/outbox/settings', {
      quiet_start: '22:00',
      quiet_end: '07:30',
      monthly_cap: '3',
      expiry_reminder_days: '10',
      survey_delay_hours: '',
    });
    expect(res.status).toBe(403);
    expect(
      await env.DB.prepare('select 1 from messaging_settings where clinic_id = ?')
        .bind(net.clinic.id)
        .first(),
    ).toBeNull();
  });
});
