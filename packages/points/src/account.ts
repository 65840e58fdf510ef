import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type AuthRefusal,
  type BatchResults,
  type Caller,
  type Db,
  type Deps,
  keyOrganization,
  keyRefOf,
  type PointEntry,
  type PointLot,
  patients,
  pointAccounts,
  pointEntries,
  pointLots,
  runAsCaller,
} from '@gratia/db';
import { and, asc, desc, eq, getTableColumns, gt, lt, type SQL, sql } from 'drizzle-orm';
import { lapsedLot, liveBalance, spendableLot } from './rules';

// Reading a card's account: the balance with its live lots, and the statement. Each is one D1 round
// trip that settles the caller in the same batch; the patient must be the calling clinic's (matched to
// the presented key inside the query). Rows read grow with the live lots or the page, never the history.

const notFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

/** How many lots a balance shows, first to expire first: a card's rows read stay bounded. */
export const BALANCE_LOTS = 50;

export interface Balance {
  cardNumber: string;
  /** Spendable now: the sum of the spendable lots. */
  balance: number;
  /** Spendable lots, first to expire first: the first BALANCE_LOTS of them. */
  lots: PointLot[];
  /** The card has more spendable lots than `lots` shows (the statement lists them all). */
  moreLots: boolean;
  nextExpiry: { points: number; expiresOn: string; expiresAt: number } | null;
  /** Lapsed points whose expiry the scheduled job has not booked yet. */
  pendingExpiry: number;
  currency: string;
  lifetimeSpend: number;
  discountBps: number;
  earned: number;
  spent: number;
  expired: number;
}

/**
 * The statements reading a card's balance, for a batch: the card and its account, its first spendable
 * lots, the points of the first day they lapse, and lapsed lots not booked yet. `ownClinic` is the
 * calling clinic's id as SQL (the patient must be its own).
 */
