import { err, ok, type Refusal, type Result, type ReversalRefusal, reversalRefusal } from '@gratia/core';
import {
  type AuthRefusal,
  auditEntry,
  type Caller,
  type Deps,
  keyRefOf,
  noteFailure,
  type PointRedemption,
  type PointReversal,
  runAsCaller,
  type SettlementLine,
  settlementLines,
} from '@gratia/db';
import { lineContext, pointsRedemptionLine, reversalLine, signReceipt } from '@gratia/settlement';
import { receiptKeys, voucherKeys } from '@gratia/vouchers';
import { eq, sql } from 'drizzle-orm';
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
  /** What the issuing clinic owes the honouring party, and its signed receipt (none at the issuer itself). */
  line: SettlementLine | null;
  receipt: string | null;
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
  const keys = await voucherKeys(deps);
  const { redemptionId, statements } = spendStatements(db, spend);
  // Points honoured elsewhere become what the issuing clinic owes, in the same batch.
  const owed = pointsRedemptionLine(db, lineContext(deps, keys.signer.kid), redemptionId);
  // A refused spend, or a reference used before, takes nothing and records nothing.
  const audit = auditEntry(db, {
    actor: spend.key,
    organizationId: null,
    action: 'points.spend',
    subject: { type: 'point_redemption', id: redemptionId },
    patientId: sql`(select r.patient_id from point_redemptions r where r.id = ${redemptionId})`,
    detail: { points: input.points },
    when: sql`exists (select 1 from point_redemptions r where r.id = ${redemptionId})`,
    at: spend.now,
  });
  const run = await runAsCaller(deps, input.caller, ['clinic', 'partner'], {
    ...statements,
    ...owed,
    audit,
  });
  if (!run.ok) return run;
  const done = run.value.results;
  const card = done.card[0];
  const receiptOf = async (line: SettlementLine | undefined) =>
    line
      ? { line, receipt: await signReceipt(await receiptKeys(deps), line, deps.config.baseUrl) }
      : { line: null, receipt: null };
  const mine = done.outcome.find((r) => r.id === redemptionId);
  if (mine)
    return ok({
      redemption: mine,
      balanceAfter: card?.live ?? 0,
      replayed: false,
      ...(await receiptOf(done.lineAfter[0])),
    });
  const earlier = done.outcome[0];
  if (earlier && card && earlier.patientId === card.cardPatientId && earlier.points === input.points) {
    // A replayed reference: the first spend's own line and receipt (one more read, on this path only).
    const [line] = await db.select().from(settlementLines).where(eq(settlementLines.sourceId, earlier.id));
    return ok({ redemption: earlier, balanceAfter: card.live, replayed: true, ...(await receiptOf(line)) });
  }
  const code = spendRefusal(spend, card, earlier);
  if (code === 'card_not_found') await noteFailure(deps, run.value.principal, input.caller, 'card');
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
  line: SettlementLine | null;
  receipt: string | null;
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
  const keys = await voucherKeys(deps);
  const undone = reversalLine(db, lineContext(deps, keys.signer.kid), {
    table: 'point_reversals',
    id: reverse.reversalId,
  });
  const audit = auditEntry(db, {
    actor: keyRefOf(input.caller),
    organizationId: null,
    action: 'points.reverse',
    subject: { type: 'point_redemption', id: input.redemptionId },
    patientId: sql`(select v.patient_id from point_reversals v where v.id = ${reverse.reversalId})`,
    detail: sql`(select json_object('reversal_id', v.id, 'points', v.points)
      from point_reversals v where v.id = ${reverse.reversalId})`,
    when: sql`exists (select 1 from point_reversals v where v.id = ${reverse.reversalId})`,
    at: now,
  });
  const run = await runAsCaller(deps, input.caller, ['clinic', 'partner'], {
    ...reverse.statements,
    ...undone,
    audit,
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
  const line = done.lineAfter[0] ?? null;
  const receipt = line && (await signReceipt(await receiptKeys(deps), line, deps.config.baseUrl));
  return ok({ redemption, reversal, balanceAfter: done.live[0]?.live ?? 0, line, receipt });
}
