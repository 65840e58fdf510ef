import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './index';

// A D1 batch whose results are read by name. D1 runs a batch as one transaction in one round trip;
// the statements run in the order the object lists them (insertion order), and each result comes back
// under its statement's name, so no caller counts positions. A value may also be a list of
// statements (e.g. a ledger's entry pair) whose results come back as a list.

type Item = BatchItem<'sqlite'>;
type Entry = Item | readonly Item[];
type ResultOf<E> = E extends readonly Item[]
  ? { [I in keyof E]: E[I] extends Item ? E[I]['_']['result'] : never }
  : E extends Item
    ? E['_']['result']
    : never;

export type Statements = Record<string, Entry>;
export type BatchResults<T extends Statements> = { [K in keyof T]: ResultOf<T[K]> };

/**
 * A statement to append to every batch of this Db that writes (the idempotency claim's commit marker,
 * see idempotency-store): whatever a request commits, the record of its key says so in the same
 * transaction. Registered per request Db; nothing is appended otherwise.
 */
const commitMarkers = new WeakMap<object, () => Item>();

export function markCommits(db: Db, statement: () => Item): void {
  commitMarkers.set(db, statement);
}

const WRITES = /^\s*(insert|update|delete|replace|with)\b/i;
/** Whether a statement may write: a query builder by its SQL; anything else (raw SQL) is taken to. */
const writes = (item: Item) => {
  const q = item as unknown as { toSQL?: () => { sql: string } };
  return typeof q.toSQL !== 'function' || WRITES.test(q.toSQL().sql);
};

export async function runBatch<T extends Statements>(db: Db, named: T): Promise<BatchResults<T>> {
  const names = Object.keys(named);
  const flat: Item[] = [];
  const spans: [number, number, boolean][] = [];
  for (const name of names) {
    const e = named[name]!;
    const list = Array.isArray(e) ? (e as readonly Item[]) : [e as Item];
    spans.push([flat.length, list.length, Array.isArray(e)]);
    flat.push(...list);
  }
  if (flat.length === 0) return {} as BatchResults<T>;
  const marker = commitMarkers.get(db);
  const marked = marker !== undefined && flat.some(writes);
  const results = await db.batch((marked ? [...flat, marker()] : flat) as unknown as [Item, ...Item[]]);
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const [start, count, isList] = spans[i]!;
    out[name] = isList ? results.slice(start, start + count) : results[start];
  });
  return out as BatchResults<T>;
}

/**
 * A cron job's bounded write, repeated: `statement(limit)` changes at most `limit` rows (a
 * `... in (select ... limit ?)` slice), run until a slice changes fewer or `slices` have run, so no
 * single statement holds the database's one thread for long. Answers the rows changed.
 */
export async function inSlices(
  statement: (limit: number) => { run(): Promise<{ meta: { changes?: number } }> },
  opts: { limit: number; slices: number },
): Promise<number> {
  let changed = 0;
  for (let slice = 0; slice < opts.slices; slice++) {
    const n = (await statement(opts.limit).run()).meta.changes ?? 0;
    changed += n;
    if (n < opts.limit) break;
  }
  return changed;
}
