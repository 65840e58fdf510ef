import { env } from 'cloudflare:workers';
import { QUESTIONNAIRE_CONSENT_WORDINGS } from '@gratia/insight';
import {
  COMMON_PAGE,
  chooseLocale,
  formatIcu,
  LOCALES,
  QUESTIONNAIRE_PAGE,
  SURVEY_PAGE,
  VOUCHER_PAGE,
} from '@gratia/messaging';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { createNetwork, createPatient, createVoucherScene } from '../helpers/factories';
import { expectProblem } from '../helpers/security';
import { ORIGIN, staffSession } from '../helpers/staff';

// The patient's language: on the patient API (locale, timezone) and the console; the patient-facing
// pages (voucher, survey, questionnaire) in it, with a switch (`?lang=`) and `<html lang>`; the page
// catalogs with the same keys in every language, each string compiling.

/** Every variable a page catalog uses. */
const SAMPLE = {
  name: 'Ana',
  gift: 'Massage',
  title: 'T',
  date: '1 May',
  amount: '€5',
  category: 'massage',
  id: 'vch_1',
  text: 'x',
  clinic: 'K',
  channel: 'sms',
};

const CATALOGS = { COMMON_PAGE, QUESTIONNAIRE_PAGE, SURVEY_PAGE, VOUCHER_PAGE };

describe('page catalogs', () => {
  it('have the same keys in every language, and every string compiles', () => {
    for (const [name, catalogs] of Object.entries(CATALOGS)) {
      const keys = Object.keys(catalogs.en).sort();
      for (const locale of LOCALES) {
        const cat = catalogs[locale] as Record<string, string>;
        expect(Object.keys(cat).sort(), `${name} ${locale}`).toEqual(keys);
        for (const k of keys) expect(() => formatIcu(cat[k]!, locale, SAMPLE)).not.toThrow();
      }
    }
  });

  it('chooses ?lang, then the patient’s language, then Accept-Language, else English', () => {
    expect(chooseLocale('ru', 'es', 'en')).toBe('ru');
    expect(chooseLocale('de', 'es', 'ru')).toBe('es');
    expect(chooseLocale(null, null, 'de-DE,ru;q=0.8')).toBe('ru');
    expect(chooseLocale(null, null, 'de-DE')).toBe('en');
  });
});

