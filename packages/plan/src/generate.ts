import { addDays, DAY_MS } from '@gratia/core';
import type { PlanChannel, PlanKind, PlanMixLine } from '@gratia/db';

// The plan generator: a pure function (no I/O, no clock) from a template's mix, the patient's birth
// date and what was already done, to the dated items of the next 12 months.
//
// The items sit on a grid fixed in time, not on "today": slot k falls on `anchor + floor(k * 365 / N)`
// days, so any 365 days hold exactly N slots, consecutive slots are at least floor(365 / N) days apart
// (14 or more for the at most 26 interactions a year a template may ask for), and the grid repeats every
// year. Regenerating a month later (the daily job keeps plans 12 months ahead) therefore puts the same
// items on the same days and adds the next one at the end, instead of shuffling everyone's agenda.
// The anchor is the birthday item's date when the mix has one (that slot is the birthday's), else a
// day derived from the patient id, so a clinic's patients do not all fall on the same days; a small
// jitter per slot, also derived from the patient id, stays within what keeps slots 14 days apart.
// Kinds are interleaved: channels are spread over the year first (calls, e-mails, gifts alternate),
// then the kinds within each channel.

/** The fewest days between two items the generator plans for one patient. */
export const MIN_GAP_DAYS = 14;
/** The most interactions a year a template may ask for: 26 items 14 days apart fill a year. */
export const MAX_PER_YEAR = Math.floor(365 / MIN_GAP_DAYS);
/** The length of a plan: the generated items fall on `today` .. `today + 364`. */
export const HORIZON_DAYS = 365;
const MAX_JITTER = 3;

/** What was done or skipped (dealt with) that counts toward the year. */
export interface DoneItem {
  kind: PlanKind;
  /** The day it was due (its slot), YYYY-MM-DD. */
  dueOn: string;
}

export interface GeneratorInput {
  mix: readonly PlanMixLine[];
  /** The first day of the plan (the clinic's today), YYYY-MM-DD. */
  today: string;
  /** YYYY-MM-DD, or null when unknown (the birthday line is then left out). */
  birthDate: string | null;
  birthdayDaysBefore: number;
  /** Seeds the anchor and the jitter. */
  patientId: string;
  /** Items done already: each fulfils at most one slot of its kind near its own date. */
  done?: readonly DoneItem[];
}

export interface GeneratedItem {
  kind: PlanKind;
  channel: PlanChannel;
  dueOn: string;
  offerId: string | null;
  costAmount: number | null;
  /** The slot on the patient's grid (stable across regenerations). */
  slot: number;
}

export interface GeneratedPlan {
  items: GeneratedItem[];
  /** The last day the plan reaches. */
  horizonOn: string;
  /** Slots left out because something done already fulfils them. */
  credited: number;
}

const dayNumber = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
};
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const mod = (a: number, n: number) => ((a % n) + n) % n;

/** FNV-1a over the text: a stable 32-bit number per patient (and slot). */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Spreads items with counts over their total: item j's c occurrences aim at (i + 0.5) * total / c,
 * so repeated items land far apart and different ones alternate. Ties keep the given order.
 */
export function spread<T>(items: readonly { item: T; count: number }[]): T[] {
  const total = items.reduce((n, x) => n + x.count, 0);
  const placed: { at: number; order: number; item: T }[] = [];
  items.forEach((x, order) => {
    for (let i = 0; i < x.count; i++) placed.push({ at: ((i + 0.5) * total) / x.count, order, item: x.item });
  });
  placed.sort((a, b) => a.at - b.at || a.order - b.order);
  return placed.map((p) => p.item);
}

/** The lines in the order the year visits them: channels alternate, then kinds within each channel. */
export function interleave(lines: readonly PlanMixLine[]): PlanMixLine[] {
  const channels: PlanChannel[] = [];
  for (const l of lines) if (!channels.includes(l.channel)) channels.push(l.channel);
  const byChannel = new Map(
    channels.map((ch) => [
      ch,
      spread(lines.filter((l) => l.channel === ch).map((l) => ({ item: l, count: l.count }))),
    ]),
  );
  const order = spread(
    channels.map((ch) => ({
      item: ch,
      count: lines.filter((l) => l.channel === ch).reduce((n, l) => n + l.count, 0),
    })),
  );
  return order.map((ch) => byChannel.get(ch)!.shift()!);
}

