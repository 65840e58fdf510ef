import { DAY_MS } from '@gratia/core';

// Settlement periods are calendar months in the network's timezone, named "YYYY-MM".

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The period (YYYY-MM) an instant falls in, in `timeZone`. */
export function periodOf(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}`;
}

export const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The period after `period`. */
export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The first instant of a period in `timeZone` (DST-safe: found by searching the hour it starts in). */
export function periodStart(period: string, timeZone: string): number {
  const [y, m] = period.split('-').map(Number) as [number, number];
  // Midnight UTC of the 1st, then step back hour by hour while the instant is still in this period.
  let t = Date.UTC(y, m - 1, 1);
  if (periodOf(t, timeZone) === period) {
    while (periodOf(t - 3_600_000, timeZone) === period) t -= 3_600_000;
  } else {
    while (periodOf(t, timeZone) !== period) t += 3_600_000;
  }
  // Refine to the minute (timezones with 30- and 45-minute offsets).
  while (periodOf(t - 60_000, timeZone) === period) t -= 60_000;
  return t;
}

/** When a period may be closed: its end plus the grace days. */
export const closableAt = (period: string, timeZone: string, graceDays: number) =>
  periodStart(nextPeriod(period), timeZone) + graceDays * DAY_MS;
