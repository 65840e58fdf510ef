import type { Patient, PatientLocale } from '@gratia/db';
import { isLocale, isTimeZone, LOCALE_NAMES, LOCALES } from '@gratia/messaging';
import { updatePatient } from '@gratia/network';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field } from './patient-views';
import { action, exactlyOnce, FormKeys, outcome, type Signed } from './shell';

// The patient's language and timezone on their console page: the language their messages and pages
// are written in, and the timezone their quiet hours are counted in (empty: the clinic's).

export function LanguageSection(props: { s: Signed; p: Patient; q: Record<string, string> }) {
  const { s, p, q } = props;
  const bad = q.error === 'validation_failed' && q.field === 'timezone';
  return (
    <section class="card" aria-labelledby="language" id="patient-language">
      <h2 id="language">Language</h2>
      {q.language === 'saved' ? (
        <p class="status ok" role="status">
          Saved.
        </p>
      ) : null}
      <form method="post" action={`/console/patients/${p.id}/language`}>
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        <label for="locale">Messages and pages in</label>
        <select id="locale" name="locale">
          {LOCALES.map((l) => (
            <option value={l} selected={p.locale === l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </select>
        <Field
          name="timezone"
          label="Timezone (optional)"
          value={p.timezone ?? ''}
          hint={`Like Europe/Madrid; empty: the clinic’s (${s.principal.organization.timezone})`}
          error={bad ? 'Enter a timezone such as Europe/Madrid, or leave it empty.' : undefined}
          maxlength={64}
          autocomplete="off"
        />
        <button type="submit">Save language</button>
      </form>
    </section>
  );
}

/** The language field of the registration form. */
export function RegisterLanguage(props: { value?: string }) {
  return (
    <>
      <label for="locale">Messages and pages in</label>
      <select id="locale" name="locale">
        {LOCALES.map((l) => (
          <option value={l} selected={(props.value ?? 'en') === l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </>
  );
}

export function registerConsolePatientLanguage(app: Hono<AppEnv>) {
  app.post(
    '/console/patients/:id/language',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const locale = f.locale ?? '';
      const timezone = (f.timezone ?? '').trim();
      if (!isLocale(locale))
        return c.redirect(`${back}?error=validation_failed&field=locale#patient-language`, 303);
      if (timezone && !isTimeZone(timezone))
        return c.redirect(`${back}?error=validation_failed&field=timezone#patient-language`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await updatePatient(c.var.deps, {
          clinic: s.principal,
          patientId,
          changes: { locale: locale as PatientLocale, timezone: timezone || null },
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?language=saved#patient-language` };
      });
    }),
  );
}
