import { env } from 'cloudflare:workers';
import { randomToken } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/api/src/app';
import { createClient } from '../helpers/api';
import {
  createOffer,
  createPointsScene,
  createVoucherScene,
  issueVoucher,
  recordVisit,
} from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The counter's promise, "one round trip to the database", held per hot request: the D1 meter (the
// one the benchmarks read through Server-Timing) counts round trips, so a refactor that adds a query
// to a hot path fails here. Rows and throughput are measured by `pnpm bench`, not asserted.

const app = createApp();
const metered = async (
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await app.request(
    `https://gratia.test${path}`,
    {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-debug-d1': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    { ...env, EXPOSE_D1_METRICS: '1' },
  );
  const trips = Number(/round_trips=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);
  return { status: res.status, trips };
};

describe('D1 round trips per hot request', () => {
  it('verify, and redeem with and without Idempotency-Key', async () => {
    const api = createClient();
    const scene = await createVoucherScene(api);
    const value = await issueVoucher(api, scene.clinic.key, {
      patient_id: scene.patient.id,
      value: { amount: 10_000, currency: 'EUR' },
      partner_id: scene.partner.id,
    });
    const key = scene.partner.key;
    await metered('POST', '/v1/vouchers/verify', key, { token: value.token }); // refreshes last_used_at
    expect(await metered('POST', '/v1/vouchers/verify', key, { token: value.token })).toEqual({
      status: 200,
      trips: 1,
    });
    const partial = { token: value.token, amount: { amount: 100, currency: 'EUR' } };
    expect(await metered('POST', '/v1/redemptions', key, partial)).toEqual({ status: 201, trips: 1 });
    // With a key: the claim (which also checks the key), the work, storing the answer.
    const idem = { 'idempotency-key': randomToken(12) };
    expect(await metered('POST', '/v1/redemptions', key, partial, idem)).toEqual({ status: 201, trips: 3 });
    // A replay: the claim alone.
    expect(await metered('POST', '/v1/redemptions', key, partial, idem)).toEqual({ status: 201, trips: 1 });
  });

  it('visit, balance, statement and spend', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const clinic = net.clinic.key;
    await metered('GET', '/v1/me', clinic); // refreshes the key's last_used_at, off the measured requests
    const visit = { patient_id: patient.id, amount: { amount: 1000, currency: 'EUR' } };
    expect(await metered('POST', '/v1/visits', clinic, visit)).toEqual({ status: 201, trips: 2 });
    expect(await metered('GET', `/v1/patients/${patient.id}/points`, clinic)).toEqual({
      status: 200,
      trips: 1,
    });
    expect(await metered('GET', `/v1/patients/${patient.id}/points/entries?limit=50`, clinic)).toEqual({
      status: 200,
      trips: 1,
    });
    await metered('GET', '/v1/me', net.partner.key); // refreshes the partner key's last_used_at
    const spend = { card_number: patient.card_number, points: 100 };
    expect(await metered('POST', '/v1/points/redemptions', net.partner.key, spend)).toEqual({
      status: 201,
      trips: 1,
    });
  });
});

describe('D1 round trips per console page', () => {
  it('the patient pages and the gift pages: the session check and one use case', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const offer = await createOffer(api, net.partner.key);
    const gift = await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    // The staff member's client's own clock: the session is as fresh as the scene.
    const page = async (method: 'GET' | 'POST', path: string, fields?: Record<string, string>) => {
      const res = await api.app.request(
        `https://gratia.test${path}`,
        {
          method,
          headers: {
            cookie: desk.cookie,
            'x-debug-d1': '1',
            ...(fields
              ? { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://gratia.test' }
              : {}),
          },
          body: fields
            ? new URLSearchParams({ csrf: desk.csrf, submission: randomToken(18), ...fields }).toString()
            : undefined,
        },
        { ...env, EXPOSE_D1_METRICS: '1' },
      );
      const trips = Number(
        /round_trips=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN,
      );
      return { status: res.status, trips };
    };
    for (const path of [
      `/console/patients?q=mira`,
      `/console/patients/${patient.id}`,
      `/console/patients/${patient.id}/gift?category=massage`,
      `/console/patients/${patient.id}/gift?offer=${offer.id}`,
      `/console/gifts/${gift.id}`,
    ])
      expect({ path, ...(await page('GET', path)) }).toEqual({ path, status: 200, trips: 2 });
    expect(await page('GET', '/console/patients/new')).toEqual({ status: 200, trips: 1 });
    // Forms: the session check, the submission key's claim, the use case (a visit and a gift read
    // then write: two), storing where it led.
    expect(await page('POST', `/console/patients/${patient.id}/visits`, { amount: '10' })).toEqual({
      status: 303,
      trips: 5,
    });
    expect(
      await page('POST', `/console/patients/${patient.id}/gifts`, {
        offer_id: offer.id,
        expires_on: '2026-12-01',
      }),
    ).toEqual({ status: 303, trips: 5 });
    expect(await page('POST', `/console/gifts/${gift.id}/void`, { reason: 'Mistake' })).toEqual({
      status: 303,
      trips: 4,
    });
  });

  it('gift suggestions and reward goals (API), and the gift page with suggestions: one use case each', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const branch = await api.post('/v1/branches', {
      token: net.clinic.key,
      body: { name: 'Downtown', latitude: 52.52, longitude: 13.405 },
    });
    await api.put('/v1/location', { token: net.partner.key, body: { latitude: 52.538, longitude: 13.405 } });
    const offer = await createOffer(api, net.partner.key);
    await issueVoucher(api, net.clinic.key, { patient_id: patient.id, offer_id: offer.id });
    await createOffer(api, net.partner.key, { title: 'Another massage' });
    await env.DB.prepare(
      `insert into patient_insight (patient_id, clinic_id, categories, preferred_branch_id, abc_class, refreshed_at)
       values (?, ?, '["massage"]', ?, 'B', 0)
       on conflict (patient_id) do update set categories = excluded.categories,
         preferred_branch_id = excluded.preferred_branch_id, abc_class = excluded.abc_class`,
    )
      .bind(patient.id, net.clinic.id, branch.body.id)
      .run();
    const key = net.clinic.key;
    await metered('GET', '/v1/branches', key); // refreshes last_used_at
    for (const path of [
      `/v1/patients/${patient.id}/gift_suggestions`,
      `/v1/patients/${patient.id}/reward_goal`,
      '/v1/branches',
    ])
      expect({ path, ...(await metered('GET', path, key)) }).toEqual({ path, status: 200, trips: 2 });
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const res = await api.app.request(
      `https://gratia.test/console/patients/${patient.id}/gift`,
      { headers: { cookie: desk.cookie, 'x-debug-d1': '1' } },
      { ...env, EXPOSE_D1_METRICS: '1' },
    );
    expect(await res.text()).toContain('Suggested for Mira');
    expect(Number(/round_trips=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1])).toBe(2);
  });
});
