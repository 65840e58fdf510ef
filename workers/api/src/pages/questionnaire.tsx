import type { ConsentChannel, PatientLocale } from '@gratia/db';
import {
  openPatientLink,
  QUESTIONNAIRE_CONSENT_WORDINGS,
  QUESTIONNAIRE_WITHDRAW_WORDINGS,
  readPatientQuestionnaire,
  setConsentByLink,
  submitAnswers,
} from '@gratia/insight';
import { COMMON_PAGE, isLocale, QUESTIONNAIRE_PAGE, translator } from '@gratia/messaging';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { form, newSubmissionKey } from '../lib/forms';
import { LanguageSwitch, pageLocale } from './language-switch';
import { Page } from './layout';
import {
  answersFromForm,
  ConsentFields,
  consentFromForm,
  errorsByQuestion,
  QUESTION_STYLE,
  QuestionFields,
} from './questionnaire-form';
import { STATIC_PAGE_HEADERS } from './static-headers';

// /q/{token}: the patient's questionnaire on their personal link. No account and no script: the signed
// token is the patient's credential (good for this patient and until it expires), so the forms carry no
// CSRF token; a one-time submission key makes a double tap record once. The page prefills their latest
// answers, shows their consent in force with one-tap "Stop e-mails" / "Stop SMS", and says thank you.

