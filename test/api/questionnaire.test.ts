import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock } from '@gratia/core';
import {
  checkAnswers,
  createPatientLink,
  DEFAULT_QUESTIONS,
  linkToken,
  openPatientLink,
  QUESTIONNAIRE_CONSENT_VERSION,
  QUESTIONNAIRE_CONSENT_WORDING,
  QUESTIONNAIRE_WITHDRAW_WORDING,
  readQuestionnaire,
  saveQuestionnaire,
  setConsentByLink,
  submitAnswers,
} from '@gratia/insight';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';
import { createNetwork, createPatient } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// The clinic's questionnaire (versioned, starting from the default), a patient's answers checked
// against the version they answer and turned into their insight row in one batch, consent kept as
// proof (the words, their version, source, channel, time) and withdrawn in one tap, and personal links
// that are good for one patient, one purpose and until they expire.

const rows = async <T = Record<string, unknown>>(q: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(q)
      .bind(...params)
      .all<T>()
  ).results;

async function scene() {
  const deps = testDeps();
  const clinic = await orgWithCaller(deps, 'clinic');
  const patient = await patientOf(deps, clinic);
  return { deps, clinic, patient };
}

describe('the questionnaire and its versions', () => {
  it('starts from the default (version 0) and saves new versions, keeping each whole', async () => {
    const { deps, clinic } = await scene();
    const first = await readQuestionnaire(deps, { clinic: clinic.principal });
    expect(first.version).toBe(0);
    expect(first.id).toBeNull();
    // No branch yet: the branch question is left out.
    expect(first.questions.map((q) => q.id)).not.toContain('branch');
    expect(first.questions.map((q) => q.id)).toContain('interests');

    const saved = await saveQuestionnaire(deps, {
      clinic: clinic.principal,
      title: 'About you',
      intro: null,
      questions: [
        ...DEFAULT_QUESTIONS,
        { id: 'visit_rating', type: 'scale', label: 'How was your visit?', required: true },
      ],
    });
    expect(saved.ok && saved.value.version).toBe(1);
    const again = await saveQuestionnaire(deps, {
      clinic: clinic.principal,
      title: 'About you, shorter',
      questions: [DEFAULT_QUESTIONS[0]!],
    });
    expect(again.ok && again.value.version).toBe(2);
    const stored = await rows<{ version: number; title: string }>(
      'select version, title from questionnaires where clinic_id = ? order by version',
      clinic.org.id,
    );
    expect(stored).toEqual([
      { version: 1, title: 'About you' },
      { version: 2, title: 'About you, shorter' },
    ]);
    const audit = await rows(
      'select action from audit_events where organization_id = ? and action = ?',
      clinic.org.id,
      'questionnaire.update',
    );
    expect(audit).toHaveLength(2);
  });

  it('fills the branch question with the live branches, and leaves it out without one', async () => {
    const { deps, clinic } = await scene();
    await env.DB.batch([
      env.DB.prepare(
        'insert into clinic_branches (id, clinic_id, name, created_at) values (?, ?, ?, ?)',
      ).bind('brn_01JD0000000000000000000001', clinic.org.id, 'Downtown', T0),
      env.DB.prepare(
        'insert into clinic_branches (id, clinic_id, name, created_at, archived_at) values (?, ?, ?, ?, ?)',
      ).bind('brn_01JD0000000000000000000002', clinic.org.id, 'Closed', T0, T0),
    ]);
    const v = await readQuestionnaire(deps, { clinic: clinic.principal });
    expect(v.questions.find((q) => q.id === 'branch')?.options).toEqual([
      { value: 'brn_01JD0000000000000000000001', label: 'Downtown' },
    ]);
  });

  it('refuses a new version with duplicate ids, choices without options, no label, or too many questions', async () => {
    const { deps, clinic } = await scene();
    const save = (questions: any[]) =>
      saveQuestionnaire(deps, { clinic: clinic.principal, title: 'T', questions });
    const dup = await save([
      { id: 'a', type: 'text', label: 'A', required: false },
      { id: 'a', type: 'text', label: 'B', required: false },
    ]);
    expect(!dup.ok && dup.error.errors?.[0]).toEqual({
      path: 'questions.1.id',
      message: 'the id a is used twice',
    });
    const noOptions = await save([{ id: 'a', type: 'single', label: 'A', required: false, options: [] }]);
    expect(!noOptions.ok && noOptions.error.code).toBe('validation_failed');
    const noLabel = await save([{ id: 'a', type: 'text', label: '  ', required: false }]);
    expect(!noLabel.ok && noLabel.error.errors?.[0]?.path).toBe('questions.0.label');
    const many = await save(
      Array.from({ length: 41 }, (_, i) => ({ id: `q${i}`, type: 'text', label: 'x', required: false })),
    );
    expect(!many.ok && many.error.errors?.[0]?.message).toMatch(/at most 40/);
    expect(await rows('select 1 from questionnaires where clinic_id = ?', clinic.org.id)).toEqual([]);
  });

  it('lets owners and managers save, not the front desk', async () => {
    const { deps, clinic } = await scene();
    const desk = { ...clinic.principal, staff: { id: 'stf_x', name: 'Desk', role: 'front_desk' as const } };
    const out = await saveQuestionnaire(deps, {
      clinic: desk,
      title: 'T',
      questions: [DEFAULT_QUESTIONS[1]!],
    });
    expect(!out.ok && out.error.code).toBe('forbidden');
  });
});

