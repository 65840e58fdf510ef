import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  createVoucherScene,
  issueVoucher,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { decodePart } from '../helpers/tokens';

describe('POST /v1/vouchers', () => {
  it('issues a catalogue reward as a signed token with the contract header and claims, and no personal data', async () => {
    const api = createClient();
    const { voucher, offer, partner, patient } = await createVoucherScene(api);
    expect(voucher).toMatchObject({
      status: 'issued',
      patient_id: patient.id,
      kind: 'offer',
      message: 'Thank you for your trust!',
    });
    expect(voucher.url).toBe(`https://gratia.test/r/${voucher.token}`);
    const header = decodePart(voucher.token, 0);
    expect(header).toEqual({ alg: 'EdDSA', kid: 'test-1', typ: 'voucher+jwt' });
    const claims = decodePart(voucher.token, 1);
    expect(claims).toEqual({
      iss: 'https://gratia.test',
      sub: voucher.id,
      jti: voucher.id,
      aud: partner.id,
      iat: T0 / 1000,
      nbf: T0 / 1000,
      exp: T0 / 1000 + 90 * 86400,
    });
    expect(JSON.stringify(claims)).not.toMatch(/Clara|Zimmermann|massage|card/i);
    expect((voucher as any).offer).toMatchObject({ id: offer.id, price: { amount: 6500, currency: 'EUR' } });
  });

  it('issues stored value for one partner or for any partner of a category', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const one = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 5000, currency: 'EUR' },
      partner_id: net.partner.id,
    });
    expect(decodePart(one.token, 1).aud).toBe(net.partner.id);
    expect(one.remaining).toEqual({ amount: 5000, currency: 'EUR' });
    const cat = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 2500, currency: 'EUR' },
      category: 'photography',
    });
    expect(decodePart(cat.token, 1).aud).toBe('category:photography');
  });

  it('refuses unknown patients (incl. another clinic’s), unknown or inactive offers, currency and expiry errors', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const foreign = await createPatient(api, net.otherClinic.key);
    const offer = await createOffer(api, net.partner.key);
    const key = net.clinic.key;
    expectProblem(
      await api.post('/v1/vouchers', { token: key, body: { patient_id: foreign.id, offer_id: offer.id } }),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.post('/v1/vouchers', {
        token: key,
        body: { patient_id: patient.id, offer_id: 'off_01ZZZZZZZZZZZZZZZZZZZZZZZZ' },
      }),
      404,
      'offer_not_found',
    );
    await api.patch(`/v1/offers/${offer.id}`, { token: net.partner.key, body: { active: false } });
    expectProblem(
      await api.post('/v1/vouchers', { token: key, body: { patient_id: patient.id, offer_id: offer.id } }),
      422,
      'offer_inactive',
    );
    expectProblem(
      await api.post('/v1/vouchers', {
        token: key,
        body: { patient_id: patient.id, value: { amount: 100, currency: 'USD' }, category: 'massage' },
      }),
      422,
      'currency_mismatch',
    );
    expectProblem(
      await api.post('/v1/vouchers', {
        token: key,
        body: { patient_id: patient.id, value: { amount: 100, currency: 'EUR' }, partner_id: net.clinic.id },
      }),
      404,
      'partner_not_found',
    );
    const far = new Date(T0 + 400 * 86400_000).toISOString();
    expectProblem(
      await api.post('/v1/vouchers', {
        token: key,
        body: {
          patient_id: patient.id,
          value: { amount: 100, currency: 'EUR' },
          category: 'massage',
          expires_at: far,
        },
      }),
      422,
      'invalid_expiry',
    );
    const both = await api.post('/v1/vouchers', {
      token: key,
      body: { patient_id: patient.id, value: { amount: 100, currency: 'EUR' } },
    });
    expectProblem(both, 400, 'validation_failed');
    expectProblem(
      await api.post('/v1/vouchers', { token: key, body: { patient_id: patient.id } }),
      400,
      'validation_failed',
    );
  });

  it('is idempotent with an Idempotency-Key', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const body = { patient_id: patient.id, value: { amount: 1000, currency: 'EUR' }, category: 'massage' };
    const headers = { 'idempotency-key': 'gift-1' };
    const a = await api.post('/v1/vouchers', { token: net.clinic.key, body, headers });
    const b = await api.post('/v1/vouchers', { token: net.clinic.key, body, headers });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.id).toBe(a.body.id);
    const list = await api.get(`/v1/vouchers?patient_id=${patient.id}`, { token: net.clinic.key });
    expect(list.body.data).toHaveLength(1);
  });

  describeSecurity('POST /v1/vouchers', {
    method: 'POST',
    roles: ['clinic'],
    setup: async (api, net) => ({
      patient: await createPatient(api, net.clinic.key),
      offer: await createOffer(api, net.partner.key),
    }),
    path: () => '/v1/vouchers',
    body: (ctx) => ({ patient_id: ctx.patient.id, offer_id: ctx.offer.id }),
  });
});

