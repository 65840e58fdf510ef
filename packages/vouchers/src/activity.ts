import { DAY_MS, err, ok, type Result } from '@gratia/core';
import type { AuthRefusal } from '@gratia/db';
import {
  authorizeCaller,
  type Caller,
  callerLookup,
  type Deps,
  patients,
  pointRedemptions,
  pointReversals,
  redemptions,
  runBatch,
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
  const partnerId = input.caller.resolved
    ? (input.caller.principal.organizationId ?? '')
    : (input.caller.organizationId ?? '');
  const read = await runBatch(db, {
    key: callerLookup(db, input.caller),
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
      .where(and(eq(redemptions.partnerId, partnerId), gt(redemptions.redeemedAt, since)))
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
      .where(and(eq(pointRedemptions.honouredBy, partnerId), gt(pointRedemptions.redeemedAt, since)))
      .orderBy(desc(pointRedemptions.redeemedAt))
      .limit(RECENT_LIMIT),
  });
  const auth = authorizeCaller(deps, input.caller, read.key);
  if (!auth.ok) return auth as Result<never, AuthRefusal>;
  if (auth.value.role !== 'partner') return err({ code: 'forbidden' as const });
  return ok({ partner: auth.value, vouchers: read.vouchers, points: read.points });
}
export type CounterActivity = Extract<Awaited<ReturnType<typeof readCounterActivity>>, { ok: true }>['value'];
