import type { Db, NetworkConfig } from '@gratia/db';
import { loyaltyPrograms } from '@gratia/db';
import { type SQL, sql } from 'drizzle-orm';
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

/** The live balance of a card at `now`: the sum of its spendable lots. */
export const liveBalance = (patientId: SQL | string, now: number) => sql<number>`(
  select coalesce(sum(l.remaining), 0) from point_lots l
  where l.patient_id = ${patientId} and ${spendableLot('l', now)}
)`;

/**
 * The id of a clinic's programme in force: its latest version (none before the clinic sets rules,
 * when the network default applies). The one definition of "in force"; both readers below use it.
 */
const programInForce = (clinicId: string | SQL) => sql`(
  select lp.id from loyalty_programs lp where lp.clinic_id = ${clinicId} order by lp.version desc limit 1
)`;

/** A clinic's programme in force, as a row. */
export const currentProgram = (db: Db, clinicId: string | SQL) =>
  db
    .select()
    .from(loyaltyPrograms)
    .where(sql`${loyaltyPrograms.id} = ${programInForce(clinicId)}`);

/** One column of the programme in force, as a scalar subquery (null before the clinic sets rules). */
export const currentRule = (column: 'min_redemption_points' | 'max_bill_share_bps', clinicId: SQL) => sql`(
  select ${sql.raw(`r.${column}`)} from loyalty_programs r where r.id = ${programInForce(clinicId)}
)`;

/** What a point is worth, from the network's configuration. */
export const pointMoney = (config: NetworkConfig): PointMoney => ({
  pointValue: config.pointValue,
  currency: config.currency,
});
