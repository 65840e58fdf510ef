// Counts what a request costs the database: round trips (each prepare().run/all/raw/first, each
// batch, each exec is one network hop to D1 in production) and the rows D1 reports reading and
// writing. Used by the benchmarks through the Server-Timing header; the wrapper adds no queries.

export interface D1Meter {
  roundTrips: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

export const newMeter = (): D1Meter => ({ roundTrips: 0, statements: 0, rowsRead: 0, rowsWritten: 0 });

type Meta = { rows_read?: number; rows_written?: number } | undefined;

function record(meter: D1Meter, meta: Meta) {
  meter.statements++;
  meter.rowsRead += meta?.rows_read ?? 0;
  meter.rowsWritten += meta?.rows_written ?? 0;
}

const REAL = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(stmt: D1PreparedStatement, meter: D1Meter, sql: string): D1PreparedStatement {
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(stmt.bind(...values), meter, sql),
    run: async () => {
      meter.roundTrips++;
      const r = await stmt.run();
      record(meter, r.meta);
      return r;
    },
    all: async () => {
      meter.roundTrips++;
      const r = await stmt.all();
      record(meter, r.meta);
      return r;
    },
    first: async (col?: string) => {
      meter.roundTrips++;
      // first() reports no meta; it is counted as a round trip and a statement.
      meter.statements++;
      return col === undefined ? stmt.first() : stmt.first(col);
    },
    // raw() reports no meta. For a SELECT the meter runs the statement a second time with all() just
    // to read its meta (side-effect free; counted as one round trip): all()'s rows cannot stand in
    // for raw()'s, since a join returning two columns of the same name collapses in an object. A
    // write with RETURNING must not run twice; its rows come from all(), which is safe because a
    // single-table RETURNING has unique column names. Metering is for probes, not for load.
    raw: async (options?: { columnNames?: boolean }) => {
      meter.roundTrips++;
      if (/^\s*(select|with)\b/i.test(sql)) {
        // biome-ignore lint/suspicious/noExplicitAny: raw()'s overloads differ only in the header row
        const rows = await stmt.raw(options as any);
        record(meter, (await stmt.all()).meta);
        return rows;
      }
      const r = await stmt.all<Record<string, unknown>>();
      record(meter, r.meta);
      const rows = r.results.map((row) => Object.values(row));
      if (options?.columnNames) return [Object.keys(r.results[0] ?? {}), ...rows];
      return rows;
    },
  };
  REAL.set(wrapped, stmt);
  return wrapped as unknown as D1PreparedStatement;
}

/** A D1Database that counts round trips and rows into `meter`. */
export function meteredD1(d1: D1Database, meter: D1Meter): D1Database {
  const wrapped = {
    prepare: (query: string) => wrapStatement(d1.prepare(query), meter, query),
    batch: async (statements: D1PreparedStatement[]) => {
      meter.roundTrips++;
      const results = await d1.batch(statements.map((s) => REAL.get(s as object) ?? s));
      for (const r of results) record(meter, r.meta);
      return results;
    },
    exec: async (query: string) => {
      meter.roundTrips++;
      return d1.exec(query);
    },
    dump: () => d1.dump(),
    withSession: (constraint?: string) => d1.withSession(constraint),
  };
  return wrapped as unknown as D1Database;
}

export function serverTiming(meter: D1Meter): string {
  return `d1;desc="round_trips=${meter.roundTrips} statements=${meter.statements} rows_read=${meter.rowsRead} rows_written=${meter.rowsWritten}"`;
}
