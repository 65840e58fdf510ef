import { DAY_MS } from '@gratia/core';
import { loyaltyRewards, pointAccounts, pointEntries, pointLots, runBatch, vouchers } from '@gratia/db';
import { publishOffer } from '@gratia/network';
import {
  lotExpiry,
  pointMoney,
  prefixed,
  type RewardSpec,
  readBalance,
  rewardAfter,
  rewardStatements,
  voucherLifetimeMs,
} from '@gratia/points';
import { voucherKeys } from '@gratia/vouchers';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { T0 } from '../helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../helpers/deps';

// The one way every offer rule gives its reward: written once per reason (UNIQUE), booked in the same
// batch from the row written now, so a repeated or refused reason books nothing.

async function scene() {
  const deps = testDeps();
  const clinic = await orgWithCaller(deps, 'clinic');
  const partner = await orgWithCaller(deps, 'partner');
  const patient = (await patientOf(deps, clinic)).id;
  const offer = await publishOffer(deps, {
    partner: partner.principal,
    offer: { title: 'Taxi home', category: 'massage', price: { amount: 2500, currency: 'EUR' } },
  });
  if (!offer.ok) throw new Error('offer');
  const booking = {
    money: pointMoney(deps.config),
    expiry: lotExpiry(T0, 180, 'Europe/Berlin'),
    kid: (await voucherKeys(deps)).signer.kid,
    voucherLifetimeMs: voucherLifetimeMs(deps.config),
    now: T0,
  };
  const grant = async (spec: RewardSpec, reasonKey: string, guard?: ReturnType<typeof sql>) => {
    const r = rewardStatements(
      deps.db,
      {
        clinicId: clinic.org.id,
        patientId: patient,
        source: 'birthday',
        sourceId: clinic.org.id,
        reasonKey,
        spec,
        title: 'Happy birthday',
        currency: 'EUR',
        ...(guard && { guard }),
      },
      booking,
    );
    const done = await runBatch(deps.db, { ...prefixed('r', r.statements), after: r.after });
    return { id: r.rewardId, after: rewardAfter(done.after) };
  };
  return { deps, clinic, patient, offerId: offer.value.id, grant };
}

describe('rewards', () => {
  it('bonus points: one lot, the account and a balanced bonus pair, once per reason', async () => {
    const s = await scene();
    const first = await s.grant({ kind: 'points', points: 150 }, 'birthday:x:2026');
    expect(first.after).toMatchObject({ id: first.id, kind: 'points', points: 150, status: 'granted' });
    const again = await s.grant({ kind: 'points', points: 150 }, 'birthday:x:2026');
    expect(again.after?.id).toBe(first.id);

    const { db } = s.deps;
    const lots = await db.select().from(pointLots).where(eq(pointLots.patientId, s.patient));
    expect(lots).toMatchObject([{ rewardId: first.id, visitId: null, points: 150, remaining: 150 }]);
    const [account] = await db.select().from(pointAccounts).where(eq(pointAccounts.patientId, s.patient));
    expect(account).toMatchObject({ balance: 150, earned: 150, lifetimeSpend: 0 });
    const entries = await db.select().from(pointEntries).where(eq(pointEntries.txnId, first.id));
    expect(entries.map((e) => [e.txnType, e.account, e.points]).sort()).toEqual([
      ['bonus', 'liability', -150],
      ['bonus', 'patient', 150],
    ]);
    const balance = await readBalance(s.deps, { caller: s.clinic.presented, patientId: s.patient });
    expect(balance.ok && balance.value.balance).toBe(150);
  });

  it('a voucher for an active offer is issued with the reward; an inactive offer gives none', async () => {
    const s = await scene();
    const r = await s.grant({ kind: 'voucher', offerId: s.offerId }, 'v1');
    expect(r.after?.voucherId).toMatch(/^vch_/);
    const [v] = await s.deps.db.select().from(vouchers).where(eq(vouchers.id, r.after!.voucherId!));
    expect(v).toMatchObject({
      patientId: s.patient,
      offerId: s.offerId,
      status: 'issued',
      valueAmount: 2500,
      message: 'Happy birthday',
      expiresAt: Math.floor((T0 + 90 * DAY_MS) / 1000) * 1000,
    });
    await s.deps.db.run(sql`update offers set active = 0 where id = ${s.offerId}`);
    const none = await s.grant({ kind: 'voucher', offerId: s.offerId }, 'v2');
    expect(none.after).toMatchObject({ kind: 'voucher', voucherId: null });
  });

  it('a discount books nothing and waits as available; a guard that yields no row writes nothing', async () => {
    const s = await scene();
    const d = await s.grant({ kind: 'discount_bps', discountBps: 1000 }, 'd1');
    expect(d.after).toMatchObject({ kind: 'discount_bps', discountBps: 1000, status: 'available' });
    const refused = await s.grant({ kind: 'points', points: 10 }, 'g1', sql`where 0`);
    expect(refused.after).toBeNull();
    const rows = await s.deps.db.select().from(loyaltyRewards).where(eq(loyaltyRewards.patientId, s.patient));
    expect(rows).toHaveLength(1);
    const lots = await s.deps.db.select().from(pointLots).where(eq(pointLots.patientId, s.patient));
    expect(lots).toHaveLength(0);
  });
});
