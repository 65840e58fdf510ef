import { env } from 'cloudflare:workers';
import { DAY_MS, ERROR_TEXT } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's code words: the Offers home (the list, the create form, the sibling pages), a word's
// page (settings, uses, end it, codes per patient and their CSV), and the "Code word" card on a
// patient's page, applied once and refused the second time with its reason, as the people who use them.

const esc = (s: string) => s.replace(/'/g, '&#39;');

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
  const desk = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'front_desk' });
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Lotte' });
  return { api, net, owner, desk, patient };
}

const FORM = {
  word: 'lavender',
  reward_kind: 'discount_bps',
  reward_value: '10',
  valid_until: '2026-11-30',
  per_patient_limit: '1',
};

describe('console: the Offers home', () => {
  it('an owner creates a code word with the form and sees it listed with its status and uses', async () => {
    const { owner } = await scene();
    const made = await owner.post('/console/offers', FORM);
    expect(made.status, made.text).toBe(303);
    const where = made.headers.get('location')!;
    expect(where).toMatch(/^\/console\/offers\/code-words\/cwd_\w+\?created=1$/);
    const detail = await owner.get(where);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Code word LAVENDER');
    expect(detail.text).toContain(esc('10% off today’s visit'));
    expect(detail.text).toContain('LAVENDER is ready');
    const home = await owner.get('/console/offers');
    expect(home.status).toBe(200);
    expect(home.text).toContain('LAVENDER');
    expect(home.text).toContain('Active');
    for (const href of [
      '/console/offers/settings',
      '/console/offers/visit-rules',
      '/console/offers/referrals',
    ])
      expect(home.text).toContain(`href="${href}"`);
    // The last day counts to its end in the clinic's timezone (Berlin: UTC+1 in November).
    const [row] = (
      await env.DB.prepare("select valid_until from code_words where word = 'LAVENDER'").all<{
        valid_until: number;
      }>()
    ).results;
    expect(row!.valid_until).toBe(Date.parse('2026-11-30T23:00:00.000Z'));
  });

  it('says which field is wrong, and that a word is taken', async () => {
    const { owner } = await scene();
    const bad = await owner.post('/console/offers', { ...FORM, reward_value: 'lots' });
    expect(bad.headers.get('location')).toBe(
      '/console/offers?error=validation_failed&field=reward.discount_bps#new-word',
    );
    const page = await owner.get('/console/offers?error=validation_failed&field=reward.discount_bps');
    expect(page.text).toContain('Enter the discount as a percentage');
    expect((await owner.post('/console/offers', FORM)).status).toBe(303);
    const taken = await owner.post('/console/offers', FORM);
    expect(taken.headers.get('location')).toBe('/console/offers?error=code_word_taken');
    const shown = await owner.get('/console/offers?error=code_word_taken');
    expect(shown.text).toContain(esc(ERROR_TEXT.code_word_taken));
  });

  it('offers a gift from the catalogue for a voucher reward', async () => {
    const { api, net, owner } = await scene();
    const offer = await createOffer(api, net.partner.key, { title: 'Hot stones for you' });
    const home = await owner.get('/console/offers');
    expect(home.text).toContain(`<option value="${offer.id}">Hot stones for you</option>`);
    const made = await owner.post('/console/offers', {
      ...FORM,
      word: 'STONES',
      reward_kind: 'voucher',
      reward_value: '',
      offer_id: offer.id,
    });
    const detail = await owner.get(made.headers.get('location')!);
    expect(detail.text).toContain('a gift voucher: Hot stones for you');
  });

  it('is for owners and managers: the front desk is not allowed', async () => {
    const { desk } = await scene();
    const res = await desk.get('/console/offers');
    expect(res.status).toBe(403);
    expect((await desk.post('/console/offers', FORM)).status).toBe(403);
  });
});