const HEADERS = {
  ...STATIC_PAGE_HEADERS,
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

type C = Context<AppEnv>;
const doc = (c: C, node: unknown, status: 200 | 404 | 413 | 422 = 200) =>
  c.html(`<!doctype html>${node}`, status);

function NotValid({ locale }: { locale: PatientLocale }) {
  const t = translator(COMMON_PAGE, locale);
  return (
    <Page title={t('not_valid_title')} lang={locale}>
      <h1>{t('not_valid_title')}</h1>
      <p>{t('not_valid_text')}</p>
    </Page>
  );
}

/** `?lang=` carried through a form's redirect, when the patient chose a language on the page. */
const langParam = (f: Record<string, string>) => (isLocale(f.lang) ? `lang=${f.lang}` : '');
const withLang = (path: string, f: Record<string, string>) => {
  const l = langParam(f);
  return l ? `${path}${path.includes('?') ? '&' : '?'}${l}` : path;
};

async function render(
  c: C,
  opened: Awaited<ReturnType<typeof openPatientLink>> & { ok: true },
  extra: { answers?: Record<string, unknown>; errors?: Record<string, string>; status?: 200 | 422 } = {},
) {
  const token = c.req.param('token') ?? '';
  const { link, patient, clinic } = opened.value;
  const read = await readPatientQuestionnaire(c.var.deps, {
    clinicId: link.clinicId,
    patientId: link.patientId,
  });
  const locale = pageLocale(c, patient.locale);
  if (!read) return doc(c, <NotValid locale={locale} />, 404);
  const t = translator(QUESTIONNAIRE_PAGE, locale);
  const common = translator(COMMON_PAGE, locale);
  const q = c.req.query();
  const v = read.questionnaire;
  const action = `/q/${token}`;
  const stopped = q.stopped === 'email' || q.stopped === 'sms' ? (q.stopped as ConsentChannel) : null;
  return doc(
    c,
    <Page title={v.title} style={QUESTION_STYLE} lang={locale}>
      <LanguageSwitch locale={locale} path={action} />
      <p class="eyebrow">{clinic.name}</p>
      <h1>{t('heading', { title: v.title, name: patient.firstName })}</h1>
      {q.done === '1' ? (
        <p class="status ok" role="status">
          {t('saved')}
        </p>
      ) : null}
      {stopped ? (
        <p class="status ok" role="status">
          {t('stopped', { clinic: clinic.name, channel: stopped })}
        </p>
      ) : null}
      {extra.errors ? (
        <p class="status bad" role="alert">
          {t('invalid')}
        </p>
      ) : null}
      {v.intro ? <p>{v.intro}</p> : null}
      <form method="post" action={action} class="card">
        <input type="hidden" name="submission" value={newSubmissionKey()} />
        <input type="hidden" name="version" value={String(v.version)} />
        <input type="hidden" name="lang" value={locale} />
        <QuestionFields
          questions={v.questions}
          answers={extra.answers ?? read.answers}
          errors={extra.errors}
          requiredText={t('required')}
        />
        <ConsentFields
          wording={QUESTIONNAIRE_CONSENT_WORDINGS[locale]}
          current={read.consent}
          legend={t('contact_legend')}
        />
        <button type="submit">{t('save')}</button>
      </form>
      {read.consent.email || read.consent.sms ? (
        <section class="card" aria-labelledby="stop">
          <h2 id="stop">{t('stop_heading')}</h2>
          <p class="muted">{t('stop_hint', { clinic: clinic.name })}</p>
          {(['email', 'sms'] as const)
            .filter((ch) => read.consent[ch])
            .map((ch) => (
              <form method="post" action={`${action}/consent`}>
                <input type="hidden" name="channel" value={ch} />
                <input type="hidden" name="lang" value={locale} />
                <button type="submit" class="secondary">
                  {ch === 'email' ? t('stop_email') : t('stop_sms')}
                </button>
                <p class="muted">{QUESTIONNAIRE_WITHDRAW_WORDINGS[locale][ch]}</p>
              </form>
            ))}
        </section>
      ) : null}
      <p class="muted">{common('link_personal')}</p>
    </Page>,
    extra.status ?? 200,
  );
}

export function registerQuestionnairePage(app: Hono<AppEnv>) {
  app.use('/q/*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v);
  });

  app.get('/q/:token', async (c) => {
    const q = c.req.query();
    // An open is counted when the patient arrives, not when a form sends them back to the page.
    const count = q.done === undefined && q.stopped === undefined;
    const opened = await openPatientLink(c.var.deps, {
      token: c.req.param('token'),
      purpose: 'questionnaire',
      count,
    });
    if (!opened.ok) return doc(c, <NotValid locale={pageLocale(c)} />, 404);
    return render(c, opened);
  });

  app.post('/q/:token', async (c) => {
    const token = c.req.param('token');
    const f = await form(c);
    if (!f) return doc(c, <NotValid locale={pageLocale(c)} />, 413);
    const opened = await openPatientLink(c.var.deps, { token, purpose: 'questionnaire', count: false });
    if (!opened.ok) return doc(c, <NotValid locale={pageLocale(c)} />, 404);
    const { link } = opened.value;
    const read = await readPatientQuestionnaire(c.var.deps, {
      clinicId: link.clinicId,
      patientId: link.patientId,
    });
    if (!read) return doc(c, <NotValid locale={pageLocale(c)} />, 404);
    // Answers the version in force: question ids are stable across versions, so a form shown just
    // before the clinic saved a new version still fits it.
    const version = read.questionnaire.version;
    const answers = answersFromForm(read.questionnaire.questions, f);
    const submission = /^[A-Za-z0-9_-]{16,64}$/.test(f.submission ?? '') ? f.submission : undefined;
    const out = await submitAnswers(c.var.deps, {
      source: 'link',
      link,
      submissionKey: submission,
      patientId: link.patientId,
      version,
      answers,
      consent: consentFromForm(f),
      // The words the patient was shown are the page's language's: stored as shown.
      locale: isLocale(f.lang) ? f.lang : pageLocale(c),
    });
    if (!out.ok) {
      if (out.error.code === 'invalid_answers')
        return render(c, opened, { answers, errors: errorsByQuestion(out.error.errors), status: 422 });
      return doc(c, <NotValid locale={pageLocale(c)} />, 404);
    }
    return c.redirect(withLang(`/q/${token}?done=1`, f), 303);
  });

  app.post('/q/:token/consent', async (c) => {
    const token = c.req.param('token');
    const f = await form(c);
    if (!f) return doc(c, <NotValid locale={pageLocale(c)} />, 413);
    const opened = await openPatientLink(c.var.deps, { token, purpose: 'questionnaire', count: false });
    if (!opened.ok) return doc(c, <NotValid locale={pageLocale(c)} />, 404);
    const channel = f.channel === 'email' || f.channel === 'sms' ? f.channel : null;
    if (!channel) return c.redirect(withLang(`/q/${token}`, f), 303);
    const out = await setConsentByLink(c.var.deps, {
      link: opened.value.link,
      channel,
      granted: false,
      locale: isLocale(f.lang) ? f.lang : pageLocale(c),
    });
    if (!out.ok) return doc(c, <NotValid locale={pageLocale(c)} />, 404);
    return c.redirect(withLang(`/q/${token}?stopped=${channel}`, f), 303);
  });
}
