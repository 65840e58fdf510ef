import { fixedClock, MINUTE_MS } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient, issueVoucher, type Network } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';

// GET /v1/redemptions: the issuing clinic's gifts redeemed at partners, newest first, with the
// voucher, the partner, the patient, the amount and whether the partner reversed it. Only the
// clinic's own: another clinic's list never shows them, and partners are not admitted.

async function redeem(api: Client, partnerKey: string, token: string, amount?: number) {
  const res = await api.post('/v1/redemptions', {
    token: partnerKey,
    body: { token, ...(amount === undefined ? {} : { amount: { amount, currency: 'EUR' } }) },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function allPages(api: Client, key: string, limit: number) {
  const seen: any[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
    const res = await api.get(`/v1/redemptions${q}`, { token: key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return seen;
}

/** A clinic's patient with an offer voucher at `net.partner` and a stored-value one at `net.otherPartner`. */
async function gifts(api: Client, net: Network) {
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Greta', last_name: 'Gift' });
  const offer = await createOffer(api, net.partner.key, { title: 'Hot stones, 60 minutes' });
  const offerVoucher = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    offer_id: offer.id,
  });
  const valueVoucher = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    value: { amount: 5000, currency: 'EUR' },
    partner_id: net.otherPartner.id,
  });
  return { patient, offer, offerVoucher, valueVoucher };
}

describe('GET /v1/redemptions', () => {
  it('lists the clinic’s gifts redeemed, newest first, with voucher, partner, patient and amounts', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    const g = await gifts(api, net);
    const first = await redeem(api, net.partner.key, g.offerVoucher.token);
    clock.advance(MINUTE_MS);
    const second = await redeem(api, net.otherPartner.key, g.valueVoucher.token, 1_250);
    const res = await api.get('/v1/redemptions', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data).toEqual([
      {
        id: second.id,
        voucher: {
          id: g.valueVoucher.id,
          title: expect.any(String),
          kind: 'value',
          value: { amount: 5000, currency: 'EUR' },
        },
        partner: { id: net.otherPartner.id, name: net.otherPartner.name },
        patient: { id: g.patient.id, first_name: 'Greta', last_name: 'Gift' },
        amount: { amount: 1_250, currency: 'EUR' },
        payable: { amount: 1_250, currency: 'EUR' },
        redeemed_at: new Date(T0 + MINUTE_MS).toISOString(),
        reversed_at: null,
      },
      {
        id: first.id,
        voucher: {
          id: g.offerVoucher.id,
          title: 'Hot stones, 60 minutes',
          kind: 'offer',
          value: { amount: 6500, currency: 'EUR' },
        },
        partner: { id: net.partner.id, name: net.partner.name },
        patient: { id: g.patient.id, first_name: 'Greta', last_name: 'Gift' },
        amount: { amount: 6500, currency: 'EUR' },
        payable: { amount: 6500, currency: 'EUR' },
        redeemed_at: new Date(T0).toISOString(),
        reversed_at: null,
      },
    ]);
  });

  it('says when the partner reversed a redemption', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    const g = await gifts(api, net);
    const r = await redeem(api, net.partner.key, g.offerVoucher.token);
    clock.advance(5 * MINUTE_MS);
    const reversal = await api.post(`/v1/redemptions/${r.id}/reversal`, { token: net.partner.key });
    expect(reversal.status, reversal.text).toBe(200);
    const [row] = (await api.get('/v1/redemptions', { token: net.clinic.key })).body.data;
    expect(row).toMatchObject({ id: r.id, reversed_at: new Date(T0 + 5 * MINUTE_MS).toISOString() });
  });

  it('pages through every redemption once, in the order they were written within a millisecond', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const written: string[] = [];
    // One stored-value voucher redeemed in five parts, all in the same millisecond.
    const v = await issueVoucher(api, net.clinic.key, {
      patient_id: patient.id,
      value: { amount: 5000, currency: 'EUR' },
      partner_id: net.partner.id,
    });
    for (let i = 0; i < 5; i++) written.push((await redeem(api, net.partner.key, v.token, 1000)).id);
    const seen = await allPages(api, net.clinic.key, 2);
    expect(seen.map((r) => r.id)).toEqual([...written].reverse());
  });

  it('shows another clinic none of them, and refuses a cursor it never gave out', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const g = await gifts(api, net);
    const r = await redeem(api, net.partner.key, g.offerVoucher.token);
    const theirs = await api.get('/v1/redemptions', { token: net.otherClinic.key });
    expect(theirs.status).toBe(200);
    expect(theirs.text).not.toContain(r.id);
    expect(theirs.text).not.toContain('Greta');
    for (const cursor of ['abc', btoa(`${T0}|vch_X`), btoa('soon|red_X')])
      expectProblem(
        await api.get(`/v1/redemptions?cursor=${cursor}`, { token: net.clinic.key }),
        400,
        'invalid_cursor',
      );
  });

  describeSecurity('GET /v1/redemptions', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/redemptions',
  });
});
