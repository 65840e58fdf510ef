import type { KeyRef, PointRedemption } from '@gratia/db';
import { type SpendRefusal, spendRefusal, spendStatements } from '@gratia/points';
import type { Context } from 'hono';
import type { AppEnv, Principal } from '../env';
import { type KeyRow, keyLookup } from '../middleware/auth';
import { pointMoneyOf } from './points';

// Spending card points at a counter, shared by the JSON API (POST /v1/points/redemptions) and the
// partner counter page: one D1 round trip that also resolves the presenting key, which the caller
// authorises (`authorize(keyRows)`) before the outcome is looked at.

export type SpendOutcome =
  | { ok: true; redemption: PointRedemption; balanceAfter: number; replayed: boolean }
  | { ok: false; code: SpendRefusal; detail: string };

export async function spendAtCounter(
  c: Context<AppEnv>,
  req: { cardNumber: string; points: number; reference: string | null; billAmount: number | null },
  key: KeyRef,
  authorize: (rows: KeyRow[]) => Principal,
): Promise<SpendOutcome> {
  const { db, clock } = c.var;
  const money = pointMoneyOf(c);
  const input = { ...req, key, money, now: clock.now() };
  const { redemptionId, statements } = spendStatements(db, input);
  const [keyRows, , , , , , , outcome, card] = await db.batch([keyLookup(db, key), ...statements]);
  authorize(keyRows);
  const state = card[0];
  const done = outcome.find((r) => r.id === redemptionId);
  if (done) return { ok: true, redemption: done, balanceAfter: state?.live ?? 0, replayed: false };
  const earlier = outcome[0];
  if (earlier && state && earlier.patientId === state.cardPatientId && earlier.points === req.points)
    return { ok: true, redemption: earlier, balanceAfter: state.live, replayed: true };
  const code = spendRefusal(input, state, earlier);
  const detail = {
    card_not_found: `No card ${req.cardNumber} in the network`,
    reference_conflict: `Reference ${req.reference} was already used for another redemption (${earlier?.id})`,
    below_minimum_redemption: `The card's programme takes at least ${state?.minPoints ?? 0} points at a time`,
    exceeds_bill_share: 'The points are worth more than the share of the bill the programme allows',
    insufficient_points: `The card has ${state?.live ?? 0} points to spend`,
  }[code];
  return { ok: false, code, detail };
}