describe('checking answers', () => {
  const qs = [
    ...DEFAULT_QUESTIONS,
    { id: 'rating', type: 'scale' as const, label: 'Rating', required: true },
  ];
  it('names each question whose answer does not fit', () => {
    const out = checkAnswers(qs, {
      interests: ['massage', 'skydiving'],
      contact_channel: 'pigeon',
      birthday: '1985-02-30',
      nope: 'x',
    });
    expect(out.ok).toBe(false);
    const paths = !out.ok ? out.error.errors!.map((e) => e.path).sort() : [];
    expect(paths).toEqual([
      'answers.birthday',
      'answers.contact_channel',
      'answers.interests',
      'answers.nope',
      'answers.rating',
    ]);
    expect(!out.ok && out.error.code).toBe('invalid_answers');
  });
  it('keeps what fits: a scale 1-5, a real date, choices once', () => {
    const out = checkAnswers(qs, {
      rating: '4',
      birthday: '1990-07-14',
      interests: ['reading', 'reading'],
      brands: ' Chanel ',
    });
    expect(out).toEqual({
      ok: true,
      value: { rating: 4, birthday: '1990-07-14', interests: ['reading'], brands: 'Chanel' },
    });
    expect(checkAnswers(qs, { rating: 6 }).ok).toBe(false);
  });
});

describe('submitting answers', () => {
  it('records the response and what it tells in one batch: tags, categories, channel, time, birth month and date', async () => {
    const { deps, clinic, patient } = await scene();
    await env.DB.prepare('update patients set tags = ? where id = ?').bind('["vip"]', patient.id).run();
    const out = await submitAnswers(deps, {
      source: 'api',
      clinic: clinic.principal,
      patientId: patient.id,
      version: 0,
      answers: {
        interests: ['massage', 'reading'],
        categories: ['beauty'],
        contact_channel: 'sms',
        contact_time: 'evening',
        birthday: '1988-03-09',
        life_situation: ['book_lover'],
        brands: 'Chanel No 5',
      },
    });
    expect(out.ok, JSON.stringify(out)).toBe(true);
    const [insight] = await rows<any>('select * from patient_insight where patient_id = ?', patient.id);
    expect(JSON.parse(insight.preference_tags)).toEqual(['book_lover', 'massage', 'reading', 'vip']);
    expect(JSON.parse(insight.categories)).toEqual(['beauty', 'massage']);
    expect(insight).toMatchObject({
      preferred_channel: 'sms',
      preferred_time: 'evening',
      birth_month: 3,
      answered_at: T0,
    });
    expect(JSON.parse(insight.answers).brands).toBe('Chanel No 5');
    const [p] = await rows<any>('select birth_date from patients where id = ?', patient.id);
    expect(p.birth_date).toBe('1988-03-09');
    // Version 0 is stored the first time it is answered, and the response names it.
    const [r] = await rows<any>(
      'select r.version, q.version as qv, r.source from questionnaire_responses r join questionnaires q on q.id = r.questionnaire_id where r.patient_id = ?',
      patient.id,
    );
    expect(r).toEqual({ version: 0, qv: 0, source: 'api' });
    const audit = await rows<any>(
      'select * from audit_events where patient_id = ? and action = ?',
      patient.id,
      'questionnaire.answer',
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_key_id).toBe(clinic.keyId);
  });

  it('never overwrites a known birth date, and answers a version that does not exist with questionnaire_not_found', async () => {
    const { deps, clinic, patient } = await scene();
    await env.DB.prepare('update patients set birth_date = ? where id = ?')
      .bind('1970-01-01', patient.id)
      .run();
    await submitAnswers(deps, {
      source: 'api',
      clinic: clinic.principal,
      patientId: patient.id,
      version: 0,
      answers: { birthday: '1988-03-09' },
    });
    const [p] = await rows<any>('select birth_date from patients where id = ?', patient.id);
    expect(p.birth_date).toBe('1970-01-01');
    const missing = await submitAnswers(deps, {
      source: 'api',
      clinic: clinic.principal,
      patientId: patient.id,
      version: 7,
      answers: {},
    });
    expect(!missing.ok && missing.error.code).toBe('questionnaire_not_found');
  });

  it("refuses another clinic's patient as not found, and writes nothing", async () => {
    const { deps, patient } = await scene();
    const other = await orgWithCaller(deps, 'clinic');
    const out = await submitAnswers(deps, {
      source: 'api',
      clinic: other.principal,
      patientId: patient.id,
      version: 0,
      answers: {},
    });
    expect(!out.ok && out.error.code).toBe('patient_not_found');
    expect(await rows('select 1 from questionnaire_responses where patient_id = ?', patient.id)).toEqual([]);
  });
});

