import { env } from 'cloudflare:workers';
import { isValidCardNumber } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, T0 } from '../helpers/api';
import { createClinic, createPatient } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

const anna = {
  first_name: 'Anna',
  last_name: 'Kowalski',
  email: 'Anna.Kowalski@Example.com',
  phone: '+491701234567',
  birth_date: '1985-04-12',
  preferences: { tags: ['massage', 'books'], notes: 'Prefers afternoon appointments' },
  consent: { email: true, sms: false, source: 'paper_form' },
};

describe('POST /v1/patients', () => {
  it('registers a patient with a valid, unique card number and records consent with its source', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const res = await api.post('/v1/patients', { token: clinic.key, body: anna });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      first_name: 'Anna',
      email: 'anna.kowalski@example.com',
      phone: '+491701234567',
      preferences: { tags: ['massage', 'books'], notes: 'Prefers afternoon appointments' },
      consent: { email: true, sms: false },
      clinic_id: clinic.id,
    });
    expect(res.body.id).toMatch(/^pat_/);
    expect(isValidCardNumber(res.body.card_number)).toBe(true);

    const read = await api.get(`/v1/patients/${res.body.id}`, { token: clinic.key });
    expect(read.status).toBe(200);
    expect(read.body.consent_history).toEqual([
      expect.objectContaining({
        channel: 'email',
        granted: true,
        source: 'paper_form',
        api_key_id: clinic.keyId,
        // Over the API the words the patient saw are not known.
        wording: null,
      }),
      expect.objectContaining({ channel: 'sms', granted: false, source: 'paper_form' }),
    ]);
  });

  it('gives every patient a different card number, not derivable from another', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const cards = await Promise.all(
      Array.from({ length: 30 }, () => createPatient(api, clinic.key).then((p) => p.card_number)),
    );
    expect(new Set(cards).size).toBe(30);
    for (const c of cards) expect(isValidCardNumber(c)).toBe(true);
    // Consecutive registrations do not produce consecutive numbers.
    const sorted = cards.map((c) => BigInt(c)).sort((a, b) => (a < b ? -1 : 1));
    const gaps = sorted.slice(1).map((c, i) => c - sorted[i]!);
    expect(gaps.some((g) => g < 100n)).toBe(false);
  });

  it('validates e-mail, E.164 phone, dates, tags and unknown fields', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const res = await api.post('/v1/patients', {
      token: clinic.key,
      body: {
        first_name: '',
        last_name: 'X',
        email: 'not-an-email',
        phone: '0170 1234567',
        birth_date: '1985-02-30',
        preferences: { tags: ['x'.repeat(51)] },
        consent: { email: 'yes' },
        ssn: '123',
      },
    });
    expectProblem(res, 400, 'validation_failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'first_name',
        'email',
        'phone',
        'birth_date',
        'preferences.tags.0',
        'consent.email',
      ]),
    );
  });

  it('replays an idempotent create instead of registering the patient twice', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const headers = { 'idempotency-key': 'register-anna-1' };
    const first = await api.post('/v1/patients', { token: clinic.key, body: anna, headers });
    const again = await api.post('/v1/patients', { token: clinic.key, body: anna, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const list = await api.get('/v1/patients?q=kowalski', { token: clinic.key });
    expect(list.body.data).toHaveLength(1);
  });

  describeSecurity('POST /v1/patients', {
    method: 'POST',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/patients',
    body: () => anna,
  });
});

