import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, localDate, lotExpiry, startOfLocalDay } from './calendar';

describe('lot expiry at the end of the day, clinic time', () => {
  it('ends the expiry day at local midnight, across a DST change', () => {
    // Earned 1 March 2027 in Berlin (CET); 30 days later is 31 March, after the switch to CEST.
    expect(lotExpiry(Date.parse('2027-03-01T10:00:00Z'), 30, 'Europe/Berlin')).toEqual({
      expiresOn: '2027-03-31',
      expiresAt: Date.parse('2027-03-31T22:00:00Z'),
    });
    // Late evening UTC is already the next day in Tokyo.
    expect(lotExpiry(Date.parse('2026-11-01T20:00:00Z'), 1, 'Asia/Tokyo').expiresOn).toBe('2026-11-03');
    expect(lotExpiry(Date.parse('2026-11-01T20:00:00Z'), 180, 'Asia/Kolkata')).toEqual({
      expiresOn: '2027-05-01',
      expiresAt: Date.parse('2027-05-01T18:30:00Z'),
    });
  });

  it('starts a day whose midnight does not exist at the first instant that does', () => {
    // Santiago moves its clocks from 00:00 to 01:00 on 6 September 2026.
    const t = startOfLocalDay('2026-09-06', 'America/Santiago');
    expect(localDate(t, 'America/Santiago')).toBe('2026-09-06');
    expect(localDate(t - 1, 'America/Santiago')).toBe('2026-09-05');
  });

  it('finds the first instant of any day in any zone (property)', () => {
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'America/Santiago',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'Asia/Kolkata',
      'UTC',
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 * 365 }), fc.constantFrom(...zones), (offset, zone) => {
        const day = addDays('2020-01-01', offset);
        const t = startOfLocalDay(day, zone);
        expect(localDate(t, zone)).toBe(day);
        expect(localDate(t - 1, zone)).toBe(addDays(day, -1));
      }),
      { numRuns: 300 },
    );
  });
});
