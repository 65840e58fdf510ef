import { fixedClock } from '@gratia/core';
import { knownCaller } from '@gratia/db';
import { describe, expect, it } from 'vitest';
import { T0 } from '../../../test/helpers/api';
import { orgWithCaller, patientOf, testDeps } from '../../../test/helpers/deps';
import { redeemVoucher, reverseRedemption, verifyVoucher } from './counter';
import { issueVoucher } from './issue';

// The counter's use cases against the local D1, without HTTP.

async function scene() {
  const deps = testDeps(fixedClock(T0));
  const clinic = await orgWithCaller(deps, 'clinic');
  const partner = await orgWithCaller(deps, 'partner');
  const patient = await patientOf(deps, clinic);
  const issued = await issueVoucher(deps, {
    clinic: clinic.principal,
    patientId: patient.id,
    value: { amount: 5000, currency: 'EUR' },
    partnerId: partner.org.id,
  });
  if (!issued.ok) throw new Error(issued.error.code);
  return { deps, clinic, partner, token: issued.value.token!, voucherId: issued.value.voucher.id };
}

describe('verifyVoucher, redeemVoucher, reverseRedemption (use cases)', () => {
  it('verifies, redeems stored value down to zero exactly, and reverses within the window', async () => {
    const { deps, partner, token } = await scene();
    const check = await verifyVoucher(deps, { caller: partner.presented, token });
    expect(check.ok && check.value.valid).toBe(true);
    const part = await redeemVoucher(deps, {
      caller: partner.presented,
      token,
      amount: { amount: 3000, currency: 'EUR' },
    });
    expect(part.ok && part.value.voucher.remainingAmount).toBe(2000);
    const rest = await redeemVoucher(deps, { caller: knownCaller(partner.principal), token });
    expect(rest.ok && rest.value.voucher.status).toBe('redeemed');
    const again = await redeemVoucher(deps, { caller: partner.presented, token });
    expect(again).toMatchObject({ ok: false, error: { code: 'voucher_already_redeemed' } });
    if (!rest.ok) throw new Error('unreachable');
    const back = await reverseRedemption(deps, {
      caller: partner.presented,
      redemptionId: rest.value.redemption.id,
    });
    expect(back.ok).toBe(true);
    const twice = await reverseRedemption(deps, {
      caller: partner.presented,
      redemptionId: rest.value.redemption.id,
    });
    expect(twice).toMatchObject({ ok: false, error: { code: 'redemption_already_reversed' } });
  });

  it('redeems exactly once under 20 concurrent attempts', async () => {
    const { deps, partner, token } = await scene();
    const outs = await Promise.all(
      Array.from({ length: 20 }, () => redeemVoucher(deps, { caller: partner.presented, token })),
    );
    expect(outs.filter((o) => o.ok)).toHaveLength(1);
  });

  it('answers a bad key unauthorized before looking at the token, and logs a forged token', async () => {
    const { deps, token } = await scene();
    const stranger = { resolved: false as const, key: { hash: '0'.repeat(64) }, roles: ['partner' as const] };
    expect(await redeemVoucher(deps, { caller: stranger, token: 'not.a.token' })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
    const { partner } = await scene();
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await redeemVoucher(deps, { caller: partner.presented, token: forged })).toMatchObject({
      ok: false,
      error: { code: 'invalid_voucher' },
    });
    expect(deps.logged.some((e) => e.event === 'voucher_refused')).toBe(true);
  });
});