describe('consent as proof', () => {
  it('records each change with the words, their version, source, channel and time; the same state again records nothing', async () => {
    const { deps, clinic, patient } = await scene();
    const submit = (consent: { email?: boolean; sms?: boolean }) =>
      submitAnswers(deps, {
        source: 'console',
        clinic: clinic.principal,
        patientId: patient.id,
        version: 0,
        answers: {},
        consent,
      });
    const first = await submit({ email: true, sms: false });
    expect(first.ok && first.value.consentChanged).toEqual(['email']);
    const events = await rows<any>('select * from consent_events where patient_id = ?', patient.id);
    expect(events).toEqual([
      expect.objectContaining({
        channel: 'email',
        granted: 1,
        source: 'console',
        api_key_id: clinic.keyId,
        recorded_at: T0,
        wording: QUESTIONNAIRE_CONSENT_WORDING.email,
        wording_version: QUESTIONNAIRE_CONSENT_VERSION,
      }),
    ]);
    await submit({ email: true, sms: false });
    expect(await rows('select 1 from consent_events where patient_id = ?', patient.id)).toHaveLength(1);
    const [p] = await rows<any>('select consent_email, consent_sms from patients where id = ?', patient.id);
    expect(p).toEqual({ consent_email: 1, consent_sms: 0 });
  });

  it('on the link: given with the questionnaire, withdrawn in one tap, with the patient as the actor', async () => {
    const { deps, clinic, patient } = await scene();
    const issued = await createPatientLink(deps, {
      clinic: clinic.principal,
      patientId: patient.id,
      purpose: 'questionnaire',
    });
    if (!issued.ok) throw new Error('no link');
    const link = issued.value.link;
    await submitAnswers(deps, {
      source: 'link',
      link,
      patientId: patient.id,
      version: 0,
      answers: {},
      consent: { email: true, sms: true },
    });
    const withdrawn = await setConsentByLink(deps, { link, channel: 'sms', granted: false });
    expect(withdrawn).toEqual({ ok: true, value: { changed: true } });
    const again = await setConsentByLink(deps, { link, channel: 'sms', granted: false });
    expect(again).toEqual({ ok: true, value: { changed: false } });
    const events = await rows<any>(
      'select channel, granted, source, api_key_id, wording, wording_version from consent_events where patient_id = ? order by rowid',
      patient.id,
    );
    expect(events).toEqual([
      {
        channel: 'email',
        granted: 1,
        source: 'questionnaire_link',
        api_key_id: null,
        wording: QUESTIONNAIRE_CONSENT_WORDING.email,
        wording_version: QUESTIONNAIRE_CONSENT_VERSION,
      },
      {
        channel: 'sms',
        granted: 1,
        source: 'questionnaire_link',
        api_key_id: null,
        wording: QUESTIONNAIRE_CONSENT_WORDING.sms,
        wording_version: QUESTIONNAIRE_CONSENT_VERSION,
      },
      {
        channel: 'sms',
        granted: 0,
        source: 'questionnaire_link',
        api_key_id: null,
        wording: QUESTIONNAIRE_WITHDRAW_WORDING.sms,
        wording_version: QUESTIONNAIRE_CONSENT_VERSION,
      },
    ]);
    const [p] = await rows<any>('select consent_email, consent_sms from patients where id = ?', patient.id);
    expect(p).toEqual({ consent_email: 1, consent_sms: 0 });
    const audit = await rows<any>(
      "select action, actor_key_id from audit_events where patient_id = ? and action in ('questionnaire.answer', 'patient.consent') order by rowid",
      patient.id,
    );
    expect(audit).toEqual([
      { action: 'questionnaire.answer', actor_key_id: null },
      { action: 'patient.consent', actor_key_id: null },
    ]);
    // The link is marked used, and can be answered again until it expires.
    const [l] = await rows<any>('select completed_at from patient_links where id = ?', link.id);
    expect(l.completed_at).toBe(T0);
  });

  it('a double tap on the link (the same one-time key) records once', async () => {
    const { deps, clinic, patient } = await scene();
    const issued = await createPatientLink(deps, {
      clinic: clinic.principal,
      patientId: patient.id,
      purpose: 'questionnaire',
    });
    if (!issued.ok) throw new Error('no link');
    const input = {
      source: 'link' as const,
      link: issued.value.link,
      submissionKey: 'abcdefghijklmnopqrstuv',
      patientId: patient.id,
      version: 0,
      answers: { interests: ['music'] },
    };
    const [a, b] = await Promise.all([submitAnswers(deps, input), submitAnswers(deps, input)]);
    expect([a.ok && a.value.response !== null, b.ok && b.value.response !== null].sort()).toEqual([
      false,
      true,
    ]);
    expect(await rows('select 1 from questionnaire_responses where patient_id = ?', patient.id)).toHaveLength(
      1,
    );
  });
});

