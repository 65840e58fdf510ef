import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock } from '@gratia/core';
import { SURVEY_LOOKBACK_DAYS, surveyRequestMessages } from '@gratia/insight';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { createPatient, createPointsScene, recordVisit } from '../helpers/factories';
import { messagesOf } from '../helpers/messages';
import { staffSession } from '../helpers/staff';

// Issue 13, survey requests: the clinic's delay after a paid visit, the job writes the visit's survey
// link and one survey_request message carrying it, once however often it runs; none for a reversed
// visit, a clinic without a delay, an unreachable patient, or before the delay. And the console's link
// forms send the link by the channel chosen (or not at all).

const HOUR = 3_600_000;
const run = (t: number) => surveyRequestMessages(testDeps(fixedClock(t)));

const setDelay = (clinicId: string, hours: number | null) =>
  env.DB.prepare(
    `insert into messaging_settings (clinic_id, quiet_start_minute, quiet_end_minute, monthly_cap,
      expiry_reminder_days, survey_delay_hours, birthday_greetings, updated_at) values (?, 1260, 480, 4, 14, ?, 1, ?)`,
  )
    .bind(clinicId, hours, T0)
    .run();

const linksOf = async (patientId: string) =>
  (
    await env.DB.prepare(
      'select id, visit_id, purpose, api_key_id from patient_links where patient_id = ? order by id',
    )
      .bind(patientId)
      .all<{ id: string; visit_id: string | null; purpose: string; api_key_id: string | null }>()
  ).results;

async function visitScene() {
  const api = createClient();
  const { net, patient } = await createPointsScene(api);
  const visit = await recordVisit(api, net.clinic.key, patient.id, 10_000);
  const row = await env.DB.prepare('select occurred_at from visits where id = ?')
    .bind(visit.id)
    .first<{ occurred_at: number }>();
  return { api, net, patient, visit, at: row!.occurred_at };
}

