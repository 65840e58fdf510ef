import { env } from 'cloudflare:workers';
import { MESSAGE_CHANNELS, MESSAGE_KINDS, PATIENT_LOCALES } from '@gratia/db';
import {
  checkTemplate,
  DEFAULT_TEMPLATES,
  listMessageTemplates,
  previewMessageTemplate,
  renderMessage,
  resetMessageTemplate,
  sampleVars,
  saveMessageTemplate,
  smsSegments,
} from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { orgWithCaller, testDeps } from '../helpers/deps';
import { createNetwork } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { staffSession } from '../helpers/staff';

// The wording of every message: defaults in English, Spanish and Russian for every kind and channel,
// and the clinic's own per kind, channel and language, checked before it is saved (it parses, names
// only its kind's variables, renders), audited, reset to the default, and previewed with sample values.

describe('default templates', () => {
  it('exist in every language for every kind and channel, compile and use only the kind’s variables', () => {
    for (const locale of PATIENT_LOCALES)
      for (const kind of MESSAGE_KINDS)
        for (const channel of MESSAGE_CHANNELS) {
          const t = DEFAULT_TEMPLATES[locale][kind][channel];
          expect(checkTemplate({ kind, channel, locale }, t), `${locale} ${kind} ${channel}`).toEqual([]);
          const out = renderMessage({
            kind,
            channel,
            locale,
            vars: sampleVars(kind, locale, 'Clinica', 'https://g.test'),
          });
          expect(out.body).toContain('https://g.test/');
          expect(out.body).not.toMatch(/[{}]/);
          if (channel === 'email') expect(out.subject).toBeTruthy();
          else expect(out.subject).toBeNull();
        }
  });

  it('write Russian plurals with one, few and many, and dates as each language does', () => {
    const say = (locale: 'en' | 'es' | 'ru', points: number) =>
      renderMessage({
        kind: 'points_expiring',
        channel: 'sms',
        locale,
        vars: { clinic_name: 'K', points, expires_date: '2027-03-15', url: 'u' },
      }).body;
    expect(say('ru', 1)).toContain('1 балл на вашей карте сгорает 15 марта 2027');
    expect(say('ru', 3)).toContain('3 балла на вашей карте сгорают');
    expect(say('ru', 25)).toContain('25 баллов');
    expect(say('es', 1)).toContain('1 punto de su tarjeta caduca el 15 de marzo de 2027');
    expect(say('es', 2)).toContain('2 puntos de su tarjeta caducan');
    expect(say('en', 1)).toContain('1 point on your card expire on 15 March 2027');
  });

  it('are refused when they name another kind’s variable, do not parse or plural a text', () => {
    const key = { kind: 'card_link', channel: 'sms', locale: 'en' } as const;
    expect(checkTemplate(key, { subject: null, body: 'Hi {gift} {url}' })[0]?.message).toContain(
      'unknown variables {gift}',
    );
    expect(checkTemplate(key, { subject: null, body: 'Hi {url' })[0]?.message).toContain('does not parse');
    expect(
      checkTemplate(key, { subject: null, body: '{url, plural, one {a} other {b}}' })[0]?.message,
    ).toContain('which is text');
    expect(checkTemplate(key, { subject: null, body: '{url, date}' })[0]?.message).toContain('as a date');
    expect(checkTemplate(key, { subject: 'S', body: 'x' })[0]).toEqual({
      path: 'subject',
      message: 'an SMS has no subject',
    });
    expect(checkTemplate({ ...key, channel: 'email' }, { subject: ' ', body: 'x' })[0]?.path).toBe('subject');
    expect(checkTemplate(key, { subject: null, body: 'x'.repeat(1001) })[0]?.message).toContain(
      'at most 1000',
    );
  });
});

