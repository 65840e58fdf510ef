import { describe, expect, it } from 'vitest';
import { closableAt, nextPeriod, periodOf, periodStart } from './period';

describe('settlement periods (months in the network timezone)', () => {
  it('puts an instant in the month it falls in, in the network timezone', () => {
    // 23:30 UTC on 31 January is already 1 February in Berlin.
    expect(periodOf(Date.parse('2027-01-31T23:30:00Z'), 'Europe/Berlin')).toBe('2027-02');
    expect(periodOf(Date.parse('2027-01-31T23:30:00Z'), 'UTC')).toBe('2027-01');
    expect(periodOf(Date.parse('2027-03-01T02:00:00Z'), 'America/Los_Angeles')).toBe('2027-02');
  });
  it('finds where a month starts and when it may close', () => {
    expect(new Date(periodStart('2027-02', 'Europe/Berlin')).toISOString()).toBe('2027-01-31T23:00:00.000Z');
    expect(new Date(periodStart('2027-04', 'Europe/Berlin')).toISOString()).toBe('2027-03-31T22:00:00.000Z');
    expect(new Date(periodStart('2027-01', 'Asia/Kathmandu')).toISOString()).toBe('2026-12-31T18:15:00.000Z');
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(new Date(closableAt('2027-01', 'UTC', 5)).toISOString()).toBe('2027-02-06T00:00:00.000Z');
  });
});
