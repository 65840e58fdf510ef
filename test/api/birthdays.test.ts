import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { birthdayIn, runBirthdays, saveLoyaltySettings } from '@gratia/loyalty';
import { registerPatient } from '@gratia/network';
import { describe, expect, it } from 'vitest';
import { orgWithCaller, testDeps } from '../helpers/deps';

// The daily birthday step (issue 12): a plan item `birthday_days_before` days ahead of each birthday,
// and the birthday reward on the day, each once a year however often (or late) the step runs, in the
// clinic's timezone, 29 February celebrated on 28 February in common years; found by the month-day
// index, never by reading every patient.

const at = (iso: string) => testDeps(fixedClock(Date.parse(iso)));

async function clinicWithBirthdays(
  deps: ReturnType<typeof testDeps>,
  opts: { timezone?: string; daysBefore?: number } = {},
) {
  const clinic = await orgWithCaller(deps, 'clinic');
  if (opts.timezone) {
    await env.DB.prepare('update organizations set timezone = ? where id = ?')
      .bind(opts.timezone, clinic.org.id)
      .run();
    clinic.principal.organization.timezone = opts.timezone;
  }
  const saved = await saveLoyaltySettings(deps, {
    clinic: clinic.principal,
    referralReward: null,
    referralCapPerYear: 5,
    birthdayReward: { kind: 'points', points: 150 },
    birthdayDaysBefore: opts.daysBefore ?? 7,
    vipSegmentId: null,
    vipGiftsPerYear: null,
    vipPerkOfferIds: [],
  });
  expect(saved.ok).toBe(true);
  const born = async (birthDate: string, firstName = 'Dana') => {
    const p = await registerPatient(deps, {
      clinic: clinic.principal,
      patient: {
        firstName,
        lastName: 'Born',
        email: null,
        phone: null,
        birthDate,
        tags: [],
        notes: null,
      },
    });
    return p.id;
  };
  return { clinic, born };
}

const itemsOf = async (patientId: string) =>
  (
    await env.DB.prepare('select * from plan_items where patient_id = ? order by due_on')
      .bind(patientId)
      .all<Record<string, unknown>>()
  ).results;
const rewardsOf = async (patientId: string) =>
  (
    await env.DB.prepare('select * from loyalty_rewards where patient_id = ?')
      .bind(patientId)
      .all<Record<string, unknown>>()
  ).results;
const balanceOf = async (patientId: string) =>
  (
    await env.DB.prepare('select balance from point_accounts where patient_id = ?')
      .bind(patientId)
      .first<{ balance: number }>()
  )?.balance ?? 0;

