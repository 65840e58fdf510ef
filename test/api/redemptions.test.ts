import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createClient, OPERATOR_TOKEN, T0 } from '../helpers/api';
import {
  createNetwork,
  createPartner,
  createPatient,
  createStoredValueScene,
  createVoucherScene,
  issueVoucher,
} from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import {
  algNone,
  hs256WithPublicKey,
  newSigningKeyJwk,
  resign,
  signedByUnknownKey,
  tamperPayload,
} from '../helpers/tokens';

describe('POST /v1/vouchers/verify', () => {
  it('tells the partner who the voucher is for (first name, last initial), what, until when; no side effects', async () => {
    const api = createClient();
    const { voucher, partner, clinic } = await createVoucherScene(api);
    for (let i = 0; i < 2; i++) {
      const res = await api.post('/v1/vouchers/verify', {
        token: partner.key,
        body: { token: voucher.token },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        valid: true,
        voucher: {
          id: voucher.id,
          title: '60-minute massage',
          kind: 'offer',
          holder: { first_name: 'Clara', last_initial: 'Z' },
          value: { amount: 6500, currency: 'EUR' },
          remaining: null,
          expires_at: new Date(T0 + 90 * 86400_000).toISOString(),
          issuer: { id: clinic.id, name: 'Aesthetics Clinic' },
        },
      });
    }
    const after = await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key });
    expect(after.body.status).toBe('issued');
  });

  it('reports redeemed, voided and expired vouchers as { valid: false, code }', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const a = await createVoucherScene(api);
    await api.post('/v1/redemptions', { token: a.partner.key, body: { token: a.voucher.token } });
    expect(
      (await api.post('/v1/vouchers/verify', { token: a.partner.key, body: { token: a.voucher.token } }))
        .body,
    ).toEqual({
      valid: false,
      code: 'voucher_already_redeemed',
    });
    const b = await createVoucherScene(api);
    await api.post(`/v1/vouchers/${b.voucher.id}/void`, {
      token: b.clinic.key,
      body: { reason: 'duplicate' },
    });
    expect(
      (await api.post('/v1/vouchers/verify', { token: b.partner.key, body: { token: b.voucher.token } })).body
        .code,
    ).toBe('voucher_voided');
    const c = await createVoucherScene(api);
    clock.advance(91 * 86400_000);
    expect(
      (await api.post('/v1/vouchers/verify', { token: c.partner.key, body: { token: c.voucher.token } })).body
        .code,
    ).toBe('voucher_expired');
  });

  describeSecurity('POST /v1/vouchers/verify', {
    method: 'POST',
    roles: ['partner'],
    setup: async (api) => (await createVoucherScene(api)).voucher,
    path: () => '/v1/vouchers/verify',
    body: (v) => ({ token: v.token }),
  });
});

