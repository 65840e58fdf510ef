import { env } from 'cloudflare:workers';
import { fixedClock, HOUR_MS } from '@gratia/core';
import { lotExpiry } from '@gratia/points';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient, setLoyaltyProgram } from '../helpers/factories';

// Random sequences of visits, spends, reversals, clock advances, expiry runs and replays, against the
// real API and the real (local) D1, checked after every step against an independent model of the
// lots and against the ledger's own invariants.

const RATE_BPS = 1000;
const EXPIRY_DAYS = 2;
const TZ = 'Europe/Berlin';

type Action =
  | { t: 'visit'; amount: number; withReference: boolean }
  | { t: 'spend'; points: number; by: number }
  | { t: 'reverse'; pick: number }
  | { t: 'advance'; hours: number }
  | { t: 'expire' }
  | { t: 'replay' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('visit' as const),
      amount: fc.integer({ min: 1, max: 60_000 }),
      withReference: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('spend' as const),
      points: fc.integer({ min: 1, max: 4000 }),
      by: fc.nat(3),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reverse' as const), pick: fc.nat(50) }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 60 }) }),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'expire' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'replay' as const }) },
);

interface ModelLot {
  seq: number;
  points: number;
  remaining: number;
  expiresAt: number;
}
interface ModelRedemption {
  id: string;
  by: number;
  at: number;
  taken: { lot: ModelLot; points: number }[];
  reversed: boolean;
}

async function ledgerInvariants(patientId: string) {
  const one = async <T>(q: string, ...args: unknown[]) =>
    (await env.DB.prepare(q)
      .bind(...args)
      .first()) as T;
  const unbalanced = await one<{ n: number }>(
    `select count(*) as n from (select txn_id from point_entries where patient_id = ? group by txn_id having sum(points) <> 0)`,
    patientId,
  );
  expect(unbalanced.n, 'every transaction sums to zero').toBe(0);
  const negatives = await one<{ lots: number; entries: number }>(
    `select (select count(*) from point_lots where patient_id = ?1 and (remaining < 0 or expired < 0)) as lots,
       (select count(*) from point_entries where patient_id = ?1 and balance_after < 0) as entries`,
    patientId,
  );
  expect(negatives).toEqual({ lots: 0, entries: 0 });
  const sums = await one<{
    accrued: number;
    spent: number;
    expired: number;
    entries: number;
    lots: number;
    balance: number | null;
    last: number | null;
    account_spent: number | null;
    account_earned: number | null;
    account_expired: number | null;
  }>(
    `select
       coalesce((select sum(points) from point_entries where owner_id = ?1 and account = 'patient' and txn_type = 'accrual'), 0) as accrued,
       coalesce((select -sum(points) from point_entries where owner_id = ?1 and account = 'patient' and txn_type in ('redemption', 'reversal')), 0) as spent,
       coalesce((select -sum(points) from point_entries where owner_id = ?1 and account = 'patient' and txn_type = 'expiry'), 0) as expired,
       coalesce((select sum(points) from point_entries where owner_id = ?1 and account = 'patient'), 0) as entries,
       coalesce((select sum(remaining) from point_lots where patient_id = ?1), 0) as lots,
       (select balance from point_accounts where patient_id = ?1) as balance,
       (select balance_after from point_entries where owner_id = ?1 and account = 'patient' order by seq desc limit 1) as last,
       (select spent from point_accounts where patient_id = ?1) as account_spent,
       (select earned from point_accounts where patient_id = ?1) as account_earned,
       (select expired from point_accounts where patient_id = ?1) as account_expired`,
    patientId,
  );
  expect(sums.spent, 'points spent never exceed points earned minus expired').toBeLessThanOrEqual(
    sums.accrued - sums.expired,
  );
  expect(sums.balance ?? 0, 'the summary row agrees with the entries').toBe(sums.entries);
  expect(sums.last ?? 0, 'the last running balance agrees').toBe(sums.entries);
  expect(sums.lots, 'the lots agree with the booked balance').toBe(sums.entries);
  expect(sums.account_spent ?? 0).toBe(sums.spent);
  expect(sums.account_earned ?? 0).toBe(sums.accrued);
  expect(sums.account_expired ?? 0).toBe(sums.expired);
}

async function entryCount() {
  return ((await env.DB.prepare('select count(*) as n from point_entries').first()) as { n: number }).n;
}

