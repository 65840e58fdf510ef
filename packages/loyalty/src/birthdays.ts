import { addDays, formatMoney, localDate, newId } from '@gratia/core';
import { type Deps, planItems, runBatch } from '@gratia/db';
import {
  currentProgram,
  describeReward,
  prefixed,
  rewardBooking,
  rewardMessageIds,
  rewardStatements,
  rulesFromRow,
} from '@gratia/points';
import { sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { type SettingReward, specOfSetting } from './settings';

// Birthdays (issue 12): a daily step of the cron. For every clinic with a birthday reward, the patients
// whose birthday (patients.birth_date, 'YYYY-MM-DD'; 29 February is celebrated on 28 February in common
// years) falls within `birthday_days_before` days, in the clinic's timezone, get a plan item (kind
// 'birthday', event key 'birthday:<year>', UNIQUE per patient: once a year), due that many days before;
// on the birthday (or up to a week later, if the cron did not run), the birthday reward, written once a
// year (reason `birthday:<patient>:<year>`, UNIQUE per clinic).
//
// It never reads every patient: patients are found by the month-day of their birth date per clinic
// (index patients_birthday_idx on (clinic_id, substr(birth_date, 6, 5)), migration 0019), and only those
// still without this year's item or reward are read, at most `limit` a run: a run that stops early
// leaves the rest to the next, and a run repeated writes nothing twice.

/** Patients handled per run (items and rewards together). */
export const BIRTHDAY_RUN_LIMIT = 200;
/** How many days late a missed birthday reward is still given. */
export const BIRTHDAY_LATE_DAYS = 7;

const MD = sql.raw('substr(p.birth_date, 6, 5)');
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The day a birth date's month-day is celebrated in `year` (29 February: 28 February in common years). */
export function birthdayIn(md: string, year: number): string {
  return md === '02-29' && !isLeap(year) ? `${year}-02-28` : `${year}-${md}`;
}

/**
 * The month-days celebrated from `from` to `to` (dates, at most a year apart), as a SQL condition on
 * MD, and the year of each birthday in the window, as SQL (the window's first year, or the next for
 * month-days before its start).
 */
export function birthdayWindow(from: string, to: string) {
  const start = from.slice(5);
  let end = to.slice(5);
  // A window ending on 28 February of a common year celebrates 29 February birthdays too.
  if (end === '02-28' && !isLeap(Number(to.slice(0, 4)))) end = '02-29';
  // A window starting on 1 March of a common year: 29 February was celebrated the day before.
  const lo = start === '02-29' ? '02-29' : start;
  const where = lo <= end ? sql`${MD} between ${lo} and ${end}` : sql`(${MD} >= ${lo} or ${MD} <= ${end})`;
  const firstYear = Number(from.slice(0, 4));
  const yearOf = (md: string) => (md >= lo ? firstYear : firstYear + 1);
  // As text: D1 may bind a number as a real, and 'birthday:' || 2026.0 is not the key written.
  const yearSql = sql`(case when ${MD} >= ${lo} then ${String(firstYear)} else ${String(firstYear + 1)} end)`;
  return { where, yearOf, yearSql };
}

interface DueRow {
  id: string;
  clinic_id: string;
  md: string;
  owner_staff_id: string | null;
  kind: 'points' | 'voucher';
  points: number | null;
  offer_id: string | null;
  offer_title: string | null;
  offer_price: number | null;
  currency: string;
}

const dueColumns = sql`p.id, p.clinic_id, ${MD} as md,
  (select pp.owner_staff_id from patient_plans pp where pp.patient_id = p.id) as owner_staff_id,
  ls.birthday_reward_kind as kind, ls.birthday_points as points, ls.birthday_offer_id as offer_id,
  (select f.title from offers f where f.id = ls.birthday_offer_id) as offer_title,
  (select f.price_amount from offers f where f.id = ls.birthday_offer_id) as offer_price, o.currency`;

const dueFrom = (timeZone: string, daysBefore: number, window: ReturnType<typeof birthdayWindow>) =>
  sql`from loyalty_settings ls join organizations o on o.id = ls.clinic_id
    join patients p on p.clinic_id = ls.clinic_id and ${window.where}
    where ls.birthday_reward_kind in ('points', 'voucher') and o.timezone = ${timeZone}
      and ls.birthday_days_before = ${daysBefore}`;

const rewardOfRow = (r: DueRow): SettingReward =>
  r.kind === 'points'
    ? { kind: 'points', points: r.points ?? 0 }
    : { kind: 'voucher', offerId: r.offer_id ?? '' };

const dayMonth = (date: string) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    Date.parse(`${date}T12:00:00Z`),
  );

export interface BirthdayRun {
  items: number;
  rewards: number;
}

