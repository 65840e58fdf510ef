import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, HOUR_MS } from '@gratia/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  issueVoucher,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';

// Random activity against the real API and D1: redemptions (whole and partial), points honoured by
// partners, another clinic and the issuer itself, reversals, fee changes, clock advances across month
// boundaries and cron runs that close months. After every run:
// - for every period, what all parties owe (payable) equals what all are owed (receivable), and both
//   equal the operator's totals and the sum of the period's lines;
// - every line has exactly one redemption or reversal behind it, and every redemption or reversal
//   that owes something has exactly one line;
// - a closed period's figures, as every party and the operator read them, never change again.

type Action =
  | { t: 'redeem_offer'; at: number }
  | { t: 'redeem_value'; amount: number }
  | { t: 'spend'; points: number; by: number }
  | { t: 'reverse'; pick: number }
  | { t: 'fee'; bps: number }
  | { t: 'advance'; hours: number }
  | { t: 'cron' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('redeem_offer' as const), at: fc.nat(1) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('redeem_value' as const),
      amount: fc.integer({ min: 1, max: 1500 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('spend' as const),
      points: fc.integer({ min: 1, max: 900 }),
      by: fc.nat(3),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reverse' as const), pick: fc.nat(40) }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('fee' as const), bps: fc.integer({ min: 0, max: 1500 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 24 * 6 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'cron' as const }) },
);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('settlement under random activity (fast-check, real D1)', () => {
  it('balances every period, backs every line by exactly one event, and never changes a closed period', async () => {
    let run = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 20 }), async (actions) => {
        // Each run lives in a year of its own (at most 20 advances of 6 days, then 40 days), so no run
        // ever writes into a month another run closed. Grace 1 day.
        const clock = fixedClock(Date.UTC(2030 + run, 0, 20, 10));
        run++;
        const api = createClient(clock);
        await api.put('/v1/network/settings', {
          token: OPERATOR_TOKEN,
          body: { fee_bps: 0, closing_grace_days: 1 },
        });
        const net = await createNetwork(api);
        const parties = [net.clinic, net.otherClinic, net.partner, net.otherPartner];
        const patient = await createPatient(api, net.clinic.key);
        await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: 1000, expiry_days: 3000 });
        await recordVisit(api, net.clinic.key, patient.id, 2_000_000); // 200,000 points
        const offers = [await createOffer(api, net.partner.key), await createOffer(api, net.partner.key)];
        const redemptions: { id: string; reverseBy: string; kind: 'voucher' | 'points' }[] = [];
        const closedSnapshots = new Map<string, string>();

        const views = (period: string, tokens: string[]) =>
          Promise.all(
            tokens.map(async (token) => (await api.get(`/v1/settlements?period=${period}`, { token })).body),
          );
        // The operator's view after every step; every party's view when first closed and at the end.
        const operatorView = async (period: string) => JSON.stringify(await views(period, [OPERATOR_TOKEN]));
        const everyView = async (period: string) =>
          JSON.stringify(await views(period, [OPERATOR_TOKEN, ...parties.map((p) => p.key)]));
        const closedEvery = new Map<string, string>();

        for (const a of actions) {
          if (a.t === 'redeem_offer') {
            const v = await issueVoucher(api, net.clinic.key, {
              patient_id: patient.id,
              offer_id: offers[a.at]!.id,
            });
            const r = await api.post('/v1/redemptions', { token: net.partner.key, body: { token: v.token } });
            expect(r.status, r.text).toBe(201);
            redemptions.push({ id: r.body.id, reverseBy: net.partner.key, kind: 'voucher' });
          } else if (a.t === 'redeem_value') {
            const v = await issueVoucher(api, net.clinic.key, {
              patient_id: patient.id,
              value: { amount: 1500, currency: 'EUR' },
              category: 'photography',
            });
            const r = await api.post('/v1/redemptions', {
              token: net.otherPartner.key,
              body: { token: v.token, amount: { amount: a.amount, currency: 'EUR' } },
            });
            expect(r.status, r.text).toBe(201);
            redemptions.push({ id: r.body.id, reverseBy: net.otherPartner.key, kind: 'voucher' });
          } else if (a.t === 'spend') {
            // By a partner, the other partner, another clinic, or the issuing clinic itself (owes nothing).
            const by = [net.partner, net.otherPartner, net.otherClinic, net.clinic][a.by]!;
            const r = await api.post('/v1/points/redemptions', {
              token: by.key,
              body: { card_number: patient.card_number, points: a.points },
            });
            expect(r.status, r.text).toBe(201);
            redemptions.push({ id: r.body.id, reverseBy: by.key, kind: 'points' });
          } else if (a.t === 'reverse' && redemptions.length > 0) {
            const r = redemptions[a.pick % redemptions.length]!;
            const path =
              r.kind === 'voucher'
                ? `/v1/redemptions/${r.id}/reversal`
                : `/v1/points/redemptions/${r.id}/reversal`;
            const res = await api.post(path, { token: r.reverseBy });
            expect([200, 409], res.text).toContain(res.status);
          } else if (a.t === 'fee') {
            await api.put('/v1/network/settings', {
              token: OPERATOR_TOKEN,
              body: { fee_bps: a.bps, closing_grace_days: 1 },
            });
          } else if (a.t === 'advance') {
            clock.advance(a.hours * HOUR_MS);
          } else if (a.t === 'cron') {
            await runScheduledJobs(env, clock.now(), 'property-test');
          }
          seen.add(a.t);
          // Closed periods, as everyone reads them, are exactly what they were when first seen closed.
          for (const [period, before] of closedSnapshots)
            expect(await operatorView(period), period).toBe(before);
          if (a.t === 'cron') {
            const periods = (await api.get('/v1/settlements/periods', { token: OPERATOR_TOKEN })).body.data;
            for (const p of periods)
              if (p.state === 'closed' && !closedSnapshots.has(p.period)) {
                closedSnapshots.set(p.period, await operatorView(p.period));
                closedEvery.set(p.period, await everyView(p.period));
              }
          }
        }
        // End every run past its months' grace, so closing is always exercised.
        clock.advance(40 * DAY_MS);
        await runScheduledJobs(env, clock.now(), 'property-test');
        for (const [period, before] of closedEvery) expect(await everyView(period), period).toBe(before);

        const ids = parties.map((p) => p.id);
        const lines = (
          await env.DB.prepare(
            `select * from settlement_lines where payer_id in (?, ?, ?, ?) or payee_id in (?, ?, ?, ?)`,
          )
            .bind(...ids, ...ids)
            .all<Record<string, any>>()
        ).results;
        for (const period of new Set(lines.map((l) => l.period as string))) {
          const ofPeriod = lines.filter((l) => l.period === period);
          const views = await Promise.all(
            parties.map(
              async (p) => (await api.get(`/v1/settlements?period=${period}`, { token: p.key })).body,
            ),
          );
          const payable = sum(
            views.flatMap((v) =>
              v.data.filter((r: any) => r.direction === 'payable').map((r: any) => r.net.amount),
            ),
          );
          const receivable = sum(
            views.flatMap((v) =>
              v.data.filter((r: any) => r.direction === 'receivable').map((r: any) => r.net.amount),
            ),
          );
          expect(payable, period).toBe(receivable);
          expect(payable, period).toBe(sum(ofPeriod.map((l) => l.net)));
          const operator = (
            await api.get(`/v1/settlements?period=${period}`, { token: OPERATOR_TOKEN })
          ).body.data.filter((r: any) => ids.includes(r.payer.id));
          expect(sum(operator.map((r: any) => r.gross.amount)), period).toBe(
            sum(ofPeriod.map((l) => l.gross)),
          );
          expect(sum(operator.map((r: any) => r.fee.amount)), period).toBe(sum(ofPeriod.map((l) => l.fee)));
          for (const l of ofPeriod) expect(l.net).toBe(l.gross - l.fee);
        }
        // Exactly one line per event that owes something, and one event behind each line.
        const owing = (
          await env.DB.prepare(
            `select id from redemptions where clinic_id = ? and payable_amount > 0
             union all select v.id from voucher_reversals v join redemptions r on r.id = v.redemption_id where r.clinic_id = ?
             union all select id from point_redemptions where clinic_id = ? and honoured_by <> clinic_id
             union all select v.id from point_reversals v join point_redemptions r on r.id = v.redemption_id
               where r.clinic_id = ? and r.honoured_by <> r.clinic_id`,
          )
            .bind(net.clinic.id, net.clinic.id, net.clinic.id, net.clinic.id)
            .all<{ id: string }>()
        ).results.map((r) => r.id);
        expect(lines.map((l) => l.source_id).sort()).toEqual([...owing].sort());
      }),
      { numRuns: 10, seed: Number(process.env.FC_SEED ?? 20261201) },
    );
    // Every kind of step was exercised at least once across the runs.
    expect([...seen].sort()).toEqual([
      'advance',
      'cron',
      'fee',
      'redeem_offer',
      'redeem_value',
      'reverse',
      'spend',
    ]);
  }, 240_000);
});
