import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { type Client, createClient } from '../helpers/api';
import { createStoredValueScene } from '../helpers/factories';
import { setFee, verifyReceipt } from '../helpers/settlement';

// Closing months, in a file of its own: its storage (and so its calendar) is not shared with the
// other settlement tests, and each test here uses months of its own.

/** A network and a 50.00 stored-value voucher at its partner. */
async function scene(api: Client) {
  const { net, voucher } = await createStoredValueScene(api);
  return { net, credit: voucher };
}

describe('closing settlement months', () => {
  it('closes a month after its grace days; a later reversal lands in the month it arrives, the closed one never changes', async () => {
    const clock = fixedClock(Date.parse('2027-03-31T20:00:00Z'));
    const api = createClient(clock);
    await setFee(api, 0, 3);
    const { net, credit } = await scene(api);
    const red = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: credit.token, amount: { amount: 1000, currency: 'EUR' } },
    });
    expect(red.status).toBe(201);
    const march = async () =>
      (await api.get('/v1/settlements?period=2027-03', { token: net.clinic.key })).body;
    const before = await march();
    expect(before.data[0].net.amount).toBe(1000);

    // Two days after the month: still open (grace 3 days).
    clock.set(Date.parse('2027-04-02T12:00:00Z'));
    await runScheduledJobs(env, clock.now(), 'test');
    expect((await march()).state).toBe('open');
    // After the grace: closed and stamped.
    clock.set(Date.parse('2027-04-04T00:30:00Z'));
    const ran = await runScheduledJobs(env, clock.now(), 'test');
    expect((ran.close_settlement_periods as { closed: string[] }).closed).toContain('2027-03');
    const closed = await march();
    expect(closed).toMatchObject({ state: 'closed', closed_at: new Date(clock.now()).toISOString() });
    const periods = await api.get('/v1/settlements/periods', { token: net.clinic.key });
    expect(periods.body.data).toContainEqual({
      period: '2027-03',
      state: 'closed',
      closed_at: closed.closed_at,
    });

    // The database refuses to change a closed month, whatever the Worker does.
    await expect(
      env.DB.prepare("update settlement_totals set net = 0 where period = '2027-03'").run(),
    ).rejects.toThrow(/closed period never change/);
    await expect(
      env.DB.prepare("update settlement_lines set net = 0 where period = '2027-03'").run(),
    ).rejects.toThrow(/append-only/);
  });

  it('lands a reversal after the close in the month it arrives, leaving the closed month unchanged', async () => {
    const clock = fixedClock(Date.parse('2027-05-31T21:30:00Z')); // 23:30 in Berlin, still May
    const api = createClient(clock);
    await setFee(api, 100, 0);
    const { net, credit } = await scene(api);
    const red = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: credit.token, amount: { amount: 2000, currency: 'EUR' } },
    });
    expect(red.status).toBe(201);
    clock.set(Date.parse('2027-05-31T22:10:00Z')); // 00:10 in Berlin: June, grace 0: May closes
    await runScheduledJobs(env, clock.now(), 'test');
    const may = await api.get('/v1/settlements?period=2027-05', { token: net.partner.key });
    expect(may.body).toMatchObject({ state: 'closed' });
    expect(may.body.data[0]).toMatchObject({
      gross: { amount: 2000 },
      fee: { amount: 20 },
      net: { amount: 1980 },
    });
    // Reversed within 24 hours, but after May closed: a negative line of June.
    const back = await api.post(`/v1/redemptions/${red.body.id}/reversal`, { token: net.partner.key });
    expect(back.status).toBe(200);
    expect((await verifyReceipt(api, back.body.receipt)).period).toBe('2027-06');
    const again = await api.get('/v1/settlements?period=2027-05', { token: net.partner.key });
    expect(again.body).toEqual(may.body);
    const june = await api.get('/v1/settlements?period=2027-06', { token: net.partner.key });
    expect(june.body.data[0]).toMatchObject({ redemptions: 0, reversals: 1, net: { amount: -1980 } });
  });

  it('catches up a line for a redemption recorded without one, in the network timezone, once; closes empty months too', async () => {
    const clock = fixedClock(Date.parse('2027-08-31T22:30:00Z')); // 00:30 on 1 September in Berlin
    const api = createClient(clock);
    await setFee(api, 300, 2);
    const { net, credit } = await scene(api);
    // An older Worker (during a deploy, or before settlement existed) recorded this, with no line.
    const id = 'red_01OLDWORKER0000000000000000';
    await env.DB.prepare(
      `insert into redemptions (id, voucher_id, clinic_id, partner_id, api_key_id, amount, currency, payable_amount, redeemed_at)
       values (?, ?, ?, ?, null, 1000, 'EUR', 1000, ?)`,
    )
      .bind(id, credit.id, net.clinic.id, net.partner.id, clock.now())
      .run();
    clock.advance(60_000);
    const ran = await runScheduledJobs(env, clock.now(), 'test');
    expect(ran.catch_up_settlement_lines).toMatchObject({ voucherRedemptions: 1 });
    const september = await api.get('/v1/settlements?period=2027-09', { token: net.partner.key });
    expect(september.body.data[0]).toMatchObject({
      redemptions: 1,
      gross: { amount: 1000 },
      fee: { amount: 30 },
      net: { amount: 970 },
    });
    const receipt = await api.get(`/v1/redemptions/${id}/receipt`, { token: net.clinic.key });
    expect((await verifyReceipt(api, receipt.body.receipt)).period).toBe('2027-09');
    // Idempotent: the next run finds nothing to catch up.
    const again = await runScheduledJobs(env, clock.now(), 'test');
    expect(again.catch_up_settlement_lines).toMatchObject({ voucherRedemptions: 0 });
    // Months close whether or not they had figures: September, then the empty October and November.
    clock.set(Date.parse('2027-12-03T12:00:00Z'));
    const closing = await runScheduledJobs(env, clock.now(), 'test');
    expect((closing.close_settlement_periods as { closed: string[] }).closed).toEqual(
      expect.arrayContaining(['2027-09', '2027-10', '2027-11']),
    );
    const october = await api.get('/v1/settlements?period=2027-10', { token: net.partner.key });
    expect(october.body).toMatchObject({ state: 'closed', data: [] });
    // A line can never replace another, even by INSERT OR REPLACE (which skips delete triggers).
    await expect(
      env.DB.prepare(
        `insert or replace into settlement_lines select * from settlement_lines where source_id = ?`,
      )
        .bind(id)
        .run(),
    ).rejects.toThrow(/append-only/);
  });
});
