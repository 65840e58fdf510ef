import { type Db, loyaltyPrograms } from '@gratia/db';
import type { PointMoney } from '@gratia/points';
import { desc, type SQL, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../env';

/** What a point is worth, from the network's configuration: one minor unit of its currency by default. */
export function pointMoney(env: AppEnv['Bindings']): PointMoney {
  const value = Number(env.POINT_VALUE_MINOR ?? '1');
  return {
    pointValue: Number.isInteger(value) && value > 0 ? value : 1,
    currency: env.NETWORK_CURRENCY || 'EUR',
  };
}

export const pointMoneyOf = (c: Context<AppEnv>) => pointMoney(c.env);

/** The clinic's current programme rules row (none: the network default applies). */
export const currentProgram = (db: Db, clinicId: string | SQL) =>
  db
    .select()
    .from(loyaltyPrograms)
    .where(sql`${loyaltyPrograms.clinicId} = ${clinicId}`)
    .orderBy(desc(loyaltyPrograms.version))
    .limit(1);
