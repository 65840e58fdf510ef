import { DAY_MS, ok } from '@gratia/core';
import {
  type Caller,
  type Deps,
  keyOrganization,
  keyRefOf,
  patients,
  pointRedemptions,
  pointReversals,
  redemptions,
  runAsCaller,
  voucherReversals,
  vouchers,
} from '@gratia/db';
import { and, desc, eq, gt, sql } from 'drizzle-orm';

// What was redeemed at a partner's counter lately (vouchers, and card points by the card's last four
// digits), with the caller's key check, in one D1 round trip: the counter page's home screen.

const RECENT_WINDOW_MS = 7 * DAY_MS;
const RECENT_LIMIT = 20;

export async function readCounterActivity(deps: Deps, input: { caller: Caller }) {
  const { db } = deps;
  const since = deps.clock.now() - RECENT_WINDOW_MS;
  // The presented key's own partner, in SQL, so the key lookup shares the round trip.
  const partnerId = keyOrganization(keyRefOf(input.caller));
  const run = await runAsCaller(deps, input.caller, ['partner'], {
    vouchers: db
      .select({
        id: redemptions.id,
        title: vouchers.title,
        amount: redemptions.amount,
        currency: redemptions.currency,
        redeemedAt: redemptions.redeemedAt,
        reversalId: sql<string | null>`${voucherReversals.id}`.as('reversal_id'),
      })
      .from(redemptions)
      .innerJoin(vouchers, eq(vouchers.id, redemptions.voucherId))
      .leftJoin(voucherReversals, eq(voucherReversals.redemptionId, redemptions.id))
      .where(and(sql`${redemptions.partnerId} = ${partnerId}`, gt(redemptions.redeemedAt, since)))
      .orderBy(desc(redemptions.redeemedAt))
      .limit(RECENT_LIMIT),
    points: db
      .select({
        id: pointRedemptions.id,
        points: pointRedemptions.points,
        valueAmount: pointRedemptions.valueAmount,
        currency: pointRedemptions.currency,
        redeemedAt: pointRedemptions.redeemedAt,
        cardLast4: sql<string>`substr(${patients.cardNumber}, 13, 4)`.as('card_last4'),
        reversalId: sql<string | null>`${pointReversals.id}`.as('point_reversal_id'),
      })
      .from(pointRedemptions)
      .innerJoin(patients, eq(patients.id, pointRedemptions.patientId))
      .leftJoin(pointReversals, eq(pointReversals.redemptionId, pointRedemptions.id))
      .where(and(sql`${pointRedemptions.honouredBy} = ${partnerId}`, gt(pointRedemptions.redeemedAt, since)))
      .orderBy(desc(pointRedemptions.redeemedAt))
      .limit(RECENT_LIMIT),
  });
  if (!run.ok) return run;
  const { principal, results } = run.value;
  return ok({ partner: principal, vouchers: results.vouchers, points: results.points });
}
export type CounterActivity = Extract<Awaited<ReturnType<typeof readCounterActivity>>, { ok: true }>['value'];