describe('forged and foreign tokens are refused by verify and by redeem', () => {
  const cases: [string, (token: string, ctx: any) => Promise<string> | string, number, string][] = [
    ['a tampered payload', (t) => tamperPayload(t, { aud: 'category:massage' }), 422, 'invalid_voucher'],
    ['alg: none', (t) => algNone(t), 422, 'invalid_voucher'],
    ['an HS256 signature made with the public key', (t) => hs256WithPublicKey(t), 422, 'invalid_voucher'],
    [
      'an HS256 signature made with the public JWK',
      (t) => hs256WithPublicKey(t, 'jwk'),
      422,
      'invalid_voucher',
    ],
    ['an unknown kid', (t) => signedByUnknownKey(t), 422, 'invalid_voucher'],
    ['a wrong typ', (t) => resign(t, {}, { typ: 'JWT' }), 422, 'invalid_voucher'],
    ['another issuer', (t) => resign(t, { iss: 'https://evil.example' }), 422, 'invalid_voucher'],
    ['exp in the past', (t) => resign(t, { exp: Math.floor(T0 / 1000) - 3600 }), 410, 'voucher_expired'],
    ['nbf in the future', (t) => resign(t, { nbf: Math.floor(T0 / 1000) + 3600 }), 422, 'invalid_voucher'],
    ['garbage', () => 'not.a.token', 422, 'invalid_voucher'],
  ];
  for (const [name, forge, status, code] of cases) {
    it(`refuses ${name} (${status} ${code})`, async () => {
      const api = createClient();
      const scene = await createVoucherScene(api);
      const token = await forge(scene.voucher.token, scene);
      const verify = await api.post('/v1/vouchers/verify', { token: scene.partner.key, body: { token } });
      expect(verify.status).toBe(200);
      expect(verify.body).toEqual({ valid: false, code });
      expectProblem(
        await api.post('/v1/redemptions', { token: scene.partner.key, body: { token } }),
        status,
        code,
      );
      // The genuine voucher is untouched.
      expect(
        (await api.get(`/v1/vouchers/${scene.voucher.id}`, { token: scene.clinic.key })).body.status,
      ).toBe('issued');
    });
  }

  it("refuses another partner's voucher (403 voucher_not_for_this_partner), also for category vouchers", async () => {
    const api = createClient();
    const scene = await createVoucherScene(api);
    const verify = await api.post('/v1/vouchers/verify', {
      token: scene.otherPartner.key,
      body: { token: scene.voucher.token },
    });
    expect(verify.body).toEqual({ valid: false, code: 'voucher_not_for_this_partner' });
    expectProblem(
      await api.post('/v1/redemptions', {
        token: scene.otherPartner.key,
        body: { token: scene.voucher.token },
      }),
      403,
      'voucher_not_for_this_partner',
    );
    const spa = await issueVoucher(api, scene.clinic.key, {
      patient_id: scene.patient.id,
      value: { amount: 3000, currency: 'EUR' },
      category: 'massage',
    });
    expectProblem(
      await api.post('/v1/redemptions', { token: scene.otherPartner.key, body: { token: spa.token } }),
      403,
      'voucher_not_for_this_partner',
    );
    const anotherMasseur = await createPartner(api, { category: 'massage' });
    expect(
      (await api.post('/v1/redemptions', { token: anotherMasseur.key, body: { token: spa.token } })).status,
    ).toBe(201);
  });
});

