/** Money is an integer amount in minor units with an explicit ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** amount * bps / 10_000, rounded down: accruals and discounts never round in the patient's disfavour by more than one minor unit. */
export function applyBps(amount: number, bps: number): number {
  return Math.floor((amount * bps) / 10_000);
}

const digitsCache = new Map<string, number>();

/**
 * How many decimals the currency's minor unit has, as Intl knows it (ISO 4217): EUR 2, JPY 0, KWD 3.
 * Every conversion between minor units and what people read or type goes through this.
 */
export function minorUnitDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits as number;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

/** The one money formatter: minor units to "€1,234.50", "¥1,235", "KWD 1.235" in the given locale. */
/** Number formats by locale and currency: building one costs far more than using it (pages format many). */
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number, currency: string, locale = 'en-GB'): string {
  const digits = minorUnitDigits(currency);
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    if (moneyFormats.size < 200) moneyFormats.set(key, format);
  }
  return format.format(amount / 10 ** digits);
}

/**
 * What a person typed ("12.50", "12,5", "1200") as minor units of `currency`: undefined when empty,
 * null when it is not an amount with at most the currency's decimals. Exact: no floating point.
 */
export function parseMoneyInput(input: string | undefined, currency: string): number | undefined | null {
  const s = (input ?? '').trim().replace(',', '.');
  if (s === '') return undefined;
  const digits = minorUnitDigits(currency);
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(s);
  if (!m || (m[2]?.length ?? 0) > digits) return null;
  const minor = Number(m[1] + (m[2] ?? '').padEnd(digits, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}

/**
 * A percentage a person typed ("5", "5.25", "7,5") as basis points (500, 525, 750): undefined when
 * empty, null when it is not a number with at most two decimals. Exact: no floating point. It imports
 * nothing on purpose: the console's programme form runs this same function's source in the browser.
 */
export function parsePercentInput(input: string | undefined): number | undefined | null {
  const s = (input ?? '').trim().replace(',', '.');
  if (s === '') return undefined;
  const m = /^(\d{1,6})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Basis points as the percentage people read: 500 → "5", 525 → "5.25", 750 → "7.5". */
export const bpsToPercent = (bps: number): string => String(bps / 100);

/** Minor units as a plain decimal in major units ("-1234.50", "1235" for JPY): exact, no float. */
export function toMajorUnits(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = String(Math.abs(amount)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