describe('the bonus ledger under random sequences (fast-check, real D1)', () => {
  it('keeps every invariant after every step', async () => {
    let runs = 0;
    // What the runs exercised, so the property cannot pass by never reaching the interesting cases.
    const seen = { spends: 0, refusals: 0, reversals: 0, expiryBooked: 0, replays: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
        runs++;
        const clock = fixedClock(T0);
        const api = createClient(clock);
        const net = await createNetwork(api);
        await setLoyaltyProgram(api, net.clinic.key, {
          accrual_rate_bps: RATE_BPS,
          expiry_days: EXPIRY_DAYS,
          min_redemption_points: 0,
        });
        const patient = await createPatient(api, net.clinic.key);
        const honourers = [net.partner, net.otherPartner, net.clinic, net.otherClinic];
        const lots: ModelLot[] = [];
        const redemptions: ModelRedemption[] = [];
        let last: {
          path: string;
          key: string;
          body: unknown;
          idem: string;
          at: number;
          response: any;
        } | null = null;
        let n = 0;

        const live = () => lots.filter((l) => l.expiresAt > clock.now()).reduce((s, l) => s + l.remaining, 0);

        // Every run ends by letting all its lots lapse and running the job, so expiry is always booked.
        const tail: Action[] = [
          { t: 'advance', hours: 24 * (EXPIRY_DAYS + 2) },
          { t: 'expire' },
          { t: 'replay' },
        ];
        for (const a of [...actions, ...tail]) {
          n++;
          if (a.t === 'visit') {
            const idem = `visit-${n}`;
            const body = {
              patient_id: patient.id,
              amount: { amount: a.amount, currency: 'EUR' },
              ...(a.withReference ? { reference: `INV-${n}` } : {}),
            };
            const res = await api.post('/v1/visits', {
              token: net.clinic.key,
              body,
              headers: { 'idempotency-key': idem },
            });
            expect(res.status, res.text).toBe(201);
            const points = Math.floor((a.amount * RATE_BPS) / 10_000);
            expect(res.body.points_earned).toBe(points);
            if (points > 0) {
              const { expiresAt } = lotExpiry(clock.now(), EXPIRY_DAYS, TZ);
              lots.push({ seq: n, points, remaining: points, expiresAt });
            }
            expect(res.body.balance).toBe(live());
            last = {
              path: '/v1/visits',
              key: net.clinic.key,
              body,
              idem,
              at: clock.now(),
              response: res.body,
            };
          } else if (a.t === 'spend') {
            const idem = `spend-${n}`;
            const by = honourers[a.by]!;
            const body = { card_number: patient.card_number, points: a.points };
            const before = live();
            const res = await api.post('/v1/points/redemptions', {
              token: by.key,
              body,
              headers: { 'idempotency-key': idem },
            });
            if (a.points <= before) {
              expect(res.status, res.text).toBe(201);
              // Oldest first: take from the live lots by expiry.
              let need = a.points;
              const taken: ModelRedemption['taken'] = [];
              for (const lot of lots
                .filter((l) => l.expiresAt > clock.now() && l.remaining > 0)
                .sort((x, y) => x.expiresAt - y.expiresAt || x.seq - y.seq)) {
                if (need === 0) break;
                const take = Math.min(lot.remaining, need);
                lot.remaining -= take;
                need -= take;
                taken.push({ lot, points: take });
              }
              redemptions.push({ id: res.body.id, by: a.by, at: clock.now(), taken, reversed: false });
              seen.spends++;
              expect(res.body.balance_after).toBe(live());
              expect(res.body.payable.amount).toBe(by.id === net.clinic.id ? 0 : a.points);
            } else {
              expect(res.status, res.text).toBe(422);
              expect(res.body.code).toBe('insufficient_points');
              seen.refusals++;
            }
            last = {
              path: '/v1/points/redemptions',
              key: by.key,
              body,
              idem,
              at: clock.now(),
              response: res.body,
            };
          } else if (a.t === 'reverse') {
            if (redemptions.length === 0) continue;
            const r = redemptions[a.pick % redemptions.length]!;
            const res = await api.post(`/v1/points/redemptions/${r.id}/reversal`, {
              token: honourers[r.by]!.key,
            });
            if (r.reversed) {
              expect(res.body.code).toBe('redemption_already_reversed');
            } else if (clock.now() - r.at >= 24 * HOUR_MS) {
              expect(res.body.code).toBe('reversal_window_closed');
            } else {
              expect(res.status, res.text).toBe(200);
              r.reversed = true;
              seen.reversals++;
              for (const { lot, points } of r.taken) lot.remaining += points;
              expect(res.body.balance_after).toBe(live());
            }
          } else if (a.t === 'advance') {
            clock.advance(a.hours * HOUR_MS);
          } else if (a.t === 'expire') {
            const jobs = await runScheduledJobs(env, clock.now(), 'property-test');
            seen.expiryBooked += (jobs.book_point_expiry as { lots: number }).lots;
            for (const lot of lots) if (lot.expiresAt <= clock.now()) lot.remaining = 0;
          } else if (a.t === 'replay') {
            // Idempotency keys are kept 24 hours; after that the same key is a new request.
            if (!last || clock.now() - last.at >= 24 * HOUR_MS) continue;
            const entries = await entryCount();
            const res = await api.post(last.path, {
              token: last.key,
              body: last.body,
              headers: { 'idempotency-key': last.idem },
            });
            expect(res.headers.get('idempotent-replayed')).toBe('true');
            expect(res.body).toEqual(last.response);
            expect(await entryCount(), 'replaying an idempotent request changes nothing').toBe(entries);
            seen.replays++;
          }

          // After every step: the API, the model and the ledger agree.
          const balance = await api.get(`/v1/patients/${patient.id}/points`, { token: net.clinic.key });
          expect(balance.body.balance, 'the balance is the sum of unexpired, unspent lots').toBe(live());
          expect(balance.body.lots.reduce((s: number, l: { points: number }) => s + l.points, 0)).toBe(
            live(),
          );
          await ledgerInvariants(patient.id);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
    expect(runs).toBeGreaterThanOrEqual(30);
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  }, 240_000);
});
