import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export * as schema from './schema';
export * from './schema';

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
export type Db = ReturnType<typeof createDb>;
export * from './abuse';
export * from './audit';
export * from './batch';
export * from './call-records';
export * from './caller';
export * from './clinic-months';
export * from './deps';
export * from './idempotency-store';
export * from './key-ref';
export * from './metered';
