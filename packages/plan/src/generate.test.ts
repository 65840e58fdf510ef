import { addDays, DAY_MS } from '@gratia/core';
import { PLAN_CHANNELS, PLAN_KINDS, type PlanMixLine } from '@gratia/db';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generatePlanItems,
  HORIZON_DAYS,
  interleave,
  MAX_PER_YEAR,
  MIN_GAP_DAYS,
  nextBirthdayItem,
} from './generate';
import { DEFAULT_MIXES } from './templates';

const days = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY_MS);
const gaps = (dates: string[]) => {
  const sorted = [...dates].sort();
  return sorted.slice(1).map((d, i) => days(sorted[i]!, d));
};
const base = { today: '2026-11-01', birthDate: null, birthdayDaysBefore: 7, patientId: 'pat_X' };

describe('generatePlanItems', () => {
  it('plans a class A patient nine dated items, 14 days or more apart, within 12 months', () => {
    const plan = generatePlanItems({ ...base, mix: DEFAULT_MIXES.A, birthDate: '1980-03-15' });
    expect(plan.items).toHaveLength(9);
    expect(plan.horizonOn).toBe('2027-10-31');
    for (const i of plan.items) {
      expect(i.dueOn >= '2026-11-01' && i.dueOn <= plan.horizonOn).toBe(true);
    }
    expect(Math.min(...gaps(plan.items.map((i) => i.dueOn)))).toBeGreaterThanOrEqual(MIN_GAP_DAYS);
    // The birthday item a week before the birthday.
    expect(plan.items.find((i) => i.kind === 'birthday')?.dueOn).toBe('2027-03-08');
  });

  it('leaves the birthday out without a birth date, and the year has one item fewer', () => {
    const plan = generatePlanItems({ ...base, mix: DEFAULT_MIXES.B });
    expect(plan.items.some((i) => i.kind === 'birthday')).toBe(false);
    expect(plan.items).toHaveLength(6);
  });

  it('interleaves channels: the calls are not all first', () => {
    const order = interleave(DEFAULT_MIXES.A).map((l) => l.channel);
    for (let i = 1; i < order.length; i++) expect(order[i]).not.toBe(order[i - 1]);
  });

  it('puts the same items on the same days when regenerated a month later, and one more at the end', () => {
    const now = generatePlanItems({ ...base, mix: DEFAULT_MIXES.B, birthDate: '1990-07-02' });
    const later = generatePlanItems({
      ...base,
      today: '2026-12-01',
      mix: DEFAULT_MIXES.B,
      birthDate: '1990-07-02',
    });
    const still = now.items.filter((i) => i.dueOn >= '2026-12-01').map((i) => `${i.dueOn} ${i.kind}`);
    expect(later.items.map((i) => `${i.dueOn} ${i.kind}`).slice(0, still.length)).toEqual(still);
  });

  it('spreads different patients over different days', () => {
    const firsts = new Set(
      ['pat_A', 'pat_B', 'pat_C', 'pat_D', 'pat_E'].map(
        (patientId) => generatePlanItems({ ...base, patientId, mix: DEFAULT_MIXES.C }).items[0]!.dueOn,
      ),
    );
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('does not plan again what was done recently: a birthday done this year', () => {
    const input = { ...base, mix: DEFAULT_MIXES.A, birthDate: '1980-12-20' };
    expect(generatePlanItems(input).items.find((i) => i.kind === 'birthday')?.dueOn).toBe('2026-12-13');
    const done = generatePlanItems({ ...input, done: [{ kind: 'birthday', dueOn: '2026-10-30' }] });
    expect(done.items.some((i) => i.kind === 'birthday')).toBe(false);
    expect(done.credited).toBe(1);
    // Last year's birthday is not this year's.
    const lastYear = generatePlanItems({ ...input, done: [{ kind: 'birthday', dueOn: '2025-12-13' }] });
    expect(lastYear.items.some((i) => i.kind === 'birthday')).toBe(true);
  });

  it('does not count an item done on its own slot toward the next one of its kind', () => {
    const first = generatePlanItems({ ...base, mix: DEFAULT_MIXES.A, birthDate: '1980-03-15' });
    const ip = first.items.filter((i) => i.kind === 'event_invitation')[0]!;
    const later = generatePlanItems({
      ...base,
      today: addDays(ip.dueOn, 1),
      mix: DEFAULT_MIXES.A,
      birthDate: '1980-03-15',
      done: [{ kind: ip.kind, dueOn: ip.dueOn }],
    });
    expect(later.credited).toBe(0);
    expect(later.items).toHaveLength(9);
  });

  it('takes the birthday of 29 February on 28 February in other years', () => {
    expect(nextBirthdayItem('1992-02-29', '2027-01-01', 0)).toBe('2027-02-28');
    expect(nextBirthdayItem('1992-02-29', '2027-03-01', 7)).toBe('2028-02-22');
  });
});

const mixArb = fc
  .array(
    fc.record({
      kind: fc.constantFrom(...PLAN_KINDS.filter((k) => k !== 'detractor_follow_up')),
      channel: fc.constantFrom(...PLAN_CHANNELS),
      count: fc.integer({ min: 1, max: 6 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((lines) => {
    // A template's birthday line counts once; the total is capped like a template's.
    const seen = new Set<string>();
    const out: PlanMixLine[] = [];
    let total = 0;
    for (const l of lines) {
      const count = l.kind === 'birthday' ? 1 : l.count;
      if ((l.kind === 'birthday' && seen.has('birthday')) || total + count > MAX_PER_YEAR) continue;
      seen.add(l.kind);
      total += count;
      out.push({ ...l, count });
    }
    return out;
  });
const dateArb = fc
  .integer({ min: Date.UTC(2020, 0, 1) / DAY_MS, max: Date.UTC(2035, 11, 31) / DAY_MS })
  .map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10));

describe('generatePlanItems: properties', () => {
  it('for any template and start: every item within the horizon, the template’s count, 14 days apart', () => {
    fc.assert(
      fc.property(
        mixArb,
        dateArb,
        fc.option(dateArb, { nil: null }),
        fc.integer({ min: 0, max: 30 }),
        fc.string({ minLength: 1, maxLength: 30 }),
        (mix, today, birthDate, before, patientId) => {
          const plan = generatePlanItems({ mix, today, birthDate, birthdayDaysBefore: before, patientId });
          const expected =
            mix.reduce((n, l) => n + l.count, 0) -
            (birthDate === null && mix.some((l) => l.kind === 'birthday') ? 1 : 0);
          expect(plan.items).toHaveLength(expected);
          expect(plan.horizonOn).toBe(addDays(today, HORIZON_DAYS - 1));
          for (const i of plan.items) expect(i.dueOn >= today && i.dueOn <= plan.horizonOn).toBe(true);
          for (const g of gaps(plan.items.map((i) => i.dueOn)))
            expect(g).toBeGreaterThanOrEqual(MIN_GAP_DAYS);
        },
      ),
      { numRuns: 500 },
    );
  });
});
