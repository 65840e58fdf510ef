import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, HOUR_MS, newId } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import {
  createNetwork,
  createPatient,
  issueVoucher,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { describeSecurity } from '../helpers/security';

// GET /v1/figures: a few counts for the clinic's Today page, each an index range of the clinic's own
// rows counted up to 100 ("100+" past it), days and months in the clinic's timezone (Europe/Berlin).

const figure = (count: number, capped = false) => ({ count, capped });

describe('GET /v1/figures', () => {
  it("counts today's visits and calls, the week's gifts redeemed, and the cards lapsing this month", async () => {
    // 2026-11-20 08:30 in Berlin (UTC+1).
    const clock = fixedClock('2026-11-20T07:30:00Z');
    const api = createClient(clock);
    const net = await createNetwork(api);
    const figures = async (key = net.clinic.key) => {
      const res = await api.get('/v1/figures', { token: key });
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    expect(await figures()).toEqual({
      visits_today: figure(0),
      calls_today: figure(0),
      gifts_redeemed_last_7_days: figure(0),
      cards_expiring_this_month: figure(0),
    });

    // Lots of 5 days lapse this month; lots of 20 days lapse next month.
    await setLoyaltyProgram(api, net.clinic.key, { expiry_days: 5 });
    const soon = await createPatient(api, net.clinic.key);
    const later = await createPatient(api, net.clinic.key);
    // A visit yesterday (Berlin) that lapses this month, and one today.
    await recordVisit(api, net.clinic.key, soon.id, 5_000, { occurred_at: '2026-11-19T20:00:00Z' });
    await recordVisit(api, net.clinic.key, soon.id, 5_000);
    await setLoyaltyProgram(api, net.clinic.key, { expiry_days: 20 });
    await recordVisit(api, net.clinic.key, later.id, 5_000);

    await api.post(`/v1/patients/${soon.id}/call_outcomes`, {
      token: net.clinic.key,
      body: { outcome: 'reached' },
    });

    // Three gifts redeemed: eight days ago (too old), two days ago, and today (then reversed).
    const now = clock.now();
    const giftRedeemedAt = async (at: number) => {
      clock.set(at);
      const v = await issueVoucher(api, net.clinic.key, {
        patient_id: later.id,
        value: { amount: 3000, currency: 'EUR' },
        partner_id: net.partner.id,
      });
      const res = await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    await giftRedeemedAt(now - 8 * DAY_MS);
    await giftRedeemedAt(now - 2 * DAY_MS);
    const reversed = await giftRedeemedAt(now - HOUR_MS);
    clock.set(now);
    expect((await api.post(`/v1/redemptions/${reversed}/reversal`, { token: net.partner.key })).status).toBe(
      200,
    );

    expect(await figures()).toEqual({
      visits_today: figure(2),
      calls_today: figure(1),
      gifts_redeemed_last_7_days: figure(1),
      cards_expiring_this_month: figure(1),
    });
    // Another clinic sees none of it.
    expect(await figures(net.otherClinic.key)).toEqual({
      visits_today: figure(0),
      calls_today: figure(0),
      gifts_redeemed_last_7_days: figure(0),
      cards_expiring_this_month: figure(0),
    });
    // Tomorrow (Berlin: from 23:00 UTC) today's visits and calls are yesterday's.
    clock.set(Date.parse('2026-11-20T23:00:00Z'));
    expect(await figures()).toMatchObject({ visits_today: figure(0), calls_today: figure(0) });
  });

  it('stops counting at 100 and says so', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key);
    const now = api.clock.now();
    const insert = (i: number) =>
      env.DB.prepare(
        `insert into call_outcomes (id, clinic_id, patient_id, outcome, note, key_id, staff_id, at)
         values (?, ?, ?, 'no_answer', null, ?, null, ?)`,
      ).bind(newId('cal', now), net.clinic.id, patient.id, net.clinic.keyId, now + i);
    await env.DB.batch(Array.from({ length: 100 }, (_, i) => insert(i)));
    const at100 = await api.get('/v1/figures', { token: net.clinic.key });
    expect(at100.body.calls_today).toEqual(figure(100));
    await insert(100).run();
    const past = await api.get('/v1/figures', { token: net.clinic.key });
    expect(past.body.calls_today).toEqual(figure(100, true));
  });

  describeSecurity('GET /v1/figures', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => null,
    path: () => '/v1/figures',
  });
});
