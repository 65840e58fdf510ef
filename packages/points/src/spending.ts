import { err, ok, type Refusal, type Result, type ReversalRefusal, reversalRefusal } from '@gratia/core';
import {
  type AuthRefusal,
  type Caller,
  type Deps,
  keyRefOf,
  type PointRedemption,
  type PointReversal,
  runAsCaller,
} from '@gratia/db';
import { sql } from 'drizzle-orm';
import { pointReversalStatements } from './reverse';
import { liveBalance, pointMoney } from './rules';
import { type SpendRefusal, spendRefusal, spendStatements } from './spend';

// Spending card points at any clinic or partner of the network, and undoing it: one D1 round trip
// each, the caller settled in the same batch, the guards in the database.

export interface SpendPointsInput {
  caller: Caller;
  cardNumber: string;
  points: number;
  /** The honouring party's own id for the sale: the same reference again answers the first spend. */
  reference?: string | null;
  /** The bill the points pay towards, in the network currency (checked against the bill share). */
  bill?: { amount: number; currency: string } | null;
}

export interface PointsSpent {
  redemption: PointRedemption;
  balanceAfter: number;
  /** The reference was used before for this same spend: this is that spend, nothing was taken now. */
  replayed: boolean;
}

export async function spendPoints(
  deps: Deps,
  input: SpendPointsInput,
): Promise<Result<PointsSpent, AuthRefusal | Refusal<SpendRefusal | 'currency_mismatch'>>> {
  const { db, clock } = deps;
  const money = pointMoney(deps.config);
  if (input.bill && input.bill.currency !== money.currency) {
    const run = await runAsCaller(deps, input.caller, ['clinic', 'partner'], {});
    if (!run.ok) return run;
    return err({
      code: 'currency_mismatch',
      detail: `Points are valued in the network currency, ${money.currency}`,
    });
  }
  const spend = {
    cardNumber: input.cardNumber,
    points: input.points,
    reference: input.reference ?? null,
    billAmount: input.bill?.amount ?? null,
    key: keyRefOf(input.caller),
    money,
    now: clock.now(),
  };
  const { redemptionId, statements } = spendStatements(db, spend);
  const run = await runAsCaller(deps, input.caller, ['clinic', 'partner'], statements);
  if (!run.ok) return run;
  const done = run.value.results;
  const card = done.card[0];
  const mine = done.outcome.find((r) => r.id === redemptionId);
  if (mine) return ok({ redemption: mine, balanceAfter: card?.live ?? 0, replayed: false });
  const earlier = done.outcome[0];
  if (earlier && card && earlier.patientId === card.cardPatientId && earlier.points === input.points)
    return ok({ redemption: earlier, balanceAfter: card.live, replayed: true });
  const code = spendRefusal(spend, card, earlier);
  const detail = {
    card_not_found: `No card ${input.cardNumber} in the network`,
    reference_conflict: `Reference ${input.reference} was already used for another redemption (${earlier?.id})`,
    below_minimum_redemption: `The card's programme takes at least ${card?.minPoints ?? 0} points at a time`,
    exceeds_bill_share: 'The points are worth more than the share of the bill the programme allows',
    insufficient_points: `The card has ${card?.live ?? 0} points to spend`,
  }[code];
  return err({ code, detail });
}

export interface PointsGivenBack {
  redemption: PointRedemption;
  reversal: PointReversal;
  balanceAfter: number;
}

/** Gives the points of the caller's own redemption back to the same lots, within the window, once. */
export async function reversePointSpend(
  deps: Deps,
  input: { caller: Caller; redemptionId: string },
): Promise<Result<PointsGivenBack, AuthRefusal | ReversalRefusal>> {
  const { db, clock } = deps;
  const now = clock.now();
  const reverse = pointReversalStatements(db, {
    redemptionId: input.redemptionId,
    key: keyRefOf(input.caller),
    money: pointMoney(deps.config),
    now,
  });
  const run = await runAsCaller(deps, input.caller, ['clinic', 'partner'], {
    ...reverse.statements,
    live: db
      .select({
        live: sql<number>`${liveBalance(sql`(select r.patient_id from point_redemptions r where r.id = ${input.redemptionId})`, now)}`.as(
          'live',
        ),
      })
      .from(sql`(select 1)`),
  });
  if (!run.ok) return run;
  const done = run.value.results;
  const redemption = done.redemption[0];
  const reversal = done.reversal[0];
  const refusal = reversalRefusal(Boolean(redemption), reversal, reverse.reversalId);
  if (refusal || !redemption || !reversal)
    return err(refusal ?? { code: 'redemption_not_found' as const, detail: 'No such redemption of yours' });
  return ok({ redemption, reversal, balanceAfter: done.live[0]?.live ?? 0 });
}
