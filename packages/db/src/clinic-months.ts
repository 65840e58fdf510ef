import { addMonths, monthStart } from '@gratia/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './index';
import { timezoneMonths } from './schema/reports';

// A clinic's months in SQL. SQLite knows no timezones, so the instants each month starts at in a
// clinic's zone are written as rows (timezone_months, 2000 to 2099) and looked up: by the report
// triggers of migrations/0013_reports.sql and by the statements below, with the same expression.

const FIRST_MONTH = '2000-01';
const MONTHS = 100 * 12;
const rowsByZone = new Map<string, string>();

/** The months of a zone as JSON rows [month, starts_at, ends_at] (computed once per zone per isolate). */
function zoneMonthsJson(timeZone: string): string {
  let json = rowsByZone.get(timeZone);
  if (json === undefined) {
    const starts = Array.from({ length: MONTHS + 1 }, (_, i) =>
      monthStart(addMonths(FIRST_MONTH, i), timeZone),
    );
    json = JSON.stringify(
      Array.from({ length: MONTHS }, (_, i) => [addMonths(FIRST_MONTH, i), starts[i], starts[i + 1]]),
    );
    rowsByZone.set(timeZone, json);
  }
  return json;
}

/** Writes the months of `timeZone` unless it has them: put it in the batch that creates a clinic. */
export function timezoneMonthsStatement(db: Db, timeZone: string) {
  return db
    .insert(timezoneMonths)
    .select(
      sql`select ${timeZone}, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]')
        from json_each(${zoneMonthsJson(timeZone)}) j
        where not exists (select 1 from timezone_months t where t.timezone = ${timeZone})`,
    )
    .onConflictDoNothing();
}

/**
 * The month (YYYY-MM) of the instant `at` in the timezone of the clinic `clinicId`, in SQL: the same
 * expression as the report triggers' (an instant outside the written months counts in its UTC month).
 */
export const clinicMonthSql = (clinicId: SQL | string, at: SQL) => sql<string>`coalesce((
    select case when m.ends_at > ${at} then m.month end from clinic_months m
    where m.clinic_id = ${clinicId} and m.starts_at <= ${at} order by m.starts_at desc limit 1),
  strftime('%Y-%m', ${at} / 1000, 'unixepoch'))`;
