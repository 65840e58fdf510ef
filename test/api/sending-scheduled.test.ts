import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, newId } from '@gratia/core';
import {
  birthdayMessages,
  cardUrl,
  expiringPointsMessages,
  type MessageJobLinks,
  planItemMessages,
} from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { createNetwork, createPatient, createPointsScene, recordVisit } from '../helpers/factories';
import { messagesOf } from '../helpers/messages';

// Issue 13, the scheduled messages: each job, run twice (as the cron does every five minutes), writes
// each message once, only for patients a channel reaches, and nothing a clinic turned off.

const at = (t: number) => {
  const deps = testDeps(fixedClock(t));
  const links: MessageJobLinks = { patientUrl: (id) => cardUrl(deps, id) };
  return { deps, links };
};

const settings = (clinicId: string, values: { expiryDays?: number | null; birthdays?: boolean }) =>
  env.DB.prepare(
    `insert into messaging_settings (clinic_id, quiet_start_minute, quiet_end_minute, monthly_cap,
      expiry_reminder_days, survey_delay_hours, birthday_greetings, updated_at) values (?, 1260, 480, 4, ?, 24, ?, ?)`,
  )
    .bind(
      clinicId,
      values.expiryDays === undefined ? 14 : values.expiryDays,
      values.birthdays === false ? 0 : 1,
      T0,
    )
    .run();

describe('expiring-points reminders', () => {
  it('an expiring-points reminder is sent once per lot, within the clinic’s days before expiry', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    const visit = await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const expiresAt = Date.parse(visit.lot!.expires_at);
    // 20 days before: outside the default 14 days.
    const early = at(expiresAt - 20 * DAY_MS);
    await expiringPointsMessages(early.deps, early.links);
    expect(await messagesOf(net.clinic.id, 'expiry:')).toEqual([]);

    const due = at(expiresAt - 10 * DAY_MS);
    await expiringPointsMessages(due.deps, due.links);
    await expiringPointsMessages(due.deps, due.links);
    const later = at(expiresAt - 2 * DAY_MS);
    await expiringPointsMessages(later.deps, later.links);
    const rows = await messagesOf(net.clinic.id, 'expiry:');
    const [lot] = (
      await env.DB.prepare('select id from point_lots where patient_id = ?')
        .bind(patient.id)
        .all<{ id: string }>()
    ).results;
    expect(rows.map((r) => [r.reason_key, r.kind, r.channel, r.status, r.created_by])).toEqual([
      [`expiry:${lot!.id}`, 'points_expiring', 'email', 'queued', 'system'],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toEqual({
      points: visit.points_earned,
      expires_date: visit.lot!.expires_on,
      url: await cardUrl(due.deps, patient.id),
    });
  });

  it('writes none for a patient no channel reaches, nor where the clinic turned reminders off', async () => {
    const api = createClient();
    const { net } = await createPointsScene(api);
    const silent = await createPatient(api, net.clinic.key, { email: 'x@example.com' });
    const visit = await recordVisit(api, net.clinic.key, silent.id, 10_000);
    const off = await createPointsScene(api);
    await settings(off.net.clinic.id, { expiryDays: null });
    await recordVisit(api, off.net.clinic.key, off.patient.id, 10_000);
    const due = at(Date.parse(visit.lot!.expires_at) - DAY_MS);
    await expiringPointsMessages(due.deps, due.links);
    expect(await messagesOf(net.clinic.id, 'expiry:')).toEqual([]);
    expect(await messagesOf(off.net.clinic.id, 'expiry:')).toEqual([]);
  });
});

describe('birthday greetings', () => {
  it('greets on the day once a year, with marketing consent only, where greetings are on', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const birthday = { birth_date: '1990-11-01', email: 'b@example.com', phone: '+4915100000001' };
    const marketing = await createPatient(api, net.clinic.key, { ...birthday, consent: { sms: true } });
    const serviceOnly = await createPatient(api, net.clinic.key, birthday);
    await env.DB.prepare('update patients set consent_email_service = 1 where id = ?')
      .bind(serviceOnly.id)
      .run();
    await createPatient(api, net.clinic.key, {
      ...birthday,
      birth_date: '1990-11-02',
      consent: { email: true },
    });
    const off = await createNetwork(api);
    await settings(off.clinic.id, { birthdays: false });
    await createPatient(api, off.clinic.key, { ...birthday, consent: { email: true } });

    const { deps, links } = at(T0);
    await birthdayMessages(deps, links);
    await birthdayMessages(deps, links);
    const rows = await messagesOf(net.clinic.id, 'birthday:');
    expect(rows.map((r) => [r.patient_id, r.reason_key, r.kind, r.purpose, r.channel])).toEqual([
      [marketing.id, `birthday:${marketing.id}:2026`, 'birthday', 'marketing', 'sms'],
    ]);
    expect(await messagesOf(off.clinic.id, 'birthday:')).toEqual([]);
  });
});

describe('due plan items on the SMS and e-mail channels', () => {
  const item = (clinicId: string, patientId: string, channel: string, dueOn: string) => {
    const id = newId('pli', T0);
    return env.DB.prepare(
      `insert into plan_items (id, clinic_id, patient_id, kind, channel, purpose, due_on, status, source,
        generation, created_at, updated_at) values (?, ?, ?, 'thank_you', ?, 'Thank you for your visit', ?,
        'planned', 'staff', 0, ?, ?)`,
    )
      .bind(id, clinicId, patientId, channel, dueOn, T0, T0)
      .run()
      .then(() => id);
  };

  it('sends each due item once on its own channel and marks it done; unreachable and future items stay', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key, { phone: '+4915100000002', consent: { sms: true } });
    const overdue = await item(net.clinic.id, p.id, 'sms', '2026-10-30');
    const byEmail = await item(net.clinic.id, p.id, 'email', '2026-11-01');
    const future = await item(net.clinic.id, p.id, 'sms', '2026-11-02');
    const call = await item(net.clinic.id, p.id, 'call', '2026-11-01');

    const { deps, links } = at(T0);
    await planItemMessages(deps, links);
    await planItemMessages(deps, links);
    const rows = await messagesOf(net.clinic.id, 'plan:');
    expect(rows.map((r) => [r.reason_key, r.kind, r.channel])).toEqual([
      [`plan:${overdue}`, 'plan_item', 'sms'],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toEqual({
      purpose: 'Thank you for your visit',
      url: await cardUrl(deps, p.id),
    });
    const items = await env.DB.prepare(
      'select id, status, outcome from plan_items where patient_id = ? order by id',
    )
      .bind(p.id)
      .all<{ id: string; status: string; outcome: string | null }>();
    const byId = Object.fromEntries(items.results.map((i) => [i.id, [i.status, i.outcome]]));
    expect(byId).toEqual({
      [overdue]: ['done', 'Sent by SMS'],
      [byEmail]: ['planned', null],
      [future]: ['planned', null],
      [call]: ['planned', null],
    });
  });
});