describe('GET /v1/vouchers and /v1/vouchers/{id}', () => {
  it('lets the issuing clinic read and list its vouchers with the same token, by patient and status', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { voucher, clinic, patient } = await createVoucherScene(api);
    const read = await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key });
    expect(read.status).toBe(200);
    expect(read.body.token).toBe(voucher.token);
    const issued = await api.get(`/v1/vouchers?patient_id=${patient.id}&status=issued`, {
      token: clinic.key,
    });
    expect(issued.body.data.map((v: { id: string }) => v.id)).toEqual([voucher.id]);
    clock.advance(91 * 86400_000);
    const expired = await api.get(`/v1/vouchers?patient_id=${patient.id}&status=expired`, {
      token: clinic.key,
    });
    expect(expired.body.data.map((v: { id: string; status: string }) => [v.id, v.status])).toEqual([
      [voucher.id, 'expired'],
    ]);
    // The hourly job marks it lapsed (out of the index of live vouchers); the lists say the same.
    const run = await runScheduledJobs(env, clock.now(), 'test');
    expect(run.mark_lapsed_vouchers).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare('select lapsed_at, expires_at from vouchers where id = ?')
      .bind(voucher.id)
      .first<{ lapsed_at: number; expires_at: number }>();
    expect(row?.lapsed_at).toBe(row?.expires_at);
    const after = (status: string) =>
      api.get(`/v1/vouchers?patient_id=${patient.id}&status=${status}`, { token: clinic.key });
    expect((await after('issued')).body.data).toEqual([]);
    expect((await after('expired')).body.data.map((v: { id: string }) => v.id)).toEqual([voucher.id]);
    expect((await runScheduledJobs(env, clock.now(), 'test')).mark_lapsed_vouchers).toBe(0);
  });

  describeSecurity('GET /v1/vouchers/{id}', {
    method: 'GET',
    roles: ['clinic'],
    setup: async (api) => (await createVoucherScene(api)).voucher,
    path: (v) => `/v1/vouchers/${v.id}`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'voucher_not_found',
  });
  describeSecurity('GET /v1/vouchers', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/vouchers',
  });
});

describe('POST /v1/vouchers/{id}/void', () => {
  it('voids until redemption, then answers 409', async () => {
    const api = createClient();
    const { voucher, clinic, partner } = await createVoucherScene(api);
    const voided = await api.post(`/v1/vouchers/${voucher.id}/void`, {
      token: clinic.key,
      body: { reason: 'Issued to the wrong patient' },
    });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'voided', void_reason: 'Issued to the wrong patient' });
    expectProblem(
      await api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } }),
      410,
      'voucher_voided',
    );

    const second = await createVoucherScene(api);
    expect(
      (
        await api.post('/v1/redemptions', {
          token: second.partner.key,
          body: { token: second.voucher.token },
        })
      ).status,
    ).toBe(201);
    expectProblem(
      await api.post(`/v1/vouchers/${second.voucher.id}/void`, {
        token: second.clinic.key,
        body: { reason: 'late' },
      }),
      409,
      'voucher_already_redeemed',
    );
  });

  describeSecurity('POST /v1/vouchers/{id}/void', {
    method: 'POST',
    roles: ['clinic'],
    setup: async (api) => (await createVoucherScene(api)).voucher,
    path: (v) => `/v1/vouchers/${v.id}/void`,
    body: () => ({ reason: 'test' }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'voucher_not_found',
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public key (never the private part) with cache headers', async () => {
    const api = createClient();
    const res = await api.get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('max-age=');
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      kid: 'test-1',
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(res.body.keys[0].d).toBeUndefined();
    expect((await api.get('/.well-known/jwks.json', { token: OPERATOR_TOKEN })).status).toBe(200);
  });
});