describe('the patient’s language on /v1/patients', () => {
  it('registers, reads and changes locale and timezone', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const plain = await createPatient(api, net.clinic.key);
    expect(plain).toMatchObject({ locale: 'en', timezone: null });
    const res = await api.post('/v1/patients', {
      token: net.clinic.key,
      body: { first_name: 'Lucía', last_name: 'Gómez', locale: 'es', timezone: 'Europe/Madrid' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ locale: 'es', timezone: 'Europe/Madrid' });
    const got = await api.get(`/v1/patients/${res.body.id}`, { token: net.clinic.key });
    expect(got.body).toMatchObject({ locale: 'es', timezone: 'Europe/Madrid' });
    const changed = await api.request('PATCH', `/v1/patients/${res.body.id}`, {
      token: net.clinic.key,
      body: { locale: 'ru', timezone: null },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ locale: 'ru', timezone: null });
    const audit = await env.DB.prepare(
      "select detail from audit_events where subject_id = ? and action = 'patient.update'",
    )
      .bind(res.body.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit!.detail)).toEqual({ fields: ['locale', 'timezone'] });
  });

  it('refuses a language it does not speak and a timezone Intl does not know (400)', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const patch = (body: unknown) =>
      api.request('PATCH', `/v1/patients/${p.id}`, { token: net.clinic.key, body });
    expectProblem(await patch({ locale: 'de' }), 400, 'validation_failed');
    const tz = await patch({ timezone: 'Mars/Olympus_Mons' });
    expectProblem(tz, 400, 'validation_failed');
    expect(JSON.stringify(tz.body.errors)).toContain('IANA timezone');
    expectProblem(await patch({ timezone: '' }), 400, 'validation_failed');
    expectProblem(
      await api.post('/v1/patients', {
        token: net.clinic.key,
        body: { first_name: 'A', last_name: 'B', timezone: 'Europe/Nowhere' },
      }),
      400,
      'validation_failed',
    );
  });

  it('is set on the console patient page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const page = await desk.get(`/console/patients/${p.id}`);
    expect(page.text).toContain('<h2 id="language">Language</h2>');
    expect(page.text).toContain('<option value="es">Español</option>');
    const saved = await desk.post(`/console/patients/${p.id}/language`, {
      locale: 'es',
      timezone: 'America/Bogota',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/console/patients/${p.id}?language=saved#patient-language`);
    const after = await desk.get(`/console/patients/${p.id}?language=saved`);
    expect(after.text).toContain('<option value="es" selected="">Español</option>');
    expect(after.text).toContain('value="America/Bogota"');
    const bad = await desk.post(`/console/patients/${p.id}/language`, {
      locale: 'es',
      timezone: 'Nowhere/City',
    });
    expect(bad.headers.get('location')).toContain('field=timezone');
    expect((await desk.get(bad.headers.get('location')!)).text).toContain('Enter a timezone such as');
    const form = await desk.get('/console/patients/new');
    expect(form.text).toContain('<option value="ru">Русский</option>');
    const registered = await desk.post('/console/patients', {
      first_name: 'Pilar',
      last_name: 'Ruiz',
      locale: 'es',
    });
    expect(registered.status).toBe(303);
    const id = /patients\/(pat_[^?]+)/.exec(registered.headers.get('location') ?? '')?.[1];
    const row = await env.DB.prepare('select locale from patients where id = ?')
      .bind(id)
      .first<{ locale: string }>();
    expect(row?.locale).toBe('es');
    const other = await createPatient(api, net.otherClinic.key);
    const theirs = await desk.post(`/console/patients/${other.id}/language`, { locale: 'ru' });
    expect(theirs.headers.get('location')).toContain('error=patient_not_found');
  });
});

const langOf = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];

async function setLocale(api: Client, key: string, patientId: string, locale: string) {
  const res = await api.request('PATCH', `/v1/patients/${patientId}`, { token: key, body: { locale } });
  expect(res.status, res.text).toBe(200);
}

