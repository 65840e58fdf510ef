import { env } from 'cloudflare:workers';
import { DAY_MS, ERROR_TEXT, fixedClock } from '@gratia/core';
import { QUESTIONNAIRE_CONSENT_WORDING } from '@gratia/insight';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The pages of the questionnaire: the patient's /q/ link page (no account, no script; the token is the
// credential; a double tap records once; one-tap withdrawal), and the console's editor, "fill in for
// the patient", "Create questionnaire link" and Consent form, with the real session helpers.

const rows = async <T = any>(q: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(q)
      .bind(...params)
      .all<T>()
  ).results;

const postForm = (api: Client, path: string, fields: Record<string, string>) =>
  api.post(path, {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Ines', last_name: 'Quandt' });
  const res = await api.post(`/v1/patients/${patient.id}/links`, {
    token: net.clinic.key,
    body: { purpose: 'questionnaire' },
  });
  expect(res.status, res.text).toBe(201);
  const path = new URL(res.body.url).pathname;
  return { api, net, patient, path, linkId: res.body.id as string };
}

describe('/q/{token}: the patient answers on their link', () => {
  it('shows the questionnaire with the consent words, safe headers, and counts the open', async () => {
    const { api, path, linkId } = await scene();
    const page = await api.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Help us get to know you, Ines');
    expect(page.text).toContain('What do you enjoy in your free time?');
    expect(page.text).toContain(QUESTIONNAIRE_CONSENT_WORDING.sms);
    expect(page.text).not.toContain('<script');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-robots-tag')).toContain('noindex');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    const [link] = await rows('select opens from patient_links where id = ?', linkId);
    expect(link.opens).toBe(1);
  });

  it('records the answers once however often the form is sent, says thank you and prefills them', async () => {
    const { api, net, path, patient } = await scene();
    const fields = {
      submission: 'one-time-key-0000000001',
      version: '0',
      'a.interests.massage': 'yes',
      'a.interests.reading': 'yes',
      'a.contact_channel': 'email',
      'a.birthday': '1991-05-20',
      consent_shown: '1',
      consent_email: 'yes',
    };
    const first = await postForm(api, path, fields);
    expect(first.status, first.text).toBe(303);
    expect(first.headers.get('location')).toBe(`${path}?done=1`);
    expect((await postForm(api, path, fields)).status).toBe(303);
    expect(await rows('select 1 from questionnaire_responses where patient_id = ?', patient.id)).toHaveLength(
      1,
    );
    const consent = await rows(
      'select channel, granted, source from consent_events where patient_id = ?',
      patient.id,
    );
    expect(consent).toEqual([{ channel: 'email', granted: 1, source: 'questionnaire_link' }]);
    const thanks = await api.get(`${path}?done=1`);
    expect(thanks.text).toContain('Thank you! Your answers are saved.');
    expect(thanks.text).toMatch(/name="a\.interests\.massage" value="yes" checked/);
    expect(thanks.text).toContain('value="1991-05-20"');
    // The patient's page in the console shows the answers by question, and the tags they give.
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const card = await desk.get(`/console/patients/${patient.id}`);
    expect(card.text).toContain('What do you enjoy in your free time?');
    expect(card.text).toContain('Massage and relaxing, Reading');
    expect(card.text).toContain('<span class="tag">massage</span>');
    expect(card.text).toContain('questionnaire-2026-11');
  });

  it('says which answer does not fit, and keeps what was typed', async () => {
    const { api, path, patient } = await scene();
    const res = await postForm(api, path, {
      submission: 'one-time-key-0000000002',
      'a.birthday': '1991-13-45',
      'a.brands': 'Dior',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('must be a real date');
    expect(res.text).toContain('Dior');
    expect(await rows('select 1 from questionnaire_responses where patient_id = ?', patient.id)).toEqual([]);
  });

  it('stops e-mails in one tap, recorded as proof', async () => {
    const { api, path, patient, net } = await scene();
    await api.patch(`/v1/patients/${patient.id}`, {
      token: net.clinic.key,
      body: { consent: { email: true } },
    });
    const page = await api.get(path);
    expect(page.text).toContain('Stop e-mails');
    const res = await postForm(api, `${path}/consent`, { channel: 'email' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${path}?stopped=email`);
    const [p] = await rows('select consent_email from patients where id = ?', patient.id);
    expect(p.consent_email).toBe(0);
    const [last] = await rows(
      'select granted, source, wording_version from consent_events where patient_id = ? order by rowid desc limit 1',
      patient.id,
    );
    expect(last).toEqual({
      granted: 0,
      source: 'questionnaire_link',
      wording_version: 'questionnaire-2026-11',
    });
    expect((await api.get(`${path}?stopped=email`)).text).toContain('will no longer send you e-mails');
  });

  it('an invalid, altered or expired link is a clear 404 page, and posts to it record nothing', async () => {
    const { api, path, patient } = await scene();
    const altered = `${path.slice(0, -2)}xx`;
    for (const p of [altered, '/q/nonsense']) {
      const res = await api.get(p);
      expect(res.status).toBe(404);
      expect(res.text).toContain(ERROR_TEXT.link_not_found);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const late = createClient(fixedClock(T0 + 31 * DAY_MS));
    expect((await late.get(path)).status).toBe(404);
    expect((await postForm(late, path, { 'a.brands': 'x' })).status).toBe(404);
    expect((await postForm(api, altered, { 'a.brands': 'x' })).status).toBe(404);
    expect((await postForm(late, `${path}/consent`, { channel: 'email' })).status).toBe(404);
    expect(await rows('select 1 from questionnaire_responses where patient_id = ?', patient.id)).toEqual([]);
  });
});

describe('the questionnaire in the console', () => {
  it('owners edit it (add, remove, reorder) and each save is a new version; the front desk may not', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
    const page = await owner.get('/console/questionnaire');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Version 0');
    const saved = await owner.post('/console/questionnaire', {
      title: 'Our questions',
      intro: '',
      'q0.id': 'interests',
      'q0.label': 'Your hobbies',
      'q0.type': 'multiple',
      'q0.role': 'interests',
      'q0.options': 'golf | Golf | golf, sport\nspa | Spa | spa | wellness',
      'q0.position': '2',
      'q1.id': 'brands',
      'q1.label': 'Brands',
      'q1.type': 'text',
      'q1.remove': 'yes',
      'q40.label': 'Favourite colour',
      'q40.type': 'text',
      'q40.position': '1',
      'q40.required': 'yes',
    });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/questionnaire?saved=1');
    const api1 = await api.get('/v1/questionnaire', { token: net.clinic.key });
    expect(api1.body.questions).toEqual([
      { id: 'favourite_colour', type: 'text', label: 'Favourite colour', required: true },
      {
        id: 'interests',
        type: 'multiple',
        label: 'Your hobbies',
        required: false,
        role: 'interests',
        options: [
          { value: 'golf', label: 'Golf', tags: ['golf', 'sport'] },
          { value: 'spa', label: 'Spa', tags: ['spa'], category: 'wellness' },
        ],
      },
    ]);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/questionnaire')).status).toBe(403);
    expect((await desk.post('/console/questionnaire', { title: 'x', 'q0.label': 'x' })).status).toBe(403);
  });

  it('staff fill it in for the patient, create a link to copy, and give or withdraw consent in the words shown', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, { first_name: 'Jola' });
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const base = `/console/patients/${patient.id}`;
    const form = await desk.get(`${base}/questionnaire`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Questionnaire: Jola');
    const bad = await desk.post(`${base}/questionnaire`, { 'a.contact_time': 'midnight' });
    expect(bad.status).toBe(422);
    const done = await desk.post(`${base}/questionnaire`, {
      'a.contact_time': 'morning',
      consent_shown: '1',
      consent_sms: 'yes',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${base}?answered=1#questionnaire-card`);
    const [r] = await rows(
      'select source, api_key_id from questionnaire_responses where patient_id = ?',
      patient.id,
    );
    expect(r).toEqual({ source: 'console', api_key_id: desk.keyId });
    const [ev] = await rows(
      'select source, channel, granted from consent_events where patient_id = ?',
      patient.id,
    );
    expect(ev).toEqual({ source: 'console', channel: 'sms', granted: 1 });

    const link = await desk.post(`${base}/links`, {});
    expect(link.status).toBe(303);
    const to = link.headers.get('location')!;
    expect(to).toMatch(new RegExp(`^${base}/questionnaire\\?link=lnk_`));
    const shown = await desk.get(to);
    expect(shown.text).toMatch(/https?:\/\/[^<"]+\/q\/lnk_[^<"]+/);
    expect(shown.text).toContain('Copy the link');

    const withdrawn = await desk.post(`${base}/consent`, { consent_email: 'yes' });
    expect(withdrawn.status).toBe(303);
    const [p] = await rows('select consent_email, consent_sms from patients where id = ?', patient.id);
    expect(p).toEqual({ consent_email: 1, consent_sms: 0 });
    const last = await rows(
      'select channel, granted, source, wording_version from consent_events where patient_id = ? order by rowid',
      patient.id,
    );
    expect(last.slice(1)).toEqual([
      { channel: 'email', granted: 1, source: 'console', wording_version: 'console-2026-11' },
      { channel: 'sms', granted: 0, source: 'console', wording_version: 'console-2026-11' },
    ]);
  });

  it("another clinic's patient or link is not found, and forms need the CSRF token", async () => {
    const { api, net, patient, linkId } = await scene();
    const theirs = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await theirs.get(`/console/patients/${patient.id}/questionnaire`)).status).toBe(404);
    const mine = await createPatient(api, net.otherClinic.key);
    const peek = await theirs.get(`/console/patients/${mine.id}/questionnaire?link=${linkId}`);
    expect(peek.status).toBe(200);
    expect(peek.text).not.toContain(linkId);
    const refused = await theirs.post(`/console/patients/${patient.id}/questionnaire`, { 'a.brands': 'x' });
    expect(refused.headers.get('location')).toContain('error=patient_not_found');
    const forged = await api.post(`/console/patients/${patient.id}/consent`, {
      rawBody: 'consent_email=yes',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: theirs.cookie },
    });
    expect(forged.status).toBe(403);
  });
});
