import { DAY_MS, fixedClock } from '@gratia/core';
import { knownCaller } from '@gratia/db';
import { describe, expect, it } from 'vitest';
import { T0 } from '../../../test/helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../../../test/helpers/deps';
import { readBalance } from './account';
import { spendPoints } from './spending';
import { recordVisit } from './visit';

// The bonus account's use cases against the local D1, without HTTP: the rules hold at this layer.

async function scene(clock = fixedClock(T0)) {
  const deps = testDeps(clock);
  const clinic = await orgWithCaller(deps, 'clinic');
  const partner = await orgWithCaller(deps, 'partner');
  const patient = await patientOf(deps, clinic);
  return { deps, clock, clinic, partner, patient };
}

describe('spendPoints and recordVisit (use cases)', () => {
  it('earns on a visit, spends oldest first, and refuses more than the card holds', async () => {
    const { deps, clinic, partner, patient } = await scene();
    const visit = await recordVisit(deps, {
      caller: clinic.presented,
      patientId: patient.id,
      amount: { amount: 20_000, currency: 'EUR' },
    });
    expect(visit.ok && visit.value.visit.pointsEarned).toBe(1000);
    const spent = await spendPoints(deps, {
      caller: partner.presented,
      cardNumber: patient.cardNumber,
      points: 400,
    });
    expect(spent.ok && spent.value.balanceAfter).toBe(600);
    const refused = await spendPoints(deps, {
      caller: partner.presented,
      cardNumber: patient.cardNumber,
      points: 601,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'insufficient_points' } });
  });

  it('never spends a lot past its expires_at, whether or not the expiry job ran', async () => {
    const { deps, clock, clinic, partner, patient } = await scene();
    await recordVisit(deps, {
      caller: clinic.presented,
      patientId: patient.id,
      amount: { amount: 10_000, currency: 'EUR' },
    });
    clock.advance(181 * DAY_MS);
    const spend = await spendPoints(deps, {
      caller: partner.presented,
      cardNumber: patient.cardNumber,
      points: 1,
    });
    expect(spend).toMatchObject({ ok: false, error: { code: 'insufficient_points' } });
    const balance = await readBalance(deps, { caller: knownCaller(clinic.principal), patientId: patient.id });
    expect(balance.ok && balance.value).toMatchObject({ balance: 0, pendingExpiry: 500 });
  });

  it('settles the caller before anything else: an unknown key gets unauthorized and nothing is spent', async () => {
    const { deps, clinic, partner, patient } = await scene();
    await recordVisit(deps, {
      caller: clinic.presented,
      patientId: patient.id,
      amount: { amount: 10_000, currency: 'EUR' },
    });
    const stranger = { resolved: false as const, key: { hash: 'f'.repeat(64) }, roles: ['partner' as const] };
    const out = await spendPoints(deps, { caller: stranger, cardNumber: patient.cardNumber, points: 10 });
    expect(out).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrongRole = await recordVisit(deps, {
      caller: { ...partner.presented, roles: ['clinic'] },
      patientId: patient.id,
      amount: { amount: 100, currency: 'EUR' },
    });
    expect(wrongRole).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const balance = await readBalance(deps, { caller: clinic.presented, patientId: patient.id });
    expect(balance.ok && balance.value.balance).toBe(500);
  });

  it("reads only the caller's own clinic's card", async () => {
    const { deps, patient } = await scene();
    const other = await orgWithCaller(deps, 'clinic');
    const out = await readBalance(deps, { caller: other.presented, patientId: patient.id });
    expect(out).toMatchObject({ ok: false, error: { code: 'patient_not_found' } });
  });
});
