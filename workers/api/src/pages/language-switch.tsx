import type { PatientLocale } from '@gratia/db';
import { COMMON_PAGE, chooseLocale, LOCALE_NAMES, LOCALES, translator } from '@gratia/messaging';
import type { Context } from 'hono';
import type { AppEnv } from '../env';

// The language of a patient-facing page and its switch: `?lang=` first, then the patient's own
// language, then the browser's (Accept-Language), else English. The switch is plain links (no script),
// the current language marked; each link keeps the page's path and sets only `lang`.

export function pageLocale(c: Context<AppEnv>, patientLocale?: string | null): PatientLocale {
  return chooseLocale(c.req.query('lang'), patientLocale, c.req.header('accept-language'));
}

export function LanguageSwitch(props: { locale: PatientLocale; path: string }) {
  const t = translator(COMMON_PAGE, props.locale);
  return (
    <nav class="periods lang-switch" aria-label={t('language')}>
      {LOCALES.map((l) => (
        <a
          href={`${props.path}?lang=${l}`}
          hreflang={l}
          lang={l}
          aria-current={l === props.locale ? 'true' : undefined}
        >
          {LOCALE_NAMES[l]}
        </a>
      ))}
    </nav>
  );
}