describe('smsSegments', () => {
  it('counts GSM-7 septets with extension characters as two', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', characters: 0, segments: 0 });
    expect(smsSegments('Hello')).toEqual({ encoding: 'GSM-7', characters: 5, segments: 1 });
    expect(smsSegments('Price: 5€')).toEqual({ encoding: 'GSM-7', characters: 10, segments: 1 });
    expect(smsSegments('{[]}')).toEqual({ encoding: 'GSM-7', characters: 8, segments: 1 });
    expect(smsSegments('¿Qué tal? Válido')).toMatchObject({ encoding: 'UCS-2' }); // á is not GSM-7
    expect(smsSegments('año, ¿señor?')).toMatchObject({ encoding: 'GSM-7', characters: 12 });
  });
  it('splits at 160 / 153 for GSM-7 and 70 / 67 for UCS-2', () => {
    expect(smsSegments('a'.repeat(160)).segments).toBe(1);
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
    expect(smsSegments(`${'a'.repeat(159)}€`)).toMatchObject({ characters: 161, segments: 2 });
    expect(smsSegments('я'.repeat(70))).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1 });
    expect(smsSegments('я'.repeat(71)).segments).toBe(2);
    expect(smsSegments('я'.repeat(134)).segments).toBe(2);
    expect(smsSegments('я'.repeat(135)).segments).toBe(3);
    expect(smsSegments('Ваш подарок')).toMatchObject({ encoding: 'UCS-2', characters: 11 });
  });
});

const put = (api: Client, key: string, path: string, body: unknown) =>
  api.request('PUT', `/v1/message_templates/${path}`, { token: key, body });

const auditOf = async (clinicId: string, action: string) =>
  (
    await env.DB.prepare('select * from audit_events where organization_id = ? and action = ?')
      .bind(clinicId, action)
      .all<Record<string, unknown>>()
  ).results;

