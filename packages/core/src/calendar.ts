import { DAY_MS } from './clock';
import type { Refusal } from './errors';
import { err, ok, type Result } from './result';

// Calendar dates and months in an organisation's own timezone. Dates are handled as YYYY-MM-DD strings
// and months as YYYY-MM, converted to instants with Intl, so DST changes move midnight correctly.

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The offset of `timeZone` from UTC at the instant `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The calendar date of the instant `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant a calendar day starts in `timeZone` (the first instant whose local date is `date`). */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetAt(guess, timeZone);
  // Across a DST change the offset at the result can differ from the offset at the guess.
  const again = guess - offsetAt(t, timeZone);
  if (again !== t && localDate(again, timeZone) === date) t = again;
  // A zone whose midnight does not exist on this date (the clocks jump at 00:00) starts it later.
  while (localDate(t, timeZone) !== date) t += 15 * 60_000;
  return t;
}

/** A calendar month, YYYY-MM. */
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month (YYYY-MM) of the instant `ms` in `timeZone`. */
export const localMonth = (ms: number, timeZone: string): string => localDate(ms, timeZone).slice(0, 7);

/** The month `n` months after `month` (before it for a negative `n`). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** How many months `to` is after `from` (0 for the same month). */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

/**
 * The months a read covers (a report, a chart), from what was asked: `from` and `to` as YYYY-MM, by
 * default the `defaultMonths` up to `current`; refused when malformed, reversed or longer than
 * `maxMonths`, with the field at fault.
 */
export function monthRange(
  input: { from?: string; to?: string },
  current: string,
  limits: { defaultMonths: number; maxMonths: number },
): Result<{ from: string; to: string }, Refusal<'validation_failed'>> {
  const invalid = (path: string, message: string) =>
    err<Refusal<'validation_failed'>>({
      code: 'validation_failed',
      detail: `${path} ${message}`,
      errors: [{ path, message }],
    });
  for (const field of ['from', 'to'] as const) {
    const value = input[field];
    if (value !== undefined && !MONTH_PATTERN.test(value))
      return invalid(field, 'must be a month as YYYY-MM');
  }
  const to = input.to ?? current;
  const from = input.from ?? addMonths(to, 1 - limits.defaultMonths);
  if (from > to) return invalid('from', 'must not be after to');
  if (monthsBetween(from, to) >= limits.maxMonths)
    return invalid('to', `must be within ${limits.maxMonths} months of from`);
  return ok({ from, to });
}

/** The first instant of a month in `timeZone`: the start of its first day, clinic time. */
export const monthStart = (month: string, timeZone: string): number =>
  startOfLocalDay(`${month}-01`, timeZone);