describe('birthdays', () => {
  it('adds the plan item ahead, gives the reward on the day, and nothing twice', async () => {
    const deps = at('2026-11-01T09:00:00Z');
    const { born } = await clinicWithBirthdays(deps);
    const soon = await born('1990-11-08');
    const today = await born('1985-11-01');
    const later = await born('1990-11-09');
    const past = await born('1990-10-20');
    const none = await born('');

    await runBirthdays(deps);
    const [item] = await itemsOf(soon);
    expect(item).toMatchObject({
      kind: 'birthday',
      channel: 'call',
      due_on: '2026-11-01',
      source: 'event',
      event_key: 'birthday:2026',
      status: 'planned',
      purpose: 'Birthday on 8 November: greet, offer 150 bonus points',
    });
    expect(await rewardsOf(soon)).toEqual([]);
    expect(await itemsOf(today)).toMatchObject([{ due_on: '2026-11-01', event_key: 'birthday:2026' }]);
    expect(await rewardsOf(today)).toMatchObject([
      { source: 'birthday', kind: 'points', points: 150, status: 'granted' },
    ]);
    expect((await rewardsOf(today))[0]?.reason_key).toBe(`birthday:${today}:2026`);
    expect(await balanceOf(today)).toBe(150);
    expect(await itemsOf(later)).toEqual([]);
    expect(await itemsOf(past)).toEqual([]);
    expect(await rewardsOf(past)).toEqual([]);
    expect(await itemsOf(none)).toEqual([]);

    // Run again, the same day and days later: nothing twice; the next birthday's item comes on time.
    await runBirthdays(deps);
    await runBirthdays(at('2026-11-02T09:00:00Z'));
    expect(await itemsOf(soon)).toHaveLength(1);
    expect(await itemsOf(later)).toMatchObject([{ due_on: '2026-11-02' }]);
    expect(await rewardsOf(today)).toHaveLength(1);
    expect(await balanceOf(today)).toBe(150);
    // On the birthday itself, the reward; a cron that missed the day gives it late, once.
    await runBirthdays(at('2026-11-10T09:00:00Z'));
    await runBirthdays(at('2026-11-11T09:00:00Z'));
    expect(await rewardsOf(soon)).toHaveLength(1);
    expect(await rewardsOf(later)).toHaveLength(1);
    // Next year: again, once.
    await runBirthdays(at('2027-11-01T09:00:00Z'));
    await runBirthdays(at('2027-11-01T10:00:00Z'));
    expect(await rewardsOf(today)).toHaveLength(2);
    expect(await itemsOf(today)).toHaveLength(2);
    expect(await balanceOf(today)).toBe(300);
  });

  it("adds no second item when the plan's own birthday item stands; the reward still comes", async () => {
    const deps = at('2026-11-01T09:00:00Z');
    const { clinic, born } = await clinicWithBirthdays(deps);
    const planned = await born('1990-11-05');
    await env.DB.prepare(
      `insert into plan_items (id, clinic_id, patient_id, kind, channel, purpose, due_on, status, source, generation, created_at, updated_at)
       values ('pli_01JD0000000000000000000001', ?, ?, 'birthday', 'call', 'Birthday wishes', '2026-10-29', 'planned', 'plan', 1, 0, 0)`,
    )
      .bind(clinic.org.id, planned)
      .run();
    await runBirthdays(deps);
    expect(await itemsOf(planned)).toMatchObject([{ source: 'plan', kind: 'birthday' }]);
    await runBirthdays(at('2026-11-05T09:00:00Z'));
    expect(await itemsOf(planned)).toHaveLength(1);
    expect(await rewardsOf(planned)).toMatchObject([{ source: 'birthday', points: 150 }]);
  });

  it('celebrates 29 February on 28 February in common years, and on the day in leap years', async () => {
    expect(birthdayIn('02-29', 2027)).toBe('2027-02-28');
    expect(birthdayIn('02-29', 2028)).toBe('2028-02-29');
    const deps = at('2027-02-28T09:00:00Z');
    const { born } = await clinicWithBirthdays(deps, { daysBefore: 0 });
    const leap = await born('2000-02-29');
    await runBirthdays(deps);
    expect(await rewardsOf(leap)).toMatchObject([{ reason_key: `birthday:${leap}:2027` }]);
    expect(await itemsOf(leap)).toMatchObject([{ due_on: '2027-02-28', event_key: 'birthday:2027' }]);
    await runBirthdays(at('2027-03-01T09:00:00Z'));
    expect(await rewardsOf(leap)).toHaveLength(1);
    // 2028 is a leap year: not on the 28th, on the 29th.
    await runBirthdays(at('2028-02-28T09:00:00Z'));
    expect(await rewardsOf(leap)).toHaveLength(1);
    await runBirthdays(at('2028-02-29T09:00:00Z'));
    expect(await rewardsOf(leap)).toHaveLength(2);
  });

  it("goes by the clinic's timezone", async () => {
    // 12:00 UTC on 1 November is already 2 November in Auckland, still 1 November in Berlin.
    const deps = at('2026-11-01T12:00:00Z');
    const auckland = await clinicWithBirthdays(deps, { timezone: 'Pacific/Auckland', daysBefore: 0 });
    const berlin = await clinicWithBirthdays(deps, { daysBefore: 0 });
    const kiwi = await auckland.born('1990-11-02');
    const german = await berlin.born('1990-11-02');
    await runBirthdays(deps);
    expect(await rewardsOf(kiwi)).toHaveLength(1);
    expect(await rewardsOf(german)).toHaveLength(0);
  });

  it('is bounded per run and resumes where it stopped', async () => {
    const deps = at('2026-06-15T09:00:00Z');
    const { born } = await clinicWithBirthdays(deps, { daysBefore: 0 });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await born('1980-06-15', `P${i}`));
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await runBirthdays(deps, { limit: 3 }));
    // 5 items and 5 rewards, 3 a run.
    expect(runs).toEqual([
      { items: 3, rewards: 0 },
      { items: 2, rewards: 1 },
      { items: 0, rewards: 3 },
      { items: 0, rewards: 1 },
    ]);
    for (const id of ids) {
      expect(await itemsOf(id)).toHaveLength(1);
      expect(await rewardsOf(id)).toHaveLength(1);
    }
    expect(await runBirthdays(deps, { limit: 3 })).toEqual({ items: 0, rewards: 0 });
  });

  it('finds birthdays by the month-day index, not by reading every patient', async () => {
    const plan = await env.DB.prepare(
      `explain query plan select p.id from patients p
        where p.clinic_id = ? and substr(p.birth_date, 6, 5) between ? and ?`,
    )
      .bind('org_x', '11-01', '11-08')
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join(' ')).toContain('patients_birthday_idx');
  });
});
