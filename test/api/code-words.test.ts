import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient, type Network } from '../helpers/factories';
import { describeSecurity } from '../helpers/security';
import { staffSession } from '../helpers/staff';

// Code words through the API: campaigns (create, list, read, change), unique codes per patient and
// their CSV, and applying a word at the desk, exactly once per use under 50 concurrent requests, with
// each refusal's own code.

const UNTIL = new Date(T0 + 30 * DAY_MS).toISOString();

async function scene(api: Client = createClient()) {
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key);
  return { api, net, patient };
}

async function createWord(api: Client, net: Network, body: Record<string, unknown> = {}) {
  const res = await api.post('/v1/code-words', {
    token: net.clinic.key,
    body: {
      word: 'Lavender',
      reward: { kind: 'discount_bps', discount_bps: 1000 },
      valid_until: UNTIL,
      ...body,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; word: string; uses: number; status: string };
}

const apply = (api: Client, token: string, patientId: string, word: string) =>
  api.post(`/v1/patients/${patientId}/code-word`, { token, body: { word } });

const rows = async <T = Record<string, unknown>>(q: string, ...binds: unknown[]) =>
  (
    await env.DB.prepare(q)
      .bind(...binds)
      .all<T>()
  ).results;

describe('code word campaigns', () => {
  it('creates a campaign: the word upper case without spaces, what it gives, the defaults', async () => {
    const { api, net } = await scene();
    const res = await api.post('/v1/code-words', {
      token: net.clinic.key,
      body: {
        word: ' laven der ',
        description: 'Spring mailing',
        reward: { kind: 'discount_bps', discount_bps: 1000 },
        valid_until: UNTIL,
        total_limit: 100,
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      word: 'LAVENDER',
      description: 'Spring mailing',
      reward: { kind: 'discount_bps', discount_bps: 1000, points: null },
      gives: '10% off today’s visit',
      currency: 'EUR',
      valid_from: new Date(T0).toISOString(),
      valid_until: UNTIL,
      total_limit: 100,
      per_patient_limit: 1,
      per_patient_codes: false,
      uses: 0,
      status: 'active',
      ended_at: null,
    });
    const list = await api.get('/v1/code-words', { token: net.clinic.key });
    expect(list.body.data.map((w: { word: string }) => w.word)).toEqual(['LAVENDER']);
    const other = await api.get('/v1/code-words', { token: net.otherClinic.key });
    expect(other.body.data).toEqual([]);
  });

  it('refuses a word the clinic already has (409 code_word_taken); another clinic may have it', async () => {
    const { api, net } = await scene();
    await createWord(api, net);
    const again = await api.post('/v1/code-words', {
      token: net.clinic.key,
      body: { word: 'lavender', reward: { kind: 'points', points: 100 }, valid_until: UNTIL },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('code_word_taken');
    const elsewhere = await api.post('/v1/code-words', {
      token: net.otherClinic.key,
      body: { word: 'LAVENDER', reward: { kind: 'points', points: 100 }, valid_until: UNTIL },
    });
    expect(elsewhere.status, elsewhere.text).toBe(201);
  });

  it('says what is wrong with a campaign, by field (400 validation_failed)', async () => {
    const { api, net } = await scene();
    const bad = async (body: Record<string, unknown>, path: string) => {
      const res = await api.post('/v1/code-words', {
        token: net.clinic.key,
        body: { word: 'SPRING', reward: { kind: 'points', points: 100 }, valid_until: UNTIL, ...body },
      });
      expect(res.status, res.text).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad({ word: 'A!' }, 'word');
    await bad({ reward: { kind: 'points' } }, 'reward.points');
    await bad({ reward: { kind: 'voucher' } }, 'reward.offer_id');
    await bad({ valid_until: new Date(T0 - DAY_MS).toISOString() }, 'valid_until');
    await bad({ total_limit: 0 }, 'total_limit');
    await bad({ per_patient_limit: 3, total_limit: 2 }, 'per_patient_limit');
    const inactive = await createOffer(api, net.partner.key, { active: false });
    await bad({ reward: { kind: 'voucher', offer_id: inactive.id } }, 'reward.offer_id');
    const dollars = await createOffer(api, net.partner.key);
    await env.DB.prepare("update offers set currency = 'USD' where id = ?").bind(dollars.id).run();
    await bad({ reward: { kind: 'voucher', offer_id: dollars.id } }, 'reward.offer_id');
  });

  it('refuses another clinic’s segment (404 segment_not_found)', async () => {
    const { api, net } = await scene();
    const seg = await api.post('/v1/segments', {
      token: net.otherClinic.key,
      body: { name: 'B', rules: [] },
    });
    const res = await api.post('/v1/code-words', {
      token: net.clinic.key,
      body: {
        word: 'SPRING',
        reward: { kind: 'points', points: 5 },
        valid_until: UNTIL,
        segment_id: seg.body.id,
      },
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('segment_not_found');
  });

  it('changes a campaign: extends, raises limits, never below its uses, ends it for good', async () => {
    const { api, net, patient } = await scene();
    const w = await createWord(api, net, { total_limit: 5 });
    expect((await apply(api, net.clinic.key, patient.id, 'LAVENDER')).status).toBe(201);
    const later = new Date(T0 + 60 * DAY_MS).toISOString();
    const ok = await api.patch(`/v1/code-words/${w.id}`, {
      token: net.clinic.key,
      body: { valid_until: later, total_limit: 10, per_patient_limit: 2, description: 'More' },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({
      valid_until: later,
      total_limit: 10,
      per_patient_limit: 2,
      description: 'More',
    });
    const lower = await api.patch(`/v1/code-words/${w.id}`, {
      token: net.clinic.key,
      body: { total_limit: 0 },
    });
    expect(lower.status).toBe(400);
    const belowUses = await api.patch(`/v1/code-words/${w.id}`, {
      token: net.clinic.key,
      body: { per_patient_limit: 1 },
    });
    expect(belowUses.body.errors[0].path).toBe('per_patient_limit');
    const earlier = await api.patch(`/v1/code-words/${w.id}`, {
      token: net.clinic.key,
      body: { valid_until: UNTIL },
    });
    expect(earlier.body.errors[0].path).toBe('valid_until');
    const ended = await api.patch(`/v1/code-words/${w.id}`, { token: net.clinic.key, body: { end: true } });
    expect(ended.body).toMatchObject({ status: 'ended', ended_at: new Date(T0).toISOString() });
    const after = await api.patch(`/v1/code-words/${w.id}`, {
      token: net.clinic.key,
      body: { total_limit: 20 },
    });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('code_word_ended');
    const described = await api.patch(`/v1/code-words/${w.id}`, {
      token: net.clinic.key,
      body: { description: 'Over' },
    });
    expect(described.status).toBe(200);
    const refused = await apply(
      api,
      net.clinic.key,
      (await createPatient(api, net.clinic.key)).id,
      'LAVENDER',
    );
    expect(refused.body.code).toBe('code_word_ended');
  });

  it('reads a campaign with its latest uses, and 404 code_word_not_found for another clinic', async () => {
    const { api, net, patient } = await scene();
    const w = await createWord(api, net);
    await apply(api, net.clinic.key, patient.id, 'lavender');
    const res = await api.get(`/v1/code-words/${w.id}`, { token: net.clinic.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      uses: 1,
      latest_uses: [{ patient_id: patient.id, seq: 1, total_seq: 1 }],
    });
    const other = await api.get(`/v1/code-words/${w.id}`, { token: net.otherClinic.key });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('code_word_not_found');
  });

  it('only owners and managers create and change; every clinic role reads and applies', async () => {
    const { api, net, patient } = await scene();
    const w = await createWord(api, net);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const made = await desk.post('/console/offers', {
      word: 'DESK',
      reward_kind: 'points',
      reward_value: '10',
      valid_until: '2026-12-31',
    });
    expect(made.status).toBe(403);
    const page = await desk.get(`/console/patients/${patient.id}`);
    expect(page.text).toContain('Code word');
    const applied = await desk.post(`/console/patients/${patient.id}/code-word`, { word: 'lavender' });
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toContain('code_word=cwu_');
    const used = await rows<{ staff_id: string }>(
      'select staff_id from code_word_uses where code_word_id = ?',
      w.id,
    );
    expect(used).toEqual([{ staff_id: desk.staffId }]);
  });
});

describe('applying a code word', () => {
  it('a discount: applied once for today’s visit, the reward used, an audit entry', async () => {
    const { api, net, patient } = await scene();
    const w = await createWord(api, net);
    const res = await apply(api, net.clinic.key, patient.id, ' lavender ');
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      use: { code_word_id: w.id, word: 'LAVENDER', patient_id: patient.id, seq: 1, total_seq: 1 },
      gives: '10% off today’s visit',
      reward: { kind: 'discount_bps', discount_bps: 1000, status: 'used', currency: 'EUR' },
      voucher: null,
    });
    const again = await apply(api, net.clinic.key, patient.id, 'LAVENDER');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('code_word_already_used');
    expect(again.body.detail).toContain(new Date(T0).toISOString());
  });

  it('bonus points: a lot of their own on the card', async () => {
    const { api, net, patient } = await scene();
    await createWord(api, net, { word: 'POINTS', reward: { kind: 'points', points: 200 } });
    const res = await apply(api, net.clinic.key, patient.id, 'points');
    expect(res.status, res.text).toBe(201);
    expect(res.body.gives).toBe('200 bonus points');
    const balance = await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key });
    expect(balance.body.balance).toBe(200);
  });

  it('a gift voucher: issued for the offer, with its link', async () => {
    const { api, net, patient } = await scene();
    const offer = await createOffer(api, net.partner.key, { title: 'Massage 60 min' });
    await createWord(api, net, { word: 'GIFT', reward: { kind: 'voucher', offer_id: offer.id } });
    const res = await apply(api, net.clinic.key, patient.id, 'GIFT');
    expect(res.status, res.text).toBe(201);
    expect(res.body.gives).toBe('a gift voucher: Massage 60 min');
    expect(res.body.voucher.id).toMatch(/^vch_/);
    expect(res.body.voucher.url).toMatch(/^https?:\/\//);
    const v = await api.get(`/v1/vouchers/${res.body.voucher.id}`, { token: net.clinic.key });
    expect(v.body).toMatchObject({ patient_id: patient.id, status: 'issued' });
  });

  it('says why it does not apply, with each refusal’s own code', async () => {
    const api = createClient(fixedClock(T0));
    const { net, patient } = await scene(api);
    const refused = async (word: string, code: string, status: number, who = patient.id) => {
      const res = await apply(api, net.clinic.key, who, word);
      expect(res.status, res.text).toBe(status);
      expect(res.body.code).toBe(code);
    };
    await refused('NOSUCH', 'code_word_unknown', 404);
    await refused('!!', 'code_word_unknown', 404);
    await createWord(api, net, { word: 'LATER', valid_from: new Date(T0 + DAY_MS).toISOString() });
    await refused('LATER', 'code_word_not_started', 409);
    const over = await createWord(api, net, { word: 'OVER' });
    await env.DB.prepare('update code_words set valid_from = ?, valid_until = ? where id = ?')
      .bind(T0 - DAY_MS, T0 - 1, over.id)
      .run();
    await refused('OVER', 'code_word_expired', 409);
    await createWord(api, net, { word: 'TWO', total_limit: 1 });
    expect((await apply(api, net.clinic.key, patient.id, 'TWO')).status).toBe(201);
    await refused('TWO', 'code_word_used_up', 409, (await createPatient(api, net.clinic.key)).id);
    const seg = await api.post('/v1/segments', {
      token: net.clinic.key,
      body: { name: 'VIP', rules: [{ field: 'tag', op: 'has', value: 'vip' }] },
    });
    await createWord(api, net, { word: 'VIPONLY', segment_id: seg.body.id });
    await refused('VIPONLY', 'code_word_not_eligible', 422);
    const vip = await createPatient(api, net.clinic.key, { preferences: { tags: ['vip'] } });
    expect((await apply(api, net.clinic.key, vip.id, 'VIPONLY')).status).toBe(201);
    // Another clinic's patient is not found; another clinic's word is unknown here.
    await refused('LAVENDER', 'patient_not_found', 404, (await createPatient(api, net.otherClinic.key)).id);
    await api.post('/v1/code-words', {
      token: net.otherClinic.key,
      body: { word: 'THEIRS', reward: { kind: 'points', points: 5 }, valid_until: UNTIL },
    });
    await refused('THEIRS', 'code_word_unknown', 404);
  });
});

describe('unique codes per patient', () => {
  it('generates one code per patient in slices, CSV for sending, each code only for its patient', async () => {
    const { api, net, patient } = await scene();
    const second = await createPatient(api, net.clinic.key, {
      email: 'b@example.com',
      consent: { email: true },
    });
    const w = await createWord(api, net, { word: 'ROSE', per_patient_codes: true });
    const gen = await api.post(`/v1/code-words/${w.id}/codes`, { token: net.clinic.key });
    expect(gen.status, gen.text).toBe(200);
    expect(gen.body).toEqual({ generated: 2, codes: 2, remaining: 0 });
    const again = await api.post(`/v1/code-words/${w.id}/codes`, { token: net.clinic.key });
    expect(again.body).toEqual({ generated: 0, codes: 2, remaining: 0 });
    const codes = await rows<{ code: string; patient_id: string }>(
      'select code, patient_id from code_word_codes where code_word_id = ? order by patient_id',
      w.id,
    );
    for (const c of codes) expect(c.code).toMatch(/^ROSE-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}$/);
    const csv = await api.get(`/v1/code-words/${w.id}/codes.csv`, { token: net.clinic.key });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('patient_id,first_name,last_name,code,phone,email,consent_email,consent_sms');
    expect(lines).toHaveLength(3);
    expect(csv.text).toContain('b@example.com');
    const mine = codes.find((c) => c.patient_id === patient.id)!.code;
    const theirs = codes.find((c) => c.patient_id === second.id)!.code;
    const notYours = await apply(api, net.clinic.key, patient.id, theirs);
    expect(notYours.status).toBe(422);
    expect(notYours.body.code).toBe('code_word_not_yours');
    const bare = await apply(api, net.clinic.key, patient.id, 'ROSE');
    expect(bare.body.code).toBe('code_word_not_yours');
    const ok = await apply(api, net.clinic.key, patient.id, mine.toLowerCase());
    expect(ok.status, ok.text).toBe(201);
    expect((await apply(api, net.clinic.key, patient.id, mine)).body.code).toBe('code_word_already_used');
  });

  it('slices are bounded and resumable; a campaign without codes is 409 code_word_not_per_patient', async () => {
    const { api, net } = await scene();
    const plain = await createWord(api, net);
    const res = await api.post(`/v1/code-words/${plain.id}/codes`, { token: net.clinic.key });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('code_word_not_per_patient');
    const other = await api.post(`/v1/code-words/${plain.id}/codes`, { token: net.otherClinic.key });
    expect(other.body.code).toBe('code_word_not_found');
    const csv = await api.get(`/v1/code-words/${plain.id}/codes.csv`, { token: net.otherClinic.key });
    expect(csv.status).toBe(404);
  });
});

describe('exactly once under 50 concurrent requests', () => {
  it('one patient, per-patient limit 1: one use, one reward, one lot; 49 code_word_already_used', async () => {
    const { api, net, patient } = await scene();
    const w = await createWord(api, net, { word: 'ONCE', reward: { kind: 'points', points: 50 } });
    const all = await Promise.all(
      Array.from({ length: 50 }, () => apply(api, net.clinic.key, patient.id, 'ONCE')),
    );
    expect(all.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = all.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.body.code)).toEqual(Array(49).fill('code_word_already_used'));
    expect(await rows('select id from code_word_uses where code_word_id = ?', w.id)).toHaveLength(1);
    expect(await rows('select id from loyalty_rewards where source_id = ?', w.id)).toHaveLength(1);
    expect(
      await rows('select id from point_lots where patient_id = ? and reward_id is not null', patient.id),
    ).toHaveLength(1);
    expect(await rows('select uses from code_words where id = ?', w.id)).toEqual([{ uses: 1 }]);
  });

  it('a voucher reward under 50 concurrent requests: exactly one voucher', async () => {
    const { api, net, patient } = await scene();
    const offer = await createOffer(api, net.partner.key);
    const w = await createWord(api, net, {
      word: 'ONEGIFT',
      reward: { kind: 'voucher', offer_id: offer.id },
    });
    const all = await Promise.all(
      Array.from({ length: 50 }, () => apply(api, net.clinic.key, patient.id, 'ONEGIFT')),
    );
    expect(all.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await rows('select id from vouchers where patient_id = ?', patient.id)).toHaveLength(1);
    expect(await rows('select id from loyalty_rewards where source_id = ?', w.id)).toHaveLength(1);
  });

  it('50 different patients, total limit 10: exactly 10 uses, word.uses = 10, 40 code_word_used_up', async () => {
    const { api, net } = await scene();
    const w = await createWord(api, net, { word: 'TEN', total_limit: 10 });
    const patients = [];
    for (let i = 0; i < 50; i++) patients.push(await createPatient(api, net.clinic.key));
    const all = await Promise.all(patients.map((p) => apply(api, net.clinic.key, p.id, 'TEN')));
    expect(all.filter((r) => r.status === 201)).toHaveLength(10);
    expect(all.filter((r) => r.status !== 201).map((r) => r.body.code)).toEqual(
      Array(40).fill('code_word_used_up'),
    );
    expect(await rows('select uses from code_words where id = ?', w.id)).toEqual([{ uses: 10 }]);
    const seqs = await rows<{ total_seq: number }>(
      'select total_seq from code_word_uses where code_word_id = ? order by total_seq',
      w.id,
    );
    expect(seqs.map((s) => s.total_seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('per-patient limit 3, 50 concurrent requests by one patient: exactly 3', async () => {
    const { api, net, patient } = await scene();
    const w = await createWord(api, net, { word: 'THRICE', per_patient_limit: 3 });
    const all = await Promise.all(
      Array.from({ length: 50 }, () => apply(api, net.clinic.key, patient.id, 'THRICE')),
    );
    expect(all.filter((r) => r.status === 201)).toHaveLength(3);
    expect(await rows('select seq from code_word_uses where code_word_id = ? order by seq', w.id)).toEqual([
      { seq: 1 },
      { seq: 2 },
      { seq: 3 },
    ]);
    expect(await rows('select id from loyalty_rewards where source_id = ?', w.id)).toHaveLength(3);
  });
});

// Security of every route: no key, wrong key, revoked, wrong role, another clinic's record.
const withWord = async (api: Client, net: Network) => ({
  word: await createWord(api, net, { per_patient_codes: true }),
});
describeSecurity('POST /v1/code-words', {
  method: 'POST',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/code-words',
  body: () => ({ word: 'SECURE', reward: { kind: 'points', points: 5 }, valid_until: UNTIL }),
});
describeSecurity('GET /v1/code-words', {
  method: 'GET',
  roles: ['clinic'],
  setup: async () => ({}),
  path: () => '/v1/code-words',
});
describeSecurity('GET /v1/code-words/{id}', {
  method: 'GET',
  roles: ['clinic'],
  setup: withWord,
  path: (c) => `/v1/code-words/${c.word.id}`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'code_word_not_found',
});
describeSecurity('PATCH /v1/code-words/{id}', {
  method: 'PATCH',
  roles: ['clinic'],
  setup: withWord,
  path: (c) => `/v1/code-words/${c.word.id}`,
  body: () => ({ description: 'x' }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'code_word_not_found',
});
describeSecurity('POST /v1/code-words/{id}/codes', {
  method: 'POST',
  roles: ['clinic'],
  setup: withWord,
  path: (c) => `/v1/code-words/${c.word.id}/codes`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'code_word_not_found',
});
describeSecurity('GET /v1/code-words/{id}/codes.csv', {
  method: 'GET',
  roles: ['clinic'],
  setup: withWord,
  path: (c) => `/v1/code-words/${c.word.id}/codes.csv`,
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'code_word_not_found',
});
describeSecurity('POST /v1/patients/{id}/code-word', {
  method: 'POST',
  roles: ['clinic'],
  setup: async (api, net) => ({ patient: await createPatient(api, net.clinic.key) }),
  path: (c) => `/v1/patients/${c.patient.id}/code-word`,
  body: () => ({ word: 'LAVENDER' }),
  otherTenant: (net) => net.otherClinic.key,
  otherTenantCode: 'patient_not_found',
});
