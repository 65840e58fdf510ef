/** Time is injected, never read deep in the domain: tests fix it, production reads the system clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(
  at: number | string | Date,
): Clock & { set(t: number | string | Date): void; advance(ms: number): void } {
  let t = toMillis(at);
  return {
    now: () => t,
    set: (next) => {
      t = toMillis(next);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export function toMillis(at: number | string | Date): number {
  if (typeof at === 'number') return at;
  return new Date(at).getTime();
}

export function toIso(ms: number): string;
export function toIso(ms: number | null | undefined): string | null;
export function toIso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const knownZones = new Map<string, boolean>();

/** Whether `tz` is an IANA time zone Intl knows (answered once per zone per isolate: cheap to ask). */
export function isTimeZone(tz: string): boolean {
  let known = knownZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(tz, known);
  }
  return known;
}