export function balanceStatements(db: Db, input: { patientId: string; ownClinic: SQL; now: number }) {
  const { patientId, ownClinic, now } = input;
  return {
    card: db
      .select({
        cardNumber: patients.cardNumber,
        currency:
          sql<string>`coalesce(${pointAccounts.currency}, (select o.currency from organizations o where o.id = ${patients.clinicId}))`.as(
            'account_currency',
          ),
        lifetimeSpend: sql<number>`coalesce(${pointAccounts.lifetimeSpend}, 0)`.as('lifetime_spend'),
        discountBps: sql<number>`coalesce(${pointAccounts.discountBps}, 0)`.as('discount_bps'),
        earned: sql<number>`coalesce(${pointAccounts.earned}, 0)`.as('earned'),
        spent: sql<number>`coalesce(${pointAccounts.spent}, 0)`.as('spent'),
        expired: sql<number>`coalesce(${pointAccounts.expired}, 0)`.as('expired'),
        live: sql<number>`${liveBalance(patientId, now)}`.as('live_points'),
      })
      .from(patients)
      .leftJoin(pointAccounts, eq(pointAccounts.patientId, patients.id))
      .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`)),
    lots: db
      .select()
      .from(pointLots)
      .where(
        and(
          eq(pointLots.patientId, patientId),
          spendableLot('point_lots', now),
          sql`${pointLots.clinicId} = ${ownClinic}`,
        ),
      )
      .orderBy(asc(pointLots.expiresAt), asc(pointLots.id))
      .limit(BALANCE_LOTS + 1),
    firstDay: db
      .select({ points: sql<number>`coalesce(sum(${pointLots.remaining}), 0)`.as('first_day_points') })
      .from(pointLots)
      .where(
        and(
          eq(pointLots.patientId, patientId),
          spendableLot('point_lots', now),
          // A day's lots share their expires_at (the end of that day, clinic time).
          sql`${pointLots.expiresAt} = (select min(f.expires_at) from point_lots f
            where f.patient_id = ${patientId} and ${spendableLot('f', now)})`,
        ),
      ),
    lapsed: db
      .select({ points: sql<number>`coalesce(sum(${pointLots.remaining}), 0)`.as('points') })
      .from(pointLots)
      .where(and(eq(pointLots.patientId, patientId), lapsedLot('point_lots', now))),
  };
}

/** The balance from the results of balanceStatements; null when the card is not the clinic's. */
export function balanceFrom(read: BatchResults<ReturnType<typeof balanceStatements>>): Balance | null {
  const card = read.card[0];
  if (!card) return null;
  const lots = read.lots.slice(0, BALANCE_LOTS);
  const first = lots[0];
  return {
    ...card,
    balance: card.live,
    lots,
    moreLots: read.lots.length > BALANCE_LOTS,
    nextExpiry: first
      ? { points: read.firstDay[0]?.points ?? 0, expiresOn: first.expiresOn, expiresAt: first.expiresAt }
      : null,
    pendingExpiry: read.lapsed[0]?.points ?? 0,
  };
}

export async function readBalance(
  deps: Deps,
  input: { caller: Caller; patientId: string },
): Promise<Result<Balance, AuthRefusal | Refusal<'patient_not_found'>>> {
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const ownClinic = keyOrganization(keyRefOf(input.caller));
  const run = await runAsCaller(
    deps,
    input.caller,
    ['clinic'],
    balanceStatements(deps.db, { patientId, ownClinic, now: deps.clock.now() }),
  );
  if (!run.ok) return run;
  const balance = balanceFrom(run.value.results);
  return balance ? ok(balance) : err(notFound(input.patientId));
}

export interface StatementLine extends PointEntry {
  counterparty: { id: string; name: string } | null;
  programVersion: number | null;
  expiresOn: string | null;
}

export interface Statement {
  lines: StatementLine[];
  /** The seq of the last line when more follow. */
  nextAfter: number | null;
  balance: number;
  pendingExpiry: number;
}

/**
 * A page of the card's entries for a batch: oldest first after `afterSeq`, or newest first before
 * `beforeSeq`; one row more than `limit`, to tell whether more follow. Only the clinic's own card.
 */
export function statementRows(
  db: Db,
  input: { patientId: string; ownClinic: SQL; limit: number } & (
    | { afterSeq: number; beforeSeq?: undefined }
    | { beforeSeq: number | null; afterSeq?: undefined }
  ),
) {
  const { patientId, ownClinic } = input;
  const newestFirst = input.afterSeq === undefined;
  return db
    .select({
      ...getTableColumns(pointEntries),
      // Looked up only for the entries they concern: a page reads its rows and one row per reference.
      programVersion: sql<number | null>`case when ${pointEntries.txnType} = 'accrual' then
          (select v.program_version from visits v where v.id = ${pointEntries.sourceId}) end`.as(
        'program_version',
      ),
      expiresOn: sql<string | null>`case ${pointEntries.txnType}
          when 'accrual' then (select l.expires_on from point_lots l where l.visit_id = ${pointEntries.sourceId})
          when 'bonus' then (select l.expires_on from point_lots l where l.reward_id = ${pointEntries.sourceId}) end`.as(
        'lot_expires_on',
      ),
      counterpartyName: sql<string | null>`case when ${pointEntries.counterpartyId} is not null then
          (select o.name from organizations o where o.id = ${pointEntries.counterpartyId}) end`.as(
        'counterparty_name',
      ),
    })
    .from(pointEntries)
    .where(
      and(
        eq(pointEntries.account, 'patient'),
        eq(pointEntries.ownerId, patientId),
        newestFirst
          ? input.beforeSeq === null
            ? undefined
            : lt(pointEntries.seq, input.beforeSeq)
          : gt(pointEntries.seq, input.afterSeq),
        sql`exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = ${ownClinic})`,
      ),
    )
    .orderBy(newestFirst ? desc(pointEntries.seq) : asc(pointEntries.seq))
    .limit(input.limit + 1);
}

/** A page of statementRows as statement lines, with the seq to continue from when more follow. */
export function statementPage(rows: Awaited<ReturnType<typeof statementRows>>, limit: number) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return {
    lines: kept.map(
      ({ counterpartyName, ...e }): StatementLine => ({
        ...e,
        counterparty: e.counterpartyId ? { id: e.counterpartyId, name: counterpartyName ?? '' } : null,
        programVersion: e.txnType === 'accrual' ? e.programVersion : null,
        expiresOn: e.txnType === 'accrual' || e.txnType === 'bonus' ? e.expiresOn : null,
      }),
    ),
    next: more ? kept[kept.length - 1]!.seq : null,
  };
}

/** The card's entries, oldest first, with the running balance; paged by entry sequence. */
export async function readStatement(
  deps: Deps,
  input: { caller: Caller; patientId: string; afterSeq: number; limit: number },
): Promise<Result<Statement, AuthRefusal | Refusal<'patient_not_found'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const ownClinic = keyOrganization(keyRefOf(input.caller));
  const run = await runAsCaller(deps, input.caller, ['clinic'], {
    owned: db
      .select({ patientId: patients.id })
      .from(patients)
      .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`)),
    rows: statementRows(db, { patientId, ownClinic, afterSeq: input.afterSeq, limit: input.limit }),
    totals: db
      .select({
        live: sql<number>`coalesce(sum(case when ${spendableLot('point_lots', now)} then ${pointLots.remaining} end), 0)`.as(
          'live',
        ),
        lapsed:
          sql<number>`coalesce(sum(case when ${lapsedLot('point_lots', now)} then ${pointLots.remaining} end), 0)`.as(
            'lapsed',
          ),
      })
      .from(pointLots)
      .where(and(eq(pointLots.patientId, patientId), gt(pointLots.remaining, 0))),
  });
  if (!run.ok) return run;
  const read = run.value.results;
  if (!read.owned[0]) return err(notFound(input.patientId));
  const page = statementPage(read.rows, input.limit);
  return ok({
    lines: page.lines,
    nextAfter: page.next,
    balance: read.totals[0]?.live ?? 0,
    pendingExpiry: read.totals[0]?.lapsed ?? 0,
  });
}