/** One run of the birthday step: items for birthdays ahead, rewards for birthdays today. */
export async function runBirthdays(deps: Deps, opts: { limit?: number } = {}): Promise<BirthdayRun> {
  const { db } = deps;
  const now = deps.clock.now();
  let budget = opts.limit ?? BIRTHDAY_RUN_LIMIT;
  const done: BirthdayRun = { items: 0, rewards: 0 };
  const groups = await db.all<{ timezone: string; days_before: number }>(
    sql`select distinct o.timezone, ls.birthday_days_before as days_before from loyalty_settings ls
      join organizations o on o.id = ls.clinic_id where ls.birthday_reward_kind in ('points', 'voucher')`,
  );
  for (const g of groups) {
    if (budget <= 0) break;
    const today = localDate(now, g.timezone);
    const ahead = birthdayWindow(today, addDays(today, g.days_before));
    const late = birthdayWindow(addDays(today, -BIRTHDAY_LATE_DAYS), today);
    const itemsDue = await db.all<DueRow>(
      sql`select ${dueColumns} ${dueFrom(g.timezone, g.days_before, ahead)}
        and not exists (select 1 from plan_items pi where pi.patient_id = p.id
          and pi.event_key = 'birthday:' || ${ahead.yearSql})
        -- The plan's own birthday item (from the template) already stands for this birthday.
        and not exists (select 1 from plan_items pi where pi.patient_id = p.id and pi.kind = 'birthday'
          and pi.status <> 'skipped' and pi.due_on between ${addDays(today, -30)} and ${addDays(today, g.days_before)})
        order by p.id limit ${budget}`,
    );
    budget -= itemsDue.length;
    const rewardsDue =
      budget > 0
        ? await db.all<DueRow>(
            sql`select ${dueColumns} ${dueFrom(g.timezone, g.days_before, late)}
              and not exists (select 1 from loyalty_rewards r where r.clinic_id = p.clinic_id
                and r.reason_key = 'birthday:' || p.id || ':' || ${late.yearSql})
              order by p.id limit ${budget}`,
          )
        : [];
    budget -= rewardsDue.length;
    if (itemsDue.length + rewardsDue.length === 0) continue;

    const statements: Record<string, BatchItem<'sqlite'> | readonly BatchItem<'sqlite'>[]> = {};
    itemsDue.forEach((r, n) => {
      const year = ahead.yearOf(r.md);
      const birthday = birthdayIn(r.md, year);
      const due = [addDays(birthday, -g.days_before), today].sort().reverse()[0]!;
      const reward = rewardOfRow(r);
      const gives = describeReward(specOfSetting(reward), r.currency, r.offer_title);
      const gift = reward.kind === 'voucher';
      statements[`item${n}`] = db
        .insert(planItems)
        .values({
          id: newId('pli', now),
          clinicId: r.clinic_id,
          patientId: r.id,
          kind: 'birthday',
          channel: gift ? 'gift' : 'call',
          purpose: `Birthday on ${dayMonth(birthday)}: greet, offer ${gift ? `the gift ${r.offer_title ?? ''}`.trim() : gives}${
            gift && r.offer_price !== null ? ` (${formatMoney(r.offer_price, r.currency)})` : ''
          }`,
          dueOn: due,
          ownerStaffId: r.owner_staff_id,
          offerId: gift ? r.offer_id : null,
          costAmount: gift ? r.offer_price : null,
          currency: gift ? r.currency : null,
          source: 'event',
          eventKey: `birthday:${year}`,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
    });
    // Each clinic's programme gives bonus points their expiry; keys are loaded only for rewards.
    const clinics = [...new Set(rewardsDue.map((r) => r.clinic_id))];
    const programs = clinics.length
      ? await runBatch(db, Object.fromEntries(clinics.map((c) => [c, currentProgram(db, c)])))
      : {};
    const bookings = new Map<string, Awaited<ReturnType<typeof rewardBooking>>>();
    for (const c of clinics) {
      const row = rewardsDue.find((r) => r.clinic_id === c)!;
      const rules = rulesFromRow((programs as Record<string, never[]>)[c]?.[0], row.currency);
      bookings.set(c, await rewardBooking(deps, rules, g.timezone, now));
    }
    rewardsDue.forEach((r, n) => {
      const year = late.yearOf(r.md);
      const reward = specOfSetting(rewardOfRow(r));
      const out = rewardStatements(
        db,
        {
          clinicId: r.clinic_id,
          patientId: r.id,
          source: 'birthday',
          sourceId: r.clinic_id,
          reasonKey: `birthday:${r.id}:${year}`,
          spec: reward,
          title:
            reward.kind === 'voucher' && r.offer_title
              ? `Happy birthday: ${r.offer_title}`
              : `Happy birthday: ${describeReward(reward, r.currency, r.offer_title)}`,
          currency: r.currency,
        },
        bookings.get(r.clinic_id)!,
      );
      Object.assign(statements, prefixed(`reward${n}`, out.statements));
    });
    const ids = rewardMessageIds(await runBatch(db, statements));
    if (ids.length > 0) deps.dispatch?.(ids);
    done.items += itemsDue.length;
    done.rewards += rewardsDue.length;
  }
  return done;
}