describe('GET /v1/patients/{id}', () => {
  it('answers 404 for unknown and malformed ids', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    expectProblem(
      await api.get('/v1/patients/pat_01ZZZZZZZZZZZZZZZZZZZZZZZZ', { token: clinic.key }),
      404,
      'patient_not_found',
    );
    expectProblem(await api.get('/v1/patients/nonsense', { token: clinic.key }), 404, 'patient_not_found');
  });

  describeSecurity('GET /v1/patients/{id}', {
    method: 'GET',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('PATCH /v1/patients/{id}', () => {
  it('updates fields, clears with null, and appends only real consent changes to the history', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const created = (await api.post('/v1/patients', { token: clinic.key, body: anna })).body;
    api.clock.advance?.(60_000);
    const res = await api.patch(`/v1/patients/${created.id}`, {
      token: clinic.key,
      body: {
        phone: null,
        preferences: { tags: ['photography'] },
        consent: { email: true, sms: true, source: 'phone' },
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      phone: null,
      email: 'anna.kowalski@example.com',
      preferences: { tags: ['photography'], notes: 'Prefers afternoon appointments' },
      consent: { email: true, sms: true },
      card_number: created.card_number,
    });
    const read = await api.get(`/v1/patients/${created.id}`, { token: clinic.key });
    // email was already granted: only the SMS change is new history; the original entries stay.
    expect(read.body.consent_history.map((e: any) => [e.channel, e.granted, e.source])).toEqual([
      ['email', true, 'paper_form'],
      ['sms', false, 'paper_form'],
      ['sms', true, 'phone'],
    ]);
    expect(read.body.consent_history[2].recorded_at).toBe(
      new Date(Date.parse(read.body.consent_history[0].recorded_at) + 60_000).toISOString(),
    );
  });

  it('keeps the consent history in agreement with the patient under 40 concurrent updates', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const p = await createPatient(api, clinic.key, { consent: { email: false, sms: false } });
    // Consent changes race each other and a few renames: two writers on the same row used to read the
    // same "before" and both record (or both skip) a change.
    const updates = Array.from({ length: 40 }, (_, i) => ({
      ...(i % 10 === 0 && { first_name: `Name${i}` }),
      consent:
        i % 2 === 0 ? { email: i % 4 === 0, source: `desk-${i}` } : { sms: i % 3 === 0, source: `desk-${i}` },
    }));
    const answers = await Promise.all(
      updates.map((body) => api.patch(`/v1/patients/${p.id}`, { token: clinic.key, body })),
    );
    answers.forEach((a, i) => {
      // A consent change never conflicts; a rename racing other renames may be asked to try again.
      if ('first_name' in updates[i]! && a.status === 409) expect(a.body.code).toBe('concurrent_update');
      else expect(a.status, JSON.stringify(a.body)).toBe(200);
    });
    const after = await api.get(`/v1/patients/${p.id}`, { token: clinic.key });
    const history: { channel: 'email' | 'sms'; granted: boolean }[] = after.body.consent_history;
    for (const channel of ['email', 'sms'] as const) {
      const events = history.filter((e) => e.channel === channel);
      // Every recorded event is a real change: the values alternate, starting from the first grant/refusal.
      events.forEach((e, i) => {
        if (i > 0) expect(e.granted, `${channel} event ${i}`).toBe(!events[i - 1]!.granted);
      });
      // And the row says what the last event says.
      const last = events.at(-1)?.granted ?? false;
      expect(after.body.consent[channel], channel).toBe(last);
    }
    expect(['Anna', ...updates.map((u) => u.first_name)]).toContain(after.body.first_name);
  });

  it('refuses invalid updates and changing the card number', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const p = await createPatient(api, clinic.key);
    expectProblem(
      await api.patch(`/v1/patients/${p.id}`, { token: clinic.key, body: { email: 'x@' } }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.patch(`/v1/patients/${p.id}`, {
        token: clinic.key,
        body: { card_number: '8000000000000000' },
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.patch('/v1/patients/pat_01ZZZZZZZZZZZZZZZZZZZZZZZZ', {
        token: clinic.key,
        body: { first_name: 'B' },
      }),
      404,
      'patient_not_found',
    );
  });

  describeSecurity('PATCH /v1/patients/{id}', {
    method: 'PATCH',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}`,
    body: () => ({ first_name: 'Changed' }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('GET /v1/patients', () => {
  it("searches the clinic's own patients by name, e-mail, phone and card number", async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const other = await createClinic(api);
    const p = (await api.post('/v1/patients', { token: clinic.key, body: anna })).body;
    await createPatient(api, clinic.key, { first_name: 'Bruno', last_name: 'Meier' });
    await api.post('/v1/patients', { token: other.key, body: anna });

    const spaced = p.card_number.replace(/(\d{4})(?=\d)/g, '$1 ');
    for (const q of ['kowal', 'ANNA', 'anna.kowalski@example.com', '+491701234567', '1701234567', spaced]) {
      const res = await api.get(`/v1/patients?q=${encodeURIComponent(q)}`, { token: clinic.key });
      expect(res.status, q).toBe(200);
      expect(
        res.body.data.map((x: { id: string }) => x.id),
        q,
      ).toEqual([p.id]);
    }
    const none = await api.get('/v1/patients?q=%25', { token: clinic.key });
    expect(none.body.data).toEqual([]);
  });

  it('finds hyphenated e-mails, accented and apostrophed names, and a phone by its last digits; "0000" finds no one', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const lena = await createPatient(api, clinic.key, {
      first_name: 'Anna-Lena',
      last_name: "O'Brien Müller",
      email: 'anna-lena@t-online.de',
      phone: '+4915123459876',
    });
    await createPatient(api, clinic.key, { first_name: 'Bruno', last_name: 'Meier', phone: '+49151000000' });
    for (const q of [
      'anna-lena@t-online.de',
      'anna-lena@t',
      'lena',
      "O'Brien",
      'obr',
      'mul',
      'müller',
      'MULLER',
      '9876',
      '0151 2345',
    ]) {
      const res = await api.get(`/v1/patients?q=${encodeURIComponent(q)}`, { token: clinic.key });
      expect(res.status, q).toBe(200);
      expect(
        res.body.data.map((x: { id: string }) => x.id),
        q,
      ).toEqual([lena.id]);
    }
    for (const q of ['0000', '00000000', '-', "'"]) {
      const res = await api.get(`/v1/patients?q=${encodeURIComponent(q)}`, { token: clinic.key });
      expect(res.status, q).toBe(200);
      expect(res.body.data, q).toEqual([]);
    }
  });

  it('indexes the patients registered before search terms existed, a slice per cron run', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    const p = await createPatient(api, clinic.key, {
      first_name: 'Zoë',
      last_name: 'Ünal',
      phone: '+4917055501234',
    });
    // As a patient registered before migration 0006: no terms.
    await env.DB.prepare('delete from patient_search_terms where patient_id = ?').bind(p.id).run();
    await env.DB.prepare("delete from job_state where name = 'patient_search_terms'").run();
    const find = async (q: string) =>
      (await api.get(`/v1/patients?q=${encodeURIComponent(q)}`, { token: clinic.key })).body.data.map(
        (x: { id: string }) => x.id,
      );
    expect(await find('zoe')).toEqual([]);
    for (let run = 0; run < 50; run++) {
      const done = await runScheduledJobs(env, T0 + run * 3_600_000, 'test');
      if (done.backfill_patient_search_terms === 0) break;
    }
    expect(await find('zoe')).toEqual([p.id]);
    expect(await find('unal')).toEqual([p.id]);
    expect(await find('55501234')).toEqual([p.id]);
    const state = await env.DB.prepare(
      "select cursor from job_state where name = 'patient_search_terms'",
    ).first();
    expect(state).toEqual({ cursor: 'done' });
  });

  it('pages with a cursor', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    for (let i = 0; i < 5; i++) await createPatient(api, clinic.key);
    const first = await api.get('/v1/patients?limit=3', { token: clinic.key });
    expect(first.body.data).toHaveLength(3);
    const second = await api.get(`/v1/patients?limit=3&cursor=${first.body.next_cursor}`, {
      token: clinic.key,
    });
    expect(second.body.data).toHaveLength(2);
    expect(second.body.next_cursor).toBeNull();
    expectProblem(await api.get('/v1/patients?cursor=!!', { token: clinic.key }), 400, 'invalid_cursor');
  });

  describeSecurity('GET /v1/patients', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/patients',
  });
});
