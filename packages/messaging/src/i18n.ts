import { PATIENT_LOCALES, type PatientLocale } from '@gratia/db';
import { IntlMessageFormat } from 'intl-messageformat';

// Patient-facing text in the patient's language: catalogs of ICU MessageFormat strings (plurals,
// selects) per locale, compiled once per isolate, with dates and money formatted by Intl. Every page or
// message a patient reads takes its words from a catalog here; English is the fallback of a missing key.
//
// A catalog is a plain object per locale with the same keys in each (a test checks they match and that
// every string compiles). Add one per page or message family (e.g. `card.ts`), never one big file.

export type Catalog = Readonly<Record<string, string>>;
export type Catalogs<K extends string = string> = Readonly<
  Record<PatientLocale, Readonly<Record<K, string>>>
>;

export const LOCALES = PATIENT_LOCALES;
export const DEFAULT_LOCALE: PatientLocale = 'en';

/** The language names as each is written in itself (for a language switch). */
export const LOCALE_NAMES: Readonly<Record<PatientLocale, string>> = {
  en: 'English',
  es: 'Español',
  ru: 'Русский',
};

export const isLocale = (v: unknown): v is PatientLocale =>
  typeof v === 'string' && (PATIENT_LOCALES as readonly string[]).includes(v);

/**
 * The language to show: an explicit choice (`?lang=`) first, then the patient's own, then the browser's
 * Accept-Language (first supported tag), else English.
 */
export function chooseLocale(
  chosen: string | null | undefined,
  patient: string | null | undefined,
  acceptLanguage?: string | null,
): PatientLocale {
  if (isLocale(chosen)) return chosen;
  if (isLocale(patient)) return patient;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase().slice(0, 2);
    if (isLocale(tag)) return tag;
  }
  return DEFAULT_LOCALE;
}

export type Vars = Record<string, string | number | null | undefined>;

const compiled = new Map<string, IntlMessageFormat>();

/** One ICU message formatted (compiled once per isolate and locale). */
export function formatIcu(message: string, locale: PatientLocale, vars: Vars = {}): string {
  const key = `${locale}\u0000${message}`;
  let format = compiled.get(key);
  if (!format) {
    format = new IntlMessageFormat(message, locale);
    compiled.set(key, format);
  }
  const values: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(vars)) values[k] = v ?? '';
  return String(format.format(values));
}

/** A function that translates a catalog's keys into `locale` (English when the key is missing there). */
export function translator<K extends string>(catalogs: Catalogs<K>, locale: PatientLocale) {
  return (key: K, vars?: Vars): string =>
    formatIcu(catalogs[locale][key] ?? catalogs[DEFAULT_LOCALE][key], locale, vars);
}

/** Money in minor units, as the patient's language writes it ("12,50 €", "€12.50"). */
export function formatMoney(amountMinor: number, currency: string, locale: PatientLocale): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amountMinor / 10 ** digits);
}

/**
 * The tag dates are written with: English as in Britain and Europe ("3 March 2027", as every page of
 * Gratia wrote dates before languages came), Spanish and Russian as themselves.
 */
const DATE_TAG: Readonly<Record<PatientLocale, string>> = { en: 'en-GB', es: 'es', ru: 'ru' };

/** A calendar day (YYYY-MM-DD) as the patient's language writes it ("3 March 2027", "3 de marzo de 2027"). */
export function formatDay(day: string, locale: PatientLocale): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(DATE_TAG[locale], { dateStyle: 'long', timeZone: 'UTC' }).format(
    Date.UTC(y!, (m ?? 1) - 1, d ?? 1),
  );
}

/** An instant as a date in `timeZone`, in the patient's language. */
export function formatDate(at: number, timeZone: string, locale: PatientLocale): string {
  return new Intl.DateTimeFormat(DATE_TAG[locale], { dateStyle: 'long', timeZone }).format(at);
}

/** A number of points, grouped as the language groups digits. */
export const formatNumber = (n: number, locale: PatientLocale) => new Intl.NumberFormat(locale).format(n);

/** An IANA timezone this runtime's Intl knows ("Europe/Madrid"), as a patient's timezone may be. */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z_+\-/0-9]{1,64}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