describe('personal links', () => {
  async function linked() {
    const s = await scene();
    const issued = await createPatientLink(s.deps, {
      clinic: s.clinic.principal,
      patientId: s.patient.id,
      purpose: 'questionnaire',
    });
    if (!issued.ok) throw new Error('no link');
    const token = issued.value.url.split('/q/')[1]!;
    return { ...s, link: issued.value.link, token };
  }
  const open = (
    deps: ReturnType<typeof testDeps>,
    token: string,
    purpose: 'questionnaire' | 'survey' = 'questionnaire',
  ) => openPatientLink(deps, { token, purpose });

  it('opens for its patient, and counts the opens', async () => {
    const { deps, token, patient, link } = await linked();
    const a = await open(deps, token);
    expect(a.ok && a.value.patient.id).toBe(patient.id);
    await open(deps, token);
    const [row] = await rows<any>('select opens, first_opened_at from patient_links where id = ?', link.id);
    expect(row).toEqual({ opens: 2, first_opened_at: T0 });
  });

  it('refuses a forged token, another purpose, another link id under this signature, expiry and revocation alike', async () => {
    const { deps, token, link, clinic } = await linked();
    const other = await patientOf(deps, clinic);
    const theirs = await createPatientLink(deps, {
      clinic: clinic.principal,
      patientId: other.id,
      purpose: 'questionnaire',
    });
    if (!theirs.ok) throw new Error('no link');
    const [, sig] = token.split('.');
    const cases = [`${link.id}.${'A'.repeat(sig!.length)}`, `${theirs.value.link.id}.${sig}`, 'not-a-token'];
    for (const t of cases) expect((await open(deps, t)).ok, t).toBe(false);
    expect(await open(deps, token, 'survey')).toMatchObject({ ok: false, error: { code: 'link_not_found' } });
    const later = { ...deps, clock: fixedClock(T0 + 31 * DAY_MS) };
    expect(await open(later, token)).toMatchObject({ ok: false, error: { code: 'link_not_found' } });
    await env.DB.prepare('update patient_links set revoked_at = ? where id = ?').bind(T0, link.id).run();
    expect(await open(deps, token)).toMatchObject({ ok: false, error: { code: 'link_not_found' } });
  });

  it('cannot answer for another patient, nor after expiry', async () => {
    const { deps, link, clinic } = await linked();
    const other = await patientOf(deps, clinic);
    const wrong = await submitAnswers(deps, {
      source: 'link',
      link,
      patientId: other.id,
      version: 0,
      answers: {},
    });
    expect(!wrong.ok && wrong.error.code).toBe('link_not_found');
    const later = { ...deps, clock: fixedClock(T0 + 31 * DAY_MS) };
    const expired = await submitAnswers(later, {
      source: 'link',
      link,
      patientId: link.patientId,
      version: 0,
      answers: {},
    });
    expect(!expired.ok && expired.error.code).toBe('link_not_found');
    expect(await rows('select 1 from questionnaire_responses where patient_id = ?', link.patientId)).toEqual(
      [],
    );
    expect(await linkToken(deps, link)).toContain(link.id);
  });
});

// ---------------------------------------------------------------------------------------------------
// The API

const put = (api: Client, key: string, body: unknown) =>
  api.request('PUT', '/v1/questionnaire', { token: key, body });