describe('patient-facing pages in the patient’s language', () => {
  it('the voucher page: the patient’s language, ?lang, Accept-Language and the switch', async () => {
    const api = createClient();
    const s = await createVoucherScene(api);
    const path = new URL(s.voucher.url).pathname;
    const en = await api.get(path);
    expect(langOf(en.text)).toBe('en');
    expect(en.text).toContain('Show this code at the counter');
    expect(en.text).toContain(`href="${path}?lang=es"`);
    expect(en.text).toMatch(/hreflang="en" lang="en" aria-current="true"/);
    await setLocale(api, s.clinic.key, s.patient.id, 'es');
    const es = await api.get(path);
    expect(langOf(es.text)).toBe('es');
    expect(es.text).toContain('Muestre este código en el mostrador');
    expect(es.text).toContain('Un regalo para usted, Clara');
    expect(es.text).toMatch(/Válido hasta el \d{1,2} de [a-z]+ de \d{4}/);
    const ru = await api.get(`${path}?lang=ru`);
    expect(langOf(ru.text)).toBe('ru');
    expect(ru.text).toContain('Покажите этот код на стойке');
    expect(ru.text).toMatch(/Действует до \d{1,2} [а-я]+ \d{4}/);
    expect(ru.text).toMatch(/hreflang="ru" lang="ru" aria-current="true"/);
    await setLocale(api, s.clinic.key, s.patient.id, 'en');
    const browser = await api.get(path, { headers: { 'accept-language': 'ru-RU,ru;q=0.9' } });
    expect(langOf(browser.text)).toBe('en'); // the patient's own language comes before the browser's
    const unknown = await api.get('/r/not-a-token', { headers: { 'accept-language': 'es' } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Este enlace no es válido');
  });

  it('the survey page and its thank-you', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, {
      first_name: 'Olga',
      last_name: 'P',
      locale: 'ru',
    });
    const link = await api.post(`/v1/patients/${patient.id}/links`, {
      token: net.clinic.key,
      body: { purpose: 'survey' },
    });
    expect(link.status, link.text).toBe(201);
    const path = new URL(link.body.url).pathname;
    const ru = await api.get(path);
    expect(langOf(ru.text)).toBe('ru');
    expect(ru.text).toContain('Как всё прошло, Olga?');
    expect(ru.text).toContain('Отправить ответ');
    const es = await api.get(`${path}?lang=es`);
    expect(langOf(es.text)).toBe('es');
    expect(es.text).toContain('¿Qué tal lo hicimos, Olga?');
    expect(es.text).toContain('name="lang" value="es"');
    const post = (fields: Record<string, string>) =>
      api.post(path, {
        rawBody: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      });
    const missing = await post({ lang: 'es' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Elija un número del 0 al 10.');
    const done = await post({ lang: 'es', score: '9' });
    expect(done.status).toBe(200);
    expect(langOf(done.text)).toBe('es');
    expect(done.text).toContain('Su respuesta se ha enviado.');
    const again = await api.get(path);
    expect(again.text).toContain('На этот опрос уже ответили.');
  });

  it('the questionnaire page: the page’s words translated, the clinic’s questions as written', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, {
      first_name: 'Ines',
      last_name: 'Q',
      locale: 'es',
    });
    const link = await api.post(`/v1/patients/${patient.id}/links`, {
      token: net.clinic.key,
      body: { purpose: 'questionnaire' },
    });
    const path = new URL(link.body.url).pathname;
    const es = await api.get(path);
    expect(langOf(es.text)).toBe('es');
    expect(es.text).toContain('Guardar mis respuestas');
    expect(es.text).toContain('¿Podemos ponernos en contacto con usted?');
    expect(es.text).toContain('What do you enjoy in your free time?'); // the clinic's question, as written
    const ru = await api.get(`${path}?lang=ru`);
    expect(langOf(ru.text)).toBe('ru');
    expect(ru.text).toContain('Сохранить ответы');
    expect(ru.text).toContain('Это личная ссылка');
    const saved = await api.post(path, {
      rawBody: new URLSearchParams({
        submission: 'one-time-key-i18n-000001',
        version: '0',
        lang: 'ru',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`${path}?done=1&lang=ru`);
    const thanks = await api.get(saved.headers.get('location')!);
    expect(thanks.text).toContain('Спасибо! Ваши ответы сохранены.');
  });

  it('the questionnaire’s consent sentences in the page’s language, stored as shown with their version', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, {
      first_name: 'Olga',
      last_name: 'Q',
      locale: 'ru',
    });
    const link = await api.post(`/v1/patients/${patient.id}/links`, {
      token: net.clinic.key,
      body: { purpose: 'questionnaire' },
    });
    const path = new URL(link.body.url).pathname;
    const page = await api.get(path);
    expect(page.text).toContain(QUESTIONNAIRE_CONSENT_WORDINGS.ru.sms);
    const saved = await api.post(path, {
      rawBody: new URLSearchParams({
        submission: 'one-time-key-i18n-000002',
        version: '0',
        lang: 'ru',
        consent_shown: '1',
        consent_sms: 'yes',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    });
    expect(saved.status).toBe(303);
    const events = await env.DB.prepare(
      'select channel, granted, wording, wording_version from consent_events where patient_id = ? order by rowid',
    )
      .bind(patient.id)
      .all();
    expect(events.results).toEqual([
      {
        channel: 'sms',
        granted: 1,
        wording: QUESTIONNAIRE_CONSENT_WORDINGS.ru.sms,
        wording_version: 'questionnaire-2026-11.ru',
      },
    ]);
  });
});