describe('POST /v1/redemptions', () => {
  it('redeems once, records what the clinic owes, and answers 409 the second time', async () => {
    const api = createClient();
    const { voucher, partner, clinic } = await createVoucherScene(api);
    const first = await api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({
      voucher_id: voucher.id,
      partner_id: partner.id,
      amount: { amount: 6500, currency: 'EUR' },
      payable: { amount: 6500, currency: 'EUR' },
      redeemed_at: new Date(T0).toISOString(),
      remaining: null,
    });
    expect(first.body.id).toMatch(/^red_/);
    expectProblem(
      await api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } }),
      409,
      'voucher_already_redeemed',
    );
    expect((await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key })).body.status).toBe('redeemed');
    const owed = await env.DB.prepare(
      'select clinic_id, partner_id, payable_amount from redemptions where voucher_id = ?',
    )
      .bind(voucher.id)
      .all();
    expect(owed.results).toEqual([{ clinic_id: clinic.id, partner_id: partner.id, payable_amount: 6500 }]);
  });

  it('spends stored value down in parts, never below zero', async () => {
    const api = createClient();
    const { net, voucher: v } = await createStoredValueScene(api);
    const part = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: v.token, amount: { amount: 3000, currency: 'EUR' } },
    });
    expect(part.status).toBe(201);
    expect(part.body.remaining).toEqual({ amount: 2000, currency: 'EUR' });
    expectProblem(
      await api.post('/v1/redemptions', {
        token: net.partner.key,
        body: { token: v.token, amount: { amount: 2500, currency: 'EUR' } },
      }),
      422,
      'insufficient_value',
    );
    expectProblem(
      await api.post('/v1/redemptions', {
        token: net.partner.key,
        body: { token: v.token, amount: { amount: 100, currency: 'USD' } },
      }),
      422,
      'currency_mismatch',
    );
    const rest = await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } });
    expect(rest.body).toMatchObject({ amount: { amount: 2000 }, remaining: { amount: 0 } });
    expectProblem(
      await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } }),
      409,
      'voucher_already_redeemed',
    );
  });

  it('redeems an offer voucher for its whole price only', async () => {
    const api = createClient();
    const { voucher, partner } = await createVoucherScene(api);
    expectProblem(
      await api.post('/v1/redemptions', {
        token: partner.key,
        body: { token: voucher.token, amount: { amount: 100, currency: 'EUR' } },
      }),
      422,
      'amount_mismatch',
    );
  });

  it('50 concurrent redemptions of one voucher yield exactly one 201', async () => {
    const api = createClient();
    const { voucher, partner } = await createVoucherScene(api);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const rows = await env.DB.prepare('select count(*) as n from redemptions where voucher_id = ?')
      .bind(voucher.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });

  it('50 concurrent partial redemptions never take more than the stored value', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const v = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 10_000, currency: 'EUR' },
      partner_id: net.partner.id,
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api.post('/v1/redemptions', {
          token: net.partner.key,
          body: { token: v.token, amount: { amount: 700 + (i % 5) * 100, currency: 'EUR' } },
        }),
      ),
    );
    const taken = results.filter((r) => r.status === 201).reduce((sum, r) => sum + r.body.amount.amount, 0);
    expect(taken).toBeLessThanOrEqual(10_000);
    expect(results.every((r) => r.status === 201 || r.status === 422 || r.status === 409)).toBe(true);
    const db = await env.DB.prepare(
      'select remaining_amount as r, (select sum(amount) from redemptions where voucher_id = ?1) as s from vouchers where id = ?1',
    )
      .bind(v.id)
      .first<{ r: number; s: number }>();
    expect(db!.r).toBeGreaterThanOrEqual(0);
    expect(db!.r + db!.s).toBe(10_000);
    expect(db!.s).toBe(taken);
  });

  describeSecurity('POST /v1/redemptions', {
    method: 'POST',
    roles: ['partner'],
    setup: async (api) => (await createVoucherScene(api)).voucher,
    path: () => '/v1/redemptions',
    body: (v) => ({ token: v.token }),
  });
});

describe('POST /v1/redemptions/{id}/reversal', () => {
  it('restores the voucher within 24 h, once; then it can be redeemed again', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const { voucher, partner, clinic } = await createVoucherScene(api);
    const red = (await api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } }))
      .body;
    clock.advance(3600_000);
    const rev = await api.post(`/v1/redemptions/${red.id}/reversal`, { token: partner.key });
    expect(rev.status, rev.text).toBe(200);
    expect(rev.body).toMatchObject({
      redemption_id: red.id,
      voucher_id: voucher.id,
      amount: { amount: 6500, currency: 'EUR' },
    });
    expect((await api.get(`/v1/vouchers/${voucher.id}`, { token: clinic.key })).body.status).toBe('issued');
    expectProblem(
      await api.post(`/v1/redemptions/${red.id}/reversal`, { token: partner.key }),
      409,
      'redemption_already_reversed',
    );
    const again = await api.post('/v1/redemptions', { token: partner.key, body: { token: voucher.token } });
    expect(again.status).toBe(201);
    clock.advance(24 * 3600_000 + 1);
    expectProblem(
      await api.post(`/v1/redemptions/${again.body.id}/reversal`, { token: partner.key }),
      409,
      'reversal_window_closed',
    );
  });

  it('restores exactly the amount of a partial redemption', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const v = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 5000, currency: 'EUR' },
      partner_id: net.partner.id,
    });
    const a = (
      await api.post('/v1/redemptions', {
        token: net.partner.key,
        body: { token: v.token, amount: { amount: 1500, currency: 'EUR' } },
      })
    ).body;
    await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: v.token, amount: { amount: 3500, currency: 'EUR' } },
    });
    expect((await api.get(`/v1/vouchers/${v.id}`, { token: net.clinic.key })).body).toMatchObject({
      status: 'redeemed',
      remaining: { amount: 0 },
    });
    await api.post(`/v1/redemptions/${a.id}/reversal`, { token: net.partner.key });
    expect((await api.get(`/v1/vouchers/${v.id}`, { token: net.clinic.key })).body).toMatchObject({
      status: 'issued',
      remaining: { amount: 1500 },
    });
  });

  describeSecurity('POST /v1/redemptions/{id}/reversal', {
    method: 'POST',
    roles: ['partner'],
    setup: async (api, net) => {
      const patient = await createPatient(api, net.clinic.key);
      const v = await issueVoucher(api, net.clinic.key, {
        patient_id: patient.id,
        value: { amount: 1000, currency: 'EUR' },
        category: 'massage',
      });
      return (await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } })).body;
    },
    path: (r) => `/v1/redemptions/${r.id}/reversal`,
    otherTenant: (net) => net.otherPartner.key,
    otherTenantCode: 'redemption_not_found',
  });
});