describe('GET/PUT/DELETE /v1/message_templates', () => {
  it('lists every kind, channel and language with the defaults marked, saves one and resets it', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const list = await api.get('/v1/message_templates', { token: net.clinic.key });
    expect(list.status, list.text).toBe(200);
    expect(list.body.data).toHaveLength(MESSAGE_KINDS.length * 2 * 3);
    expect(list.body.data.every((t: { custom: boolean }) => !t.custom)).toBe(true);
    const esSms = list.body.data.find(
      (t: any) => t.kind === 'voucher_issued' && t.channel === 'sms' && t.locale === 'es',
    );
    expect(esSms).toMatchObject({ purpose: 'service', subject: null, updated_at: null });
    expect(esSms.body).toContain('Válido hasta');
    expect(esSms.variables).toEqual(['first_name', 'clinic_name', 'gift', 'url', 'expires_date']);

    const body = '{clinic_name}: {gift} para usted, hasta el {expires_date}. {url}';
    const saved = await put(api, net.clinic.key, 'voucher_issued/sms/es', { body });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ custom: true, body, subject: null, updated_at: expect.any(String) });
    const again = await api.get('/v1/message_templates', { token: net.clinic.key });
    const mine = again.body.data.filter((t: any) => t.custom);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'voucher_issued', channel: 'sms', locale: 'es', body });
    // Another clinic still has the defaults.
    const other = await api.get('/v1/message_templates', { token: net.otherClinic.key });
    expect(other.body.data.some((t: any) => t.custom)).toBe(false);
    const [entry] = await auditOf(net.clinic.id, 'message_template.save');
    expect(entry).toMatchObject({ subject_type: 'message_template', subject_id: 'voucher_issued/sms/es' });

    const reset = await api.request('DELETE', '/v1/message_templates/voucher_issued/sms/es', {
      token: net.clinic.key,
    });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).toMatchObject({ custom: false, body: esSms.body });
    expect(await auditOf(net.clinic.id, 'message_template.reset')).toHaveLength(1);
    expectProblem(
      await api.request('DELETE', '/v1/message_templates/voucher_issued/sms/es', { token: net.clinic.key }),
      404,
      'message_template_not_found',
    );
  });

  it('saves an e-mail with a subject and replaces it on a second save', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const first = await put(api, net.clinic.key, 'birthday/email/ru', {
      subject: 'С днём рождения, {first_name}!',
      body: 'Поздравляем! {url}',
    });
    expect(first.status, first.text).toBe(200);
    const second = await put(api, net.clinic.key, 'birthday/email/ru', {
      subject: 'Поздравляем, {first_name}',
      body: 'С праздником! {url}',
    });
    expect(second.body).toMatchObject({ subject: 'Поздравляем, {first_name}', body: 'С праздником! {url}' });
    const rows = await env.DB.prepare('select count(*) as n from message_templates where clinic_id = ?')
      .bind(net.clinic.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it('refuses an invalid template with the parser’s message (422 template_invalid)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const broken = await put(api, net.clinic.key, 'card_link/sms/en', { body: 'Your card {url' });
    expectProblem(broken, 422, 'template_invalid');
    expect(broken.body.errors[0].path).toBe('body');
    expect(broken.body.errors[0].message).toContain('does not parse');
    const unknown = await put(api, net.clinic.key, 'card_link/sms/en', { body: 'Your {balance}: {url}' });
    expectProblem(unknown, 422, 'template_invalid');
    expect(unknown.body.detail).toContain('unknown variables {balance}');
    expectProblem(
      await put(api, net.clinic.key, 'card_link/email/en', { body: 'x' }),
      422,
      'template_invalid',
    );
    expectProblem(
      await put(api, net.clinic.key, 'card_link/sms/en', { subject: 'Hi', body: 'x' }),
      422,
      'template_invalid',
    );
    expect(await auditOf(net.clinic.id, 'message_template.save')).toEqual([]);
  });

  it('refuses a kind, channel or language it does not know, and a body without text (400)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    expectProblem(await put(api, net.clinic.key, 'gossip/sms/en', { body: 'x' }), 400, 'validation_failed');
    expectProblem(await put(api, net.clinic.key, 'birthday/fax/en', { body: 'x' }), 400, 'validation_failed');
    expectProblem(await put(api, net.clinic.key, 'birthday/sms/de', { body: 'x' }), 400, 'validation_failed');
    expectProblem(await put(api, net.clinic.key, 'birthday/sms/en', {}), 400, 'validation_failed');
    expectProblem(
      await put(api, net.clinic.key, 'birthday/sms/en', { body: 'x', extra: 1 }),
      400,
      'validation_failed',
    );
  });

  it('previews the given text, the saved one or the default, with SMS segments', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const preview = (body: unknown) =>
      api.post('/v1/message_templates/preview', { token: net.clinic.key, body });
    const ru = await preview({ kind: 'points_expiring', channel: 'sms', locale: 'ru' });
    expect(ru.status, ru.text).toBe(200);
    expect(ru.body.body).toContain('125 баллов');
    expect(ru.body.body).toContain('15 марта 2027');
    expect(ru.body.sms).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(ru.body.subject).toBeNull();
    const given = await preview({
      kind: 'card_link',
      channel: 'sms',
      locale: 'en',
      body: 'Hi {first_name}: {url}',
    });
    expect(given.body).toMatchObject({
      body: 'Hi Anna: https://gratia.test/c/sample',
      sms: { encoding: 'GSM-7', characters: 37, segments: 1 },
    });
    await put(api, net.clinic.key, 'survey_request/email/es', {
      subject: 'Hola {first_name}',
      body: 'Encuesta: {url}',
    });
    const saved = await preview({ kind: 'survey_request', channel: 'email', locale: 'es' });
    expect(saved.body).toMatchObject({ subject: 'Hola Ana', sms: null });
    expect(saved.body.body).toMatch(/^Encuesta: https:/);
    expectProblem(
      await preview({ kind: 'card_link', channel: 'sms', locale: 'en', body: '{x}' }),
      422,
      'template_invalid',
    );
    expectProblem(
      await preview({ kind: 'card_link', channel: 'sms', locale: 'xx' }),
      400,
      'validation_failed',
    );
  });
});