describe('scheduled survey requests', () => {
  it('after the delay writes the visit’s survey link and one request carrying it, even run twice', async () => {
    const { net, patient, visit, at } = await visitScene();
    await run(at + 23 * HOUR);
    expect(await messagesOf(net.clinic.id, 'survey:')).toEqual([]);
    expect(await linksOf(patient.id)).toEqual([]);

    await run(at + 25 * HOUR);
    await run(at + 25 * HOUR);
    await run(at + 30 * HOUR);
    const rows = await messagesOf(net.clinic.id, 'survey:');
    expect(rows.map((r) => [r.reason_key, r.kind, r.purpose, r.channel, r.status, r.created_by])).toEqual([
      [`survey:${visit.id}`, 'survey_request', 'marketing', 'email', 'queued', 'system'],
    ]);
    const links = await linksOf(patient.id);
    expect(links.map((l) => [l.visit_id, l.purpose, l.api_key_id])).toEqual([[visit.id, 'survey', null]]);
    const url = JSON.parse(rows[0]!.vars).url as string;
    expect(url).toMatch(new RegExp(`/s/${links[0]!.id}\\.`));
  });

  it('the survey link opens for the patient', async () => {
    const { api, net, at } = await visitScene();
    await run(at + 25 * HOUR);
    const [row] = await messagesOf(net.clinic.id, 'survey:');
    const path = new URL(JSON.parse(row!.vars).url as string).pathname;
    const page = await api.get(path);
    expect(page.status).toBe(200);
  });

  it('writes none for a reversed visit', async () => {
    const { api, net, patient, visit, at } = await visitScene();
    const reversed = await api.post(`/v1/visits/${visit.id}/reverse`, {
      token: net.clinic.key,
      body: { reason: 'Wrong patient' },
    });
    expect(reversed.status, reversed.text).toBe(200);
    await run(at + 25 * HOUR);
    expect(await messagesOf(net.clinic.id, 'survey:')).toEqual([]);
    expect(await linksOf(patient.id)).toEqual([]);
  });

  it('writes none where the clinic set no delay, and follows a clinic’s own delay', async () => {
    const { net, at } = await visitScene();
    await setDelay(net.clinic.id, null);
    await run(at + 25 * HOUR);
    expect(await messagesOf(net.clinic.id, 'survey:')).toEqual([]);

    const later = await visitScene();
    await setDelay(later.net.clinic.id, 48);
    await run(later.at + 25 * HOUR);
    expect(await messagesOf(later.net.clinic.id, 'survey:')).toEqual([]);
    await run(later.at + 49 * HOUR);
    expect((await messagesOf(later.net.clinic.id, 'survey:')).length).toBe(1);
  });

  it('writes none for a patient no channel reaches for marketing', async () => {
    const api = createClient();
    const { net } = await createPointsScene(api);
    const silent = await createPatient(api, net.clinic.key, { email: 'quiet@example.com' });
    await env.DB.prepare('update patients set consent_email_service = 1 where id = ?').bind(silent.id).run();
    await recordVisit(api, net.clinic.key, silent.id, 10_000);
    await run(T0 + 25 * HOUR);
    expect(await messagesOf(net.clinic.id, 'survey:')).toEqual([]);
    expect(await linksOf(silent.id)).toEqual([]);
  });

  it('writes none for a visit that already has its survey link, nor beyond the look-back', async () => {
    const { net, patient, visit, at } = await visitScene();
    const desk = await staffSession(createClient(), {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    await desk.post(`/console/patients/${patient.id}/survey-link`, { visit_id: visit.id, send: 'none' });
    await run(at + 25 * HOUR);
    expect(await messagesOf(net.clinic.id, 'survey:')).toEqual([]);
    expect((await linksOf(patient.id)).length).toBe(1);

    const old = await visitScene();
    await run(old.at + 24 * HOUR + SURVEY_LOOKBACK_DAYS * DAY_MS + HOUR);
    expect(await messagesOf(old.net.clinic.id, 'survey:')).toEqual([]);
  });
});

describe('console: sending a personal link', () => {
  const location = (res: { headers: Headers }) => res.headers.get('location') ?? '';

  async function scene() {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    return { api, net, patient, desk };
  }

  it('shows each channel with its address and consent on the link forms', async () => {
    const { patient, desk } = await scene();
    const page = await desk.get(`/console/patients/${patient.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Send it to the patient by');
    expect(page.text).toContain('E-mail mira@example.com — consent given');
    expect(page.text).toContain('SMS +4915112345678 — no consent: it will not be sent');
    expect(page.text).toContain('Don&#39;t send (copy the link yourself)');
  });

  it('a survey link sent by e-mail: the message queued and linked from the link’s page', async () => {
    const { api, net, patient, desk } = await scene();
    const visit = await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const res = await desk.post(`/console/patients/${patient.id}/survey-link`, {
      visit_id: visit.id,
      send: 'email',
    });
    expect(location(res)).toMatch(
      new RegExp(`^/console/patients/${patient.id}/survey-links/lnk_\\w+\\?sent=msg_[0-9A-Z]+$`),
    );
    const id = /sent=(msg_[0-9A-Z]+)/.exec(location(res))![1];
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.id, r.kind, r.channel, r.reason_key])).toEqual([
      [id, 'survey_request', 'email', `survey:${visit.id}`],
    ]);
    const page = await desk.get(location(res));
    expect(page.text).toContain('Queued: the message is in the outbox.');
    expect(page.text).toContain(`href="/console/outbox/${id}"`);
    // The job does not ask about the visit again.
    await run(T0 + 25 * HOUR);
    expect((await messagesOf(net.clinic.id)).length).toBe(1);
  });

  it('a questionnaire link sent by SMS is queued (the consumer checks consent when it sends)', async () => {
    const { net, patient, desk } = await scene();
    const res = await desk.post(`/console/patients/${patient.id}/links`, { send: 'sms' });
    expect(location(res)).toMatch(/\/questionnaire\?link=lnk_\w+&sent=msg_[0-9A-Z]+$/);
    const id = /sent=(msg_[0-9A-Z]+)/.exec(location(res))![1];
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.id, r.kind, r.channel])).toEqual([[id, 'questionnaire', 'sms']]);
    const page = await desk.get(location(res));
    expect(page.text).toContain('Queued: the message is in the outbox.');
    expect(page.text).toContain(`href="/console/outbox/${id}"`);
  });

  it('"don\'t send" writes no message; a bad choice is a validation error', async () => {
    const { net, patient, desk } = await scene();
    const survey = await desk.post(`/console/patients/${patient.id}/survey-link`, { send: 'none' });
    expect(location(survey)).toMatch(new RegExp(`^/console/patients/${patient.id}/survey-links/lnk_\\w+$`));
    const q = await desk.post(`/console/patients/${patient.id}/links`, { send: 'none' });
    expect(location(q)).toMatch(/\/questionnaire\?link=lnk_\w+$/);
    expect(await messagesOf(net.clinic.id)).toEqual([]);
    expect((await desk.get(location(survey))).text).not.toContain('Queued');

    const bad = await desk.post(`/console/patients/${patient.id}/survey-link`, { send: 'fax' });
    expect(location(bad)).toBe(`/console/patients/${patient.id}?error=validation_failed&field=send`);
    const badQ = await desk.post(`/console/patients/${patient.id}/links`, { send: 'fax' });
    expect(location(badQ)).toBe(`/console/patients/${patient.id}?error=validation_failed&field=send`);
    expect(await messagesOf(net.clinic.id)).toEqual([]);
  });

  it('asking again for a visit’s survey sends nothing new and says so', async () => {
    const { api, net, patient, desk } = await scene();
    const visit = await recordVisit(api, net.clinic.key, patient.id, 10_000);
    await desk.post(`/console/patients/${patient.id}/survey-link`, { visit_id: visit.id, send: 'email' });
    const again = await desk.post(`/console/patients/${patient.id}/survey-link`, {
      visit_id: visit.id,
      send: 'email',
    });
    expect(location(again)).toMatch(/\?sent=none$/);
    expect((await desk.get(location(again))).text).toContain('Not sent: this link was made before');
    expect((await messagesOf(net.clinic.id)).length).toBe(1);
  });
});