describe('signing key rotation', () => {
  it('keeps verifying and redeeming vouchers signed before a rotation, and signs new ones with the new key', async () => {
    const api = createClient();
    const { voucher, partner, patient, offer, clinic } = await createVoucherScene(api);
    const old = JSON.parse(env.VOUCHER_SIGNING_KEYS!)[0];
    const rotated = JSON.stringify([
      await newSigningKeyJwk('test-2'),
      { ...old, status: 'retired', retired_at: new Date(T0).toISOString() },
    ]);
    const after = createClient();
    const call = (method: string, path: string, token: string, body?: unknown) =>
      after.app.request(
        `https://gratia.test${path}`,
        {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body ? JSON.stringify(body) : undefined,
        },
        { ...env, VOUCHER_SIGNING_KEYS: rotated },
      );
    const jwks = (await (await call('GET', '/.well-known/jwks.json', OPERATOR_TOKEN)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(['test-1', 'test-2']);
    const fresh = (await (
      await call('POST', '/v1/vouchers', clinic.key, { patient_id: patient.id, offer_id: offer.id })
    ).json()) as { token: string };
    expect(JSON.parse(atob(fresh.token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe(
      'test-2',
    );
    const verified = (await (
      await call('POST', '/v1/vouchers/verify', partner.key, { token: voucher.token })
    ).json()) as { valid: boolean };
    expect(verified.valid).toBe(true);
    expect((await call('POST', '/v1/redemptions', partner.key, { token: voucher.token })).status).toBe(201);
    expect((await call('POST', '/v1/redemptions', partner.key, { token: fresh.token })).status).toBe(201);
  });

  it('publishes a staged key (active, listed after the signer) before it signs anything', async () => {
    const api = createClient();
    const { patient, offer, clinic } = await createVoucherScene(api);
    const current = JSON.parse(env.VOUCHER_SIGNING_KEYS!)[0];
    const staged = JSON.stringify([current, await newSigningKeyJwk('test-next')]);
    const call = (method: string, path: string, token: string, body?: unknown) =>
      api.app.request(
        `https://gratia.test${path}`,
        {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body ? JSON.stringify(body) : undefined,
        },
        { ...env, VOUCHER_SIGNING_KEYS: staged },
      );
    const jwks = (await (await call('GET', '/.well-known/jwks.json', OPERATOR_TOKEN)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(['test-1', 'test-next']);
    const issued = (await (
      await call('POST', '/v1/vouchers', clinic.key, { patient_id: patient.id, offer_id: offer.id })
    ).json()) as { token: string };
    expect(JSON.parse(atob(issued.token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe(
      'test-1',
    );
  });

  it('drops a retired key from the JWKS once no voucher it signed can still be valid', async () => {
    const old = JSON.parse(env.VOUCHER_SIGNING_KEYS!)[0];
    const retiredLongAgo = JSON.stringify([
      await newSigningKeyJwk('test-3'),
      { ...old, status: 'retired', retired_at: new Date(T0 - 366 * 86400_000).toISOString() },
    ]);
    const api = createClient();
    const res = await api.app.request(
      'https://gratia.test/.well-known/jwks.json',
      {},
      { ...env, VOUCHER_SIGNING_KEYS: retiredLongAgo },
    );
    expect(((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual(['test-3']);
  });
});
