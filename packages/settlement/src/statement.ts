import { err, ok, type Refusal, type Result } from '@gratia/core';
import {
  type Caller,
  type Deps,
  organizations,
  type Principal,
  runAsCaller,
  runBatch,
  type SettlementLine,
  settlementLines,
  settlementPeriods,
  settlementTotals,
} from '@gratia/db';
import { and, asc, desc, eq, gt, or, sql } from 'drizzle-orm';
import { alias, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { periodOf } from './period';

// Who owes whom: a party's statement per counterparty and currency, the operator's over every pair,
// the periods with their state, the lines behind the figures. Statements read the running totals
// (one row per pair), never the month's lines.

export interface Party {
  id: string;
  name: string;
  kind: 'clinic' | 'partner';
}

export interface PairTotals {
  payer: Party;
  payee: Party;
  currency: string;
  redemptions: number;
  reversals: number;
  gross: number;
  fee: number;
  net: number;
}

export type PeriodState = { state: 'open'; closedAt: null } | { state: 'closed'; closedAt: number };

const payer = alias(organizations, 'payer');
const payee = alias(organizations, 'payee');

/** Rows of a party (as payer or payee); every row for the operator. */
const partyFilter = (principal: Principal, payerCol: SQLiteColumn, payeeCol: SQLiteColumn) =>
  principal.role === 'operator'
    ? undefined
    : or(sql`${payerCol} = ${principal.organizationId}`, sql`${payeeCol} = ${principal.organizationId}`);

export async function readSettlement(
  deps: Deps,
  input: { principal: Principal; period: string },
): Promise<{ period: string; state: PeriodState; pairs: PairTotals[] }> {
  const { db } = deps;
  const read = await runBatch(db, {
    totals: db
      .select({
        currency: settlementTotals.currency,
        redemptions: settlementTotals.redemptions,
        reversals: settlementTotals.reversals,
        gross: settlementTotals.gross,
        fee: settlementTotals.fee,
        net: settlementTotals.net,
        payerId: sql<string>`${payer.id}`.as('payer_id_'),
        payerName: sql<string>`${payer.name}`.as('payer_name'),
        payerKind: sql<'clinic' | 'partner'>`${payer.kind}`.as('payer_kind'),
        payeeId: sql<string>`${payee.id}`.as('payee_id_'),
        payeeName: sql<string>`${payee.name}`.as('payee_name'),
        payeeKind: sql<'clinic' | 'partner'>`${payee.kind}`.as('payee_kind'),
      })
      .from(settlementTotals)
      .innerJoin(payer, eq(payer.id, settlementTotals.payerId))
      .innerJoin(payee, eq(payee.id, settlementTotals.payeeId))
      .where(
        and(
          eq(settlementTotals.period, input.period),
          partyFilter(input.principal, settlementTotals.payerId, settlementTotals.payeeId),
        ),
      )
      .orderBy(asc(payer.name), asc(payee.name), asc(settlementTotals.currency)),
    closed: db.select().from(settlementPeriods).where(eq(settlementPeriods.period, input.period)),
  });
  const closed = read.closed[0];
  return {
    period: input.period,
    state: closed ? { state: 'closed', closedAt: closed.closedAt } : { state: 'open', closedAt: null },
    pairs: read.totals.map((t) => ({
      payer: { id: t.payerId, name: t.payerName, kind: t.payerKind },
      payee: { id: t.payeeId, name: t.payeeName, kind: t.payeeKind },
      currency: t.currency,
      redemptions: t.redemptions,
      reversals: t.reversals,
      gross: t.gross,
      fee: t.fee,
      net: t.net,
    })),
  };
}

/** The periods a party has figures in (every period for the operator), newest first, with the current one. */
export async function listPeriods(
  deps: Deps,
  input: { principal: Principal },
): Promise<{ period: string; state: PeriodState }[]> {
  const { db } = deps;
  const read = await runBatch(db, {
    periods: db
      .selectDistinct({ period: settlementTotals.period })
      .from(settlementTotals)
      .where(partyFilter(input.principal, settlementTotals.payerId, settlementTotals.payeeId))
      .orderBy(desc(settlementTotals.period))
      .limit(120),
    closed: db.select().from(settlementPeriods).orderBy(desc(settlementPeriods.period)).limit(120),
  });
  const closed = new Map(read.closed.map((p) => [p.period, p.closedAt]));
  const current = periodOf(deps.clock.now(), deps.config.timezone);
  const periods = [...new Set([current, ...read.periods.map((p) => p.period)])].sort().reverse();
  return periods.map((period) => {
    const closedAt = closed.get(period);
    return {
      period,
      state: closedAt === undefined ? { state: 'open', closedAt: null } : { state: 'closed', closedAt },
    };
  });
}

export interface LineWithParties extends SettlementLine {
  payerName: string;
  payeeName: string;
}

/**
 * A page of a period's lines (a party's own, or every line for the operator), in the order written.
 * A party's page is two index seeks in one batch, its lines as payer and as payee, each at most a page
 * long, merged: it reads rows in proportion to the page, never to the network's month.
 */
export async function readLines(
  deps: Deps,
  input: { principal: Principal; period: string; after?: string; limit: number },
): Promise<LineWithParties[]> {
  const { db } = deps;
  const side = (own?: SQLiteColumn) =>
    db
      .select({
        line: settlementLines,
        payerName: sql<string>`${payer.name}`.as('payer_name'),
        payeeName: sql<string>`${payee.name}`.as('payee_name'),
      })
      .from(settlementLines)
      .innerJoin(payer, eq(payer.id, settlementLines.payerId))
      .innerJoin(payee, eq(payee.id, settlementLines.payeeId))
      .where(
        and(
          eq(settlementLines.period, input.period),
          own && input.principal.role !== 'operator'
            ? sql`${own} = ${input.principal.organizationId}`
            : undefined,
          input.after ? gt(settlementLines.id, input.after) : undefined,
        ),
      )
      .orderBy(asc(settlementLines.id))
      .limit(input.limit);
  const rows =
    input.principal.role === 'operator'
      ? await side()
      : await runBatch(db, {
          asPayer: side(settlementLines.payerId),
          asPayee: side(settlementLines.payeeId),
        }).then((r) =>
          [...r.asPayer, ...r.asPayee].sort((a, b) => (a.line.id < b.line.id ? -1 : 1)).slice(0, input.limit),
        );
  return rows.map((r) => ({ ...r.line, payerName: r.payerName, payeeName: r.payeeName }));
}

/** The line of a redemption or a reversal, for its receipt: the payer's, the payee's, the operator's. */
export async function readLineOf(
  deps: Deps,
  input: { principal: Principal; sourceId: string },
): Promise<Result<SettlementLine, Refusal<'redemption_not_found'>>> {
  const [line] = await deps.db
    .select()
    .from(settlementLines)
    .where(
      and(
        eq(settlementLines.sourceId, input.sourceId),
        partyFilter(input.principal, settlementLines.payerId, settlementLines.payeeId),
      ),
    );
  return line
    ? ok(line)
    : err({
        code: 'redemption_not_found',
        detail: `No settled redemption or reversal ${input.sourceId} of yours`,
      });
}

/**
 * A party's statement for a month, as its own people read it: the caller settled first (a counter
 * session's key), then the month's totals, the periods and the first lines.
 */
/** The clinic or partner a caller acts for (a counter session's key, looked up and settled). */
export const settleParty = (deps: Deps, caller: Caller) =>
  runAsCaller(deps, caller, ['clinic', 'partner'], {});

export async function readPartyStatement(
  deps: Deps,
  input: { caller: Caller; period: string | undefined; lines: number },
) {
  const settled = await settleParty(deps, input.caller);
  if (!settled.ok) return settled;
  const principal = settled.value.principal;
  const period = input.period ?? periodOf(deps.clock.now(), deps.config.timezone);
  const [statement, periods, lines] = await Promise.all([
    readSettlement(deps, { principal, period }),
    listPeriods(deps, { principal }),
    readLines(deps, { principal, period, limit: input.lines }),
  ]);
  return ok({ principal, statement, periods, lines });
}
