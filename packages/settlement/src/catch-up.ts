import { type Deps, runBatch } from '@gratia/db';
import { sql } from 'drizzle-orm';
import { lineContext, pointsRedemptionLine, reversalLine, voucherRedemptionLine } from './lines';
import { periodOf } from './period';

// Lines for redemptions and reversals that have none: those recorded before settlement existed, and
// any recorded by an older Worker version during a deploy or a rollback. Run by the cron before months
// are closed; idempotent (a source that has its line is skipped inside the INSERT itself). Each line
// takes the month of its event in the network's timezone (or the first open month, if that one is
// closed) and the fee that was in force at its time.

const PER_KIND = 200;

type Source = { id: string; at: number };

const SOURCES = {
  voucherRedemptions: sql`select r.id, r.redeemed_at as at from redemptions r
    where r.payable_amount > 0 and not exists (select 1 from settlement_lines l where l.source_id = r.id)
    order by r.redeemed_at limit ${PER_KIND}`,
  pointRedemptions: sql`select r.id, r.redeemed_at as at from point_redemptions r
    where r.honoured_by <> r.clinic_id and r.payable_amount > 0
      and not exists (select 1 from settlement_lines l where l.source_id = r.id)
    order by r.redeemed_at limit ${PER_KIND}`,
  voucherReversals: sql`select v.id, v.reversed_at as at from voucher_reversals v
    where exists (select 1 from settlement_lines o where o.source_id = v.redemption_id)
      and not exists (select 1 from settlement_lines l where l.source_id = v.id)
    order by v.reversed_at limit ${PER_KIND}`,
  pointReversals: sql`select v.id, v.reversed_at as at from point_reversals v
    where exists (select 1 from settlement_lines o where o.source_id = v.redemption_id)
      and not exists (select 1 from settlement_lines l where l.source_id = v.id)
    order by v.reversed_at limit ${PER_KIND}`,
};

export async function catchUpSettlementLines(deps: Deps, input: { signerKid: string }) {
  const { db } = deps;
  const written: Record<keyof typeof SOURCES, number> = {
    voucherRedemptions: 0,
    pointRedemptions: 0,
    voucherReversals: 0,
    pointReversals: 0,
  };
  // Redemptions first: a reversal's line mirrors its redemption's.
  for (const kind of Object.keys(SOURCES) as (keyof typeof SOURCES)[]) {
    const rows = await db.all<Source>(SOURCES[kind]);
    if (rows.length === 0) continue;
    const lines = rows.map((row) => {
      const ctx = { ...lineContext(deps, input.signerKid), period: periodOf(row.at, deps.config.timezone) };
      const line =
        kind === 'voucherRedemptions'
          ? voucherRedemptionLine(db, ctx, row.id, { catchUp: true })
          : kind === 'pointRedemptions'
            ? pointsRedemptionLine(db, ctx, row.id, { catchUp: true })
            : reversalLine(
                db,
                ctx,
                { table: kind === 'voucherReversals' ? 'voucher_reversals' : 'point_reversals', id: row.id },
                { catchUp: true },
              );
      return [line.settlementLine, line.settlementTotals] as const;
    });
    await runBatch(db, { lines: lines.flat() });
    written[kind] = rows.length;
  }
  return written;
}