describe('the questionnaire API', () => {
  it('GET /v1/questionnaire, PUT a new version, GET the versions', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const got = await api.get('/v1/questionnaire', { token: net.clinic.key });
    expect(got.status, got.text).toBe(200);
    expect(got.body).toMatchObject({ id: null, version: 0, created_at: null });
    const saved = await put(api, net.clinic.key, {
      title: 'Ours',
      questions: [
        {
          id: 'hobby',
          type: 'multiple',
          label: 'Hobbies',
          options: [{ value: 'golf', label: 'Golf', tags: ['golf'] }],
        },
      ],
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({
      version: 1,
      title: 'Ours',
      questions: [{ id: 'hobby', required: false }],
    });
    const versions = await api.get('/v1/questionnaire/versions', { token: net.clinic.key });
    expect(versions.body.data.map((v: any) => v.version)).toEqual([1, 0]);
    expectProblem(await put(api, net.clinic.key, { title: 'x', questions: [] }), 400, 'validation_failed');
    const dup = await put(api, net.clinic.key, {
      title: 'x',
      questions: [
        { id: 'a', type: 'text', label: 'A' },
        { id: 'a', type: 'text', label: 'B' },
      ],
    });
    expect([400, 422]).toContain(dup.status);
    expect(dup.body.code).toBe('validation_failed');
  });

  it('POST and GET /v1/patients/{id}/questionnaire_responses, with invalid_answers naming the question', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const path = `/v1/patients/${patient.id}/questionnaire_responses`;
    const bad = await api.post(path, {
      token: net.clinic.key,
      body: { version: 0, answers: { contact_time: 'midnight' } },
    });
    expectProblem(bad, 422, 'invalid_answers');
    expect(bad.text).toContain('contact_time');
    expectProblem(
      await api.post(path, { token: net.clinic.key, body: { version: 3, answers: {} } }),
      404,
      'questionnaire_not_found',
    );
    const res = await api.post(path, {
      token: net.clinic.key,
      body: { version: 0, answers: { interests: ['massage'] }, consent: { email: true } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      version: 0,
      source: 'api',
      answers: { interests: ['massage'] },
      api_key_id: net.clinic.keyId,
    });
    const list = await api.get(path, { token: net.clinic.key });
    expect(list.body.data.map((r: any) => r.id)).toEqual([res.body.id]);
    const detail = await api.get(`/v1/patients/${patient.id}`, { token: net.clinic.key });
    expect(detail.body.consent_history[0]).toMatchObject({
      channel: 'email',
      source: 'api',
      wording_version: QUESTIONNAIRE_CONSENT_VERSION,
    });
  });

  it('POST /v1/patients/{id}/links makes a link that opens /q/', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const res = await api.post(`/v1/patients/${patient.id}/links`, {
      token: net.clinic.key,
      body: { purpose: 'questionnaire', days: 7 },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      purpose: 'questionnaire',
      patient_id: patient.id,
      expires_at: new Date(T0 + 7 * DAY_MS).toISOString(),
    });
    expect(res.body.url).toMatch(/\/q\/lnk_/);
    const page = await api.get(new URL(res.body.url).pathname);
    expect(page.status).toBe(200);
    const visit = await api.post(`/v1/patients/${patient.id}/links`, {
      token: net.clinic.key,
      body: { purpose: 'survey', visit_id: 'vis_01JD0000000000000000000000' },
    });
    expectProblem(visit, 400, 'validation_failed');
  });

  const patientScene = (api: Client, net: Awaited<ReturnType<typeof createNetwork>>) =>
    createPatient(api, net.clinic.key);
  describeSecurity('GET /v1/questionnaire', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/questionnaire',
  });
  describeSecurity('PUT /v1/questionnaire', {
    method: 'PUT',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/questionnaire',
    body: () => ({ title: 'T', questions: [{ id: 'a', type: 'text', label: 'A' }] }),
  });
  describeSecurity('GET /v1/questionnaire/versions', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/questionnaire/versions',
  });
  describeSecurity('POST /v1/patients/{id}/links', {
    method: 'POST',
    roles: ['clinic'],
    setup: patientScene,
    path: (p) => `/v1/patients/${p.id}/links`,
    body: () => ({ purpose: 'questionnaire' }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
  describeSecurity('POST /v1/patients/{id}/questionnaire_responses', {
    method: 'POST',
    roles: ['clinic'],
    setup: patientScene,
    path: (p) => `/v1/patients/${p.id}/questionnaire_responses`,
    body: () => ({ version: 0, answers: {} }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
  describeSecurity('GET /v1/patients/{id}/questionnaire_responses', {
    method: 'GET',
    roles: ['clinic'],
    setup: patientScene,
    path: (p) => `/v1/patients/${p.id}/questionnaire_responses`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});