/** The birthday item's day on or after `from`: `daysBefore` days before the birthday (29 Feb: 28 Feb). */
export function nextBirthdayItem(birthDate: string, from: string, daysBefore: number): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return null;
  const month = Number(m[2]);
  const day = Number(m[3]);
  const year = Number(from.slice(0, 4));
  for (const y of [year - 1, year, year + 1, year + 2]) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const d = month === 2 && day === 29 && !leap ? 28 : day;
    const birthday = `${y}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const due = addDays(birthday, -daysBefore);
    if (due >= from) return due;
  }
  return null;
}

/** The dated items of the next 12 months for one patient. */
export function generatePlanItems(input: GeneratorInput): GeneratedPlan {
  const t = dayNumber(input.today);
  const horizonOn = dateOf(t + HORIZON_DAYS - 1);
  const birthdayLine = input.mix.find((l) => l.kind === 'birthday' && l.count > 0);
  const birthdayDue =
    birthdayLine && input.birthDate
      ? nextBirthdayItem(input.birthDate, input.today, input.birthdayDaysBefore)
      : null;
  // Without a known birth date the birthday line has no day: the year has one item fewer.
  const others = input.mix.filter((l) => l.count > 0 && l.kind !== 'birthday');
  const sequence = interleave(others);
  const withBirthday = birthdayLine !== undefined && birthdayDue !== null;
  if (withBirthday) sequence.unshift({ ...birthdayLine, count: 1 });
  const n = sequence.length;
  if (n === 0) return { items: [], horizonOn, credited: 0 };
  const seed = seedOf(input.patientId);
  const anchor = withBirthday ? dayNumber(birthdayDue) : seed % HORIZON_DAYS;
  const gap = Math.floor(HORIZON_DAYS / n);
  const jitterMax = Math.max(0, Math.min(MAX_JITTER, Math.floor((gap - MIN_GAP_DAYS) / 2)));
  const isBirthdaySlot = (k: number) => withBirthday && mod(k, n) === 0;
  /**
   * Slot k's day on the grid, with its jitter (the birthday keeps its own day). The jitter is the same
   * for slot k and k + N, so the grid repeats every 365 days exactly and any 365 days hold N slots.
   */
  const slotDay = (k: number) => {
    const base = anchor + Math.floor((k * HORIZON_DAYS) / n);
    if (isBirthdaySlot(k) || jitterMax === 0) return base;
    return base + (seedOf(`${input.patientId}:${mod(k, n)}`) % (2 * jitterMax + 1)) - jitterMax;
  };
  const kindAt = (k: number) => sequence[mod(k, n)]!.kind;
  /** The day of the nearest slot of the same kind before (-1) or after (+1) slot k. */
  const sameKind = (k: number, step: -1 | 1) => {
    for (let j = k + step; Math.abs(j - k) <= n; j += step) if (kindAt(j) === kindAt(k)) return slotDay(j);
    return slotDay(k) + step * HORIZON_DAYS;
  };
  const done = [...(input.done ?? [])]
    .map((x) => ({ kind: x.kind, day: dayNumber(x.dueOn) }))
    .sort((a, b) => a.day - b.day);
  const used = new Set<number>();
  const items: GeneratedItem[] = [];
  let credited = 0;
  // The first slot that may fall on or after today (a jitter moves a slot by a few days at most).
  const first = Math.ceil(((t - anchor) * n) / HORIZON_DAYS) - 1;
  for (let k = first, seen = 0; seen < n; k++) {
    const day = slotDay(k);
    if (day < t) continue;
    seen++;
    // Something of this kind done since the previous slot of the kind (and before the next) is this
    // slot's: a birthday call made this year is this year's birthday, last year's slot is not.
    const before = sameKind(k, -1);
    const after = sameKind(k, 1);
    const match = done.findIndex(
      (x, i) => !used.has(i) && x.kind === kindAt(k) && x.day > before && x.day < after,
    );
    if (match !== -1) {
      used.add(match);
      credited++;
      continue;
    }
    const line = sequence[mod(k, n)]!;
    items.push({
      kind: line.kind,
      channel: line.channel,
      dueOn: dateOf(day),
      offerId: line.offer_id ?? null,
      costAmount: line.cost_amount ?? null,
      slot: k,
    });
  }
  return { items, horizonOn, credited };
}
