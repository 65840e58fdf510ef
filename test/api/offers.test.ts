import { describe, expect, it } from 'vitest';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createNetwork, createOffer } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

const offer = {
  title: 'Lifestyle photo shoot',
  category: 'photography',
  price: { amount: 12000, currency: 'EUR' },
};

describe('POST /v1/offers', () => {
  it('publishes an offer with price, retail value and terms', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const res = await api.post('/v1/offers', {
      token: net.otherPartner.key,
      body: {
        ...offer,
        description: '10 edited images',
        retail_value: { amount: 18000, currency: 'EUR' },
        terms: 'Weekdays only',
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      partner_id: net.otherPartner.id,
      price: { amount: 12000, currency: 'EUR' },
      retail_value: { amount: 18000, currency: 'EUR' },
      active: true,
    });
  });

  it('refuses a price in another currency, a zero price and unknown fields', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    expectProblem(
      await api.post('/v1/offers', {
        token: net.partner.key,
        body: { ...offer, price: { amount: 100, currency: 'USD' } },
      }),
      422,
      'currency_mismatch',
    );
    expectProblem(
      await api.post('/v1/offers', {
        token: net.partner.key,
        body: { ...offer, price: { amount: 0, currency: 'EUR' } },
      }),
      400,
      'validation_failed',
    );
    expectProblem(
      await api.post('/v1/offers', { token: net.partner.key, body: { ...offer, discount: 5 } }),
      400,
      'validation_failed',
    );
  });

  describeSecurity('POST /v1/offers', {
    method: 'POST',
    roles: ['partner'],
    setup: async () => ({}),
    path: () => '/v1/offers',
    body: () => offer,
  });
});

describe('PATCH /v1/offers/{id}', () => {
  it('lets the owning partner deactivate it; clinics then no longer see it', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const o = await createOffer(api, net.partner.key);
    const res = await api.patch(`/v1/offers/${o.id}`, {
      token: net.partner.key,
      body: { active: false, price: { amount: 7000, currency: 'EUR' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, price: { amount: 7000 } });
    const clinicView = await api.get(`/v1/offers?partner_id=${net.partner.id}`, { token: net.clinic.key });
    expect(clinicView.body.data.map((x: { id: string }) => x.id)).not.toContain(o.id);
    expectProblem(await api.get(`/v1/offers/${o.id}`, { token: net.clinic.key }), 404, 'offer_not_found');
    const partnerView = await api.get(`/v1/offers?partner_id=${net.partner.id}`, { token: net.partner.key });
    expect(partnerView.body.data.map((x: { id: string }) => x.id)).toContain(o.id);
  });

  describeSecurity('PATCH /v1/offers/{id}', {
    method: 'PATCH',
    roles: ['partner'],
    setup: (api, net) => createOffer(api, net.partner.key),
    path: (o) => `/v1/offers/${o.id}`,
    body: () => ({ title: 'Changed' }),
    otherTenant: (net) => net.otherPartner.key,
    otherTenantCode: 'offer_not_found',
  });
});

describe('GET /v1/offers', () => {
  it('filters the catalogue by category, partner and text', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const massage = await createOffer(api, net.partner.key, {
      title: 'Hot stone massage',
      description: 'Basalt stones',
    });
    const photo = await createOffer(api, net.otherPartner.key, { ...offer, title: 'Family portrait' });
    const byCategory = await api.get('/v1/offers?category=photography', { token: net.clinic.key });
    expect(byCategory.body.data.every((o: { category: string }) => o.category === 'photography')).toBe(true);
    expect(byCategory.body.data.map((o: { id: string }) => o.id)).toContain(photo.id);
    const byText = await api.get('/v1/offers?q=basalt', { token: net.clinic.key });
    expect(byText.body.data.map((o: { id: string }) => o.id)).toEqual([massage.id]);
    const byPartner = await api.get(`/v1/offers?partner_id=${net.otherPartner.id}`, {
      token: OPERATOR_TOKEN,
    });
    expect(byPartner.body.data.map((o: { id: string }) => o.id)).toEqual([photo.id]);
    expect((await api.get(`/v1/offers/${photo.id}`, { token: net.partner.key })).status).toBe(200);
  });

  describeSecurity('GET /v1/offers', {
    method: 'GET',
    roles: ['clinic', 'partner', 'operator'],
    setup: async () => ({}),
    path: () => '/v1/offers',
  });
  describeSecurity('GET /v1/offers/{id}', {
    method: 'GET',
    roles: ['clinic', 'partner', 'operator'],
    setup: (api, net) => createOffer(api, net.partner.key),
    path: (o) => `/v1/offers/${o.id}`,
  });
});
