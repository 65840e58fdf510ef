import { newId } from '@gratia/core';
import { type Db, type Deps, settlementLines, settlementTotals } from '@gratia/db';
import { eq, type SQL, sql } from 'drizzle-orm';
import { periodOf } from './period';

// A settlement line is written by the statements of the batch that records its redemption or
// reversal, keyed on the row that batch wrote: a refused redemption writes no line, a recorded one
// always does (never a later job that could miss one). Each line also adds itself to its period's
// running totals in the same batch, so a statement never sums a month of lines.

export interface LineContext {
  /** The line's id (and its receipt's). */
  lineId: string;
  /** The month, in the network's timezone, the line is written in. */
  period: string;
  /** The key that signs the receipt (the voucher signer at the time of writing). */
  kid: string;
}

/** The network settings in force, as a one-row subquery aliased `s` (version 0, no fee, before any). */
const SETTINGS_IN_FORCE = sql`left join (
  select ns.version, ns.fee_bps from network_settings ns order by ns.version desc limit 1
) s on 1 = 1`;

/** The settings that were in force at an event's time (for lines caught up after the event). */
const settingsAt = (at: SQL) => sql`left join network_settings s on s.version = (
  select max(ns.version) from network_settings ns where ns.created_at <= ${at}
)`;

/** Options of a line written after its event (see catchUpSettlementLines). */
export interface CatchUp {
  /** Skip when the source already has its line; take the fee in force at the event's time. */
  catchUp?: boolean;
}

/** fee and net of a gross amount at the settings in force (fee rounded down: the payee never loses a cent to rounding). */
const feeOf = (gross: SQL) => sql`(${gross} * coalesce(s.fee_bps, 0)) / 10000`;

/**
 * The month a line goes in: its own, or, if that month is already closed (only reachable if the
 * network's timezone changed, or a line caught up late), the month after the last closed one.
 * Bookkeeping never refuses a redemption, and a closed month never changes.
 */
export const openPeriod = (period: string) => sql`case
  when exists (select 1 from settlement_periods sp where sp.period = ${period})
  then strftime('%Y-%m', (select max(sp2.period) from settlement_periods sp2) || '-01', '+1 month')
  else ${period} end`;

function insertLine(db: Db, ctx: LineContext, select: SQL) {
  return db.insert(settlementLines).select(sql`select ${ctx.lineId}, ${openPeriod(ctx.period)}, ${select}`);
}

/** No line yet for this source (a line caught up late never duplicates one written meanwhile). */
const notYet = (source: SQL) =>
  sql`and not exists (select 1 from settlement_lines x where x.source_id = ${source})`;

/** Adds the line just written to its period's totals (nothing when no line was written). */
function addToTotals(db: Db, lineId: string) {
  return db
    .insert(settlementTotals)
    .select(
      sql`select l.period, l.payer_id, l.payee_id, l.currency,
        case when l.entry = 'redemption' then 1 else 0 end, case when l.entry = 'reversal' then 1 else 0 end,
        l.gross, l.fee, l.net, null
      from settlement_lines l where l.id = ${lineId}`,
    )
    .onConflictDoUpdate({
      target: [
        settlementTotals.period,
        settlementTotals.payerId,
        settlementTotals.payeeId,
        settlementTotals.currency,
      ],
      set: {
        redemptions: sql`${settlementTotals.redemptions} + excluded.redemptions`,
        reversals: sql`${settlementTotals.reversals} + excluded.reversals`,
        gross: sql`${settlementTotals.gross} + excluded.gross`,
        fee: sql`${settlementTotals.fee} + excluded.fee`,
        net: sql`${settlementTotals.net} + excluded.net`,
      },
    });
}

/** The line as written, read back by the batch (for its receipt). */
const lineOf = (db: Db, sourceId: string) =>
  db.select().from(settlementLines).where(eq(settlementLines.sourceId, sourceId));

/** A voucher redemption: the partner is owed the redemption's payable amount by the issuing clinic. */
export function voucherRedemptionLine(db: Db, ctx: LineContext, redemptionId: string, opts: CatchUp = {}) {
  return {
    settlementLine: insertLine(
      db,
      ctx,
      sql`'voucher', 'redemption', r.id, r.id, r.clinic_id, r.partner_id, r.voucher_id, null, v.title, null,
        r.currency, r.payable_amount, coalesce(s.fee_bps, 0), ${feeOf(sql`r.payable_amount`)},
        r.payable_amount - ${feeOf(sql`r.payable_amount`)}, coalesce(s.version, 0), ${ctx.kid}, r.redeemed_at
      from redemptions r join vouchers v on v.id = r.voucher_id
        ${opts.catchUp ? settingsAt(sql`r.redeemed_at`) : SETTINGS_IN_FORCE}
      where r.id = ${redemptionId} and r.payable_amount > 0 ${opts.catchUp ? notYet(sql`r.id`) : sql``}`,
    ),
    settlementTotals: addToTotals(db, ctx.lineId),
    lineAfter: lineOf(db, redemptionId),
  };
}

/** Points honoured by anyone but the issuing clinic: the honouring party is owed their value. */
export function pointsRedemptionLine(db: Db, ctx: LineContext, redemptionId: string, opts: CatchUp = {}) {
  return {
    settlementLine: insertLine(
      db,
      ctx,
      sql`'points', 'redemption', r.id, r.id, r.clinic_id, r.honoured_by, null, substr(c.card_number, 13, 4),
        r.points || ' points', r.points, r.currency, r.payable_amount, coalesce(s.fee_bps, 0),
        ${feeOf(sql`r.payable_amount`)}, r.payable_amount - ${feeOf(sql`r.payable_amount`)},
        coalesce(s.version, 0), ${ctx.kid}, r.redeemed_at
      from point_redemptions r join patients c on c.id = r.patient_id
        ${opts.catchUp ? settingsAt(sql`r.redeemed_at`) : SETTINGS_IN_FORCE}
      where r.id = ${redemptionId} and r.honoured_by <> r.clinic_id and r.payable_amount > 0
        ${opts.catchUp ? notYet(sql`r.id`) : sql``}`,
    ),
    settlementTotals: addToTotals(db, ctx.lineId),
    lineAfter: lineOf(db, redemptionId),
  };
}

/**
 * A reversal: the mirror of the redemption's line (same rate, negated), in the month the reversal
 * arrives, whatever month the redemption was in. `reversals` names the reversal table.
 */
export function reversalLine(
  db: Db,
  ctx: LineContext,
  reversal: { table: 'voucher_reversals' | 'point_reversals'; id: string },
  opts: CatchUp = {},
) {
  return {
    settlementLine: insertLine(
      db,
      ctx,
      sql`o.kind, 'reversal', o.redemption_id, v.id, o.payer_id, o.payee_id, o.voucher_id, o.card_last4,
        o.title, o.points, o.currency, -o.gross, o.fee_bps, -o.fee, -o.net, o.settings_version, ${ctx.kid},
        v.reversed_at
      from ${sql.raw(reversal.table)} v join settlement_lines o on o.source_id = v.redemption_id
      where v.id = ${reversal.id} ${opts.catchUp ? notYet(sql`v.id`) : sql``}`,
    ),
    settlementTotals: addToTotals(db, ctx.lineId),
    lineAfter: lineOf(db, reversal.id),
  };
}

/** The context of a line written now: a fresh id, the current period, the signing key's kid. */
export function lineContext(deps: Deps, signerKid: string): LineContext {
  const now = deps.clock.now();
  return { lineId: newId('stl', now), period: periodOf(now, deps.config.timezone), kid: signerKid };
}
