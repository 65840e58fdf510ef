import type { Db, NetworkConfig } from '@gratia/db';
import { loyaltyPrograms } from '@gratia/db';
import { desc, type SQL, sql } from 'drizzle-orm';
import type { PointMoney } from './ledger';

// The bonus account's rules, each defined once and used by every query that needs it.

const col = (alias: string, column: string) => sql.raw(`${alias}.${column}`);

/**
 * A lot is spendable while it has points left and `now` is before its `expires_at` (the end of its
 * expiry day, clinic time). Balances, spends, statements, visits and the call list all count lots by
 * this; expiry holds before any job books it. `alias` names the point_lots row in the query.
 */
export const spendableLot = (alias: string, now: number): SQL =>
  sql`${col(alias, 'remaining')} > 0 and ${col(alias, 'expires_at')} > ${now}`;

/** A lot that has lapsed with points left: no longer spendable, its expiry not booked yet. */
export const lapsedLot = (alias: string, now: number): SQL =>
  sql`${col(alias, 'remaining')} > 0 and ${col(alias, 'expires_at')} <= ${now}`;

/**
 * The live balance of a card at `now`: the sum of its spendable lots, read as the account's balance
 * (which always equals the points left in its lots: the reconciliation checks it) less the lots that
 * lapsed and are not booked yet. Reads the account row and the lapsed lots only (the expiry job books
 * them hourly), not every live lot. Its aliases are its own (lb_*): callers may name `a` or `l`.
 */
export const liveBalance = (patientId: SQL | string, now: number) => sql<number>`coalesce((
  select lb_a.balance - coalesce((select sum(lb_l.remaining) from point_lots lb_l
    where lb_l.patient_id = lb_a.patient_id and ${lapsedLot('lb_l', now)}), 0)
  from point_accounts lb_a where lb_a.patient_id = ${patientId}
), 0)`;

/**
 * A clinic's programme in force: its latest version (none before the clinic sets rules, when the
 * network default applies). The one definition of "in force": the row read and the per-column read
 * below both select by it.
 */
const inForce = (clinicId: string | SQL) => ({
  where: sql`${loyaltyPrograms.clinicId} = ${clinicId}`,
  latestFirst: desc(loyaltyPrograms.version),
});

/** A clinic's programme in force, as a row. */
export const currentProgram = (db: Db, clinicId: string | SQL) => {
  const p = inForce(clinicId);
  return db.select().from(loyaltyPrograms).where(p.where).orderBy(p.latestFirst).limit(1);
};

/** One column of the programme in force, as a scalar subquery (null before the clinic sets rules). */
export const currentRule = (db: Db, column: 'minRedemptionPoints' | 'maxBillShareBps', clinicId: SQL) => {
  const p = inForce(clinicId);
  const value = db.select({ value: loyaltyPrograms[column] }).from(loyaltyPrograms);
  return sql`(${value.where(p.where).orderBy(p.latestFirst).limit(1)})`;
};

/** What a point is worth, from the network's configuration. */
export const pointMoney = (config: NetworkConfig): PointMoney => ({
  pointValue: config.pointValue,
  currency: config.currency,
});
