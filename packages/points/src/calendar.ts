import { addDays, localDate, startOfLocalDay } from '@gratia/core';

// Lots expire at the end of their expiry day in the clinic's timezone; the calendar itself (local
// dates and the instant a day starts, DST-safe) is @gratia/core's.

export { addDays, localDate, startOfLocalDay };

/**
 * When points earned at `earnedAt` lapse: they can be spent through the whole day `expiryDays` after
 * the day they were earned (clinic time), and not from the following midnight.
 */
export function lotExpiry(earnedAt: number, expiryDays: number, timeZone: string) {
  const expiresOn = addDays(localDate(earnedAt, timeZone), expiryDays);
  return { expiresOn, expiresAt: startOfLocalDay(addDays(expiresOn, 1), timeZone) };
}