describe('templates: staff roles', () => {
  it('lets owners and managers edit and refuses front desk (403)', async () => {
    const deps = testDeps();
    const clinic = await orgWithCaller(deps, 'clinic');
    const as = (role: 'owner' | 'front_desk') => ({
      ...clinic.principal,
      staff: { id: 'stf_x', name: role, role },
    });
    const key = { kind: 'birthday', channel: 'sms', locale: 'en' } as const;
    const refused = await saveMessageTemplate(deps, {
      clinic: as('front_desk'),
      ...key,
      subject: null,
      body: '{url}',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await listMessageTemplates(deps, { clinic: as('front_desk') })).toMatchObject({ ok: false });
    expect(await resetMessageTemplate(deps, { clinic: as('front_desk'), ...key })).toMatchObject({
      ok: false,
    });
    expect(await previewMessageTemplate(deps, { clinic: as('front_desk'), ...key })).toMatchObject({
      ok: false,
    });
    const done = await saveMessageTemplate(deps, {
      clinic: as('owner'),
      ...key,
      subject: null,
      body: '{url}',
    });
    expect(done).toMatchObject({ ok: true, value: { custom: true } });
  });

  it('refuses front desk on the API with its console key', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const res = await api.get('/console/templates', { headers: { cookie: desk.cookie } });
    expect(res.status).toBe(403);
  });
});

for (const [name, method, path, body] of [
  ['GET /v1/message_templates', 'GET', '/v1/message_templates', undefined],
  [
    'PUT /v1/message_templates/{kind}/{channel}/{locale}',
    'PUT',
    '/v1/message_templates/birthday/sms/en',
    { body: '{url}' },
  ],
  [
    'DELETE /v1/message_templates/{kind}/{channel}/{locale}',
    'DELETE',
    '/v1/message_templates/birthday/sms/en',
    undefined,
  ],
  [
    'POST /v1/message_templates/preview',
    'POST',
    '/v1/message_templates/preview',
    { kind: 'birthday', channel: 'sms', locale: 'en' },
  ],
] as const)
  describeSecurity(name, {
    method,
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => path,
    ...(body === undefined ? {} : { body: () => body }),
  });

describe('/console/templates', () => {
  it('lists the messages, previews, saves, refuses an invalid text with the parser’s words and resets', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'manager' });
    const list = await owner.get('/console/templates');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<h1>Messages</h1>');
    expect(list.text).toContain('href="/console/templates/points_expiring/sms/ru"');
    const path = '/console/templates/points_expiring/sms/ru';
    const editor = await owner.get(path);
    expect(editor.status).toBe(200);
    expect(editor.text).toContain('<code>{points}</code>');
    expect(editor.text).toContain('125 баллов');
    expect(editor.text).toContain('UCS-2');
    const body =
      '{clinic_name}: {points, plural, one {# балл} few {# балла} many {# баллов} other {# балла}} до {expires_date}. {url}';
    const preview = await owner.post(path, { do: 'preview', body });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('125 баллов до 15 марта 2027');
    expect(
      await env.DB.prepare('select count(*) as n from message_templates where clinic_id = ?')
        .bind(net.clinic.id)
        .first('n'),
    ).toBe(0);
    const bad = await owner.post(path, { do: 'save', body: '{points, plural, one {# балл}' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('does not parse');
    const saved = await owner.post(path, { do: 'save', body });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${path}?saved=1`);
    const after = await owner.get(`${path}?saved=1`);
    expect(after.text).toContain('Your clinic’s own wording.');
    expect(after.text).toContain('Reset to default');
    expect((await owner.get('/console/templates')).text).toContain(
      'points_expiring/sms/ru" aria-label="Points about to expire, SMS, Русский: own"',
    );
    const reset = await owner.post(`${path}/reset`);
    expect(reset.headers.get('location')).toBe(`${path}?reset=1`);
    expect(
      await env.DB.prepare('select count(*) as n from message_templates where clinic_id = ?')
        .bind(net.clinic.id)
        .first('n'),
    ).toBe(0);
    expect((await owner.get('/console/templates/gossip/sms/ru')).status).toBe(404);
  });
});