describe('console: a code word’s page', () => {
  it('ends the word for good', async () => {
    const { owner, patient } = await scene();
    const where = (await owner.post('/console/offers', FORM)).headers.get('location')!;
    const id = where.split('/').pop()!.split('?')[0]!;
    const ended = await owner.post(`/console/offers/code-words/${id}/end`, {});
    expect(ended.headers.get('location')).toBe(`/console/offers/code-words/${id}?ended=1`);
    const page = await owner.get(`/console/offers/code-words/${id}?ended=1`);
    expect(page.text).toContain('LAVENDER was ended');
    expect(page.text).toContain('Ended');
    const refused = await owner.post(`/console/patients/${patient.id}/code-word`, { word: 'LAVENDER' });
    expect(refused.headers.get('location')).toBe(
      `/console/patients/${patient.id}?error=code_word_ended#code-word`,
    );
  });

  it('makes codes per patient, offers them as CSV, and shows a patient their own code', async () => {
    const { owner, patient } = await scene();
    const where = (
      await owner.post('/console/offers', { ...FORM, word: 'ROSE', per_patient_codes: '1' })
    ).headers.get('location')!;
    const id = where.split('/').pop()!.split('?')[0]!;
    const made = await owner.post(`/console/offers/code-words/${id}/codes`, {});
    expect(made.headers.get('location')).toBe(
      `/console/offers/code-words/${id}?generated=1&remaining=0#codes`,
    );
    const page = await owner.get(`/console/offers/code-words/${id}?generated=1&remaining=0`);
    expect(page.text).toContain('1 codes made; 0 patients still without one.');
    const csv = await owner.get(`/console/offers/code-words/${id}/codes.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const code = csv.text.split('\r\n')[1]!.split(',')[3]!;
    expect(code).toMatch(/^ROSE-\w{5}$/);
    const patientPage = await owner.get(`/console/patients/${patient.id}`);
    expect(patientPage.text).toContain(code);
    const ok = await owner.post(`/console/patients/${patient.id}/code-word`, { word: code });
    expect(ok.headers.get('location')).toMatch(/\?code_word=cwu_\w+#code-word$/);
  });

  it('answers 404 for a word that is not the clinic’s', async () => {
    const { api, net } = await scene();
    const other = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    const { owner } = await scene();
    const where = (await owner.post('/console/offers', FORM)).headers.get('location')!;
    const id = where.split('/').pop()!.split('?')[0]!;
    expect((await other.get(`/console/offers/code-words/${id}`)).status).toBe(404);
    expect((await other.get(`/console/offers/code-words/${id}/codes.csv`)).status).toBe(404);
  });
});

describe('console: the Code word card on a patient’s page', () => {
  it('the front desk applies a word once; the second time it is refused with its reason', async () => {
    const { api, net, desk, patient } = await scene();
    await api.post('/v1/code-words', {
      token: net.clinic.key,
      body: {
        word: 'LAVENDER',
        reward: { kind: 'discount_bps', discount_bps: 1000 },
        valid_until: new Date(T0 + 30 * DAY_MS).toISOString(),
      },
    });
    const page = await desk.get(`/console/patients/${patient.id}`);
    expect(page.text).toContain(`action="/console/patients/${patient.id}/code-word"`);
    const first = await desk.post(`/console/patients/${patient.id}/code-word`, { word: 'lavender' });
    expect(first.status).toBe(303);
    const done = await desk.get(first.headers.get('location')!.replace('#code-word', ''));
    expect(done.text).toContain(esc('LAVENDER applied: 10% off today’s visit.'));
    expect(done.text).toContain('Used lately');
    const second = await desk.post(`/console/patients/${patient.id}/code-word`, { word: 'LAVENDER' });
    const back = second.headers.get('location')!;
    expect(back).toBe(`/console/patients/${patient.id}?used_at=${T0}&error=code_word_already_used#code-word`);
    const refused = await desk.get(back.replace('#code-word', ''));
    expect(refused.text).toContain(esc(ERROR_TEXT.code_word_already_used));
    expect(refused.text).toContain('Last used on');
    const unknown = await desk.post(`/console/patients/${patient.id}/code-word`, { word: 'TULIP' });
    expect(unknown.headers.get('location')).toBe(
      `/console/patients/${patient.id}?error=code_word_unknown#code-word`,
    );
  });
});
