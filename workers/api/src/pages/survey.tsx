import type { PatientLocale } from '@gratia/db';
import { readSurveyLink, type SurveyLinkView, submitSurvey } from '@gratia/insight';
import { COMMON_PAGE, chooseLocale, SURVEY_PAGE, translator } from '@gratia/messaging';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { form } from '../lib/forms';
import { sameOrigin } from '../lib/page-session';
import { LanguageSwitch, pageLocale } from './language-switch';
import { Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// /s/{token}: the patient's satisfaction survey, on their phone, no account: 0-10 how likely they are
// to recommend the clinic, what it could do better, and words the clinic may quote only if they tick
// the box. The link takes one answer (a second, a double tap included, shows the thank-you); an
// expired, forged or other-purpose link is a plain 404 page. No script; the one form posts to this
// same origin (the Origin is checked), nothing is cached or indexed, no referrer leaves the site.

const SURVEY_HEADERS: Record<string, string> = {
  ...STATIC_PAGE_HEADERS,
  // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the form's post.
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

/** The survey page's own CSS, after the shared page style. */
const SURVEY_STYLE = `
fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600;font-size:1.1rem;margin-bottom:.5rem}
.scale{display:grid;grid-template-columns:repeat(6,1fr);gap:.4rem}@media(min-width:36rem){.scale{grid-template-columns:repeat(11,1fr)}}
.scale label{display:flex;flex-direction:column;align-items:center;justify-content:center;min-height:3rem;border:1px solid #b9b2a8;border-radius:10px;background:#fff;font-size:1.15rem;font-weight:600;cursor:pointer}
.scale input{width:auto;margin:0 0 .2rem}.scale label:has(input:checked){background:#2d2118;color:#fff}
.ends{display:flex;justify-content:space-between;color:var(--muted);font-size:.9rem}
textarea{width:100%;font:inherit;padding:.65rem;border:1px solid #b9b2a8;border-radius:10px;min-height:5rem;box-sizing:border-box}
label.inline{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}label.inline input{width:auto;margin-top:.3rem}
`;

type T = ReturnType<typeof surveyWords>;
const surveyWords = (locale: PatientLocale) => translator(SURVEY_PAGE, locale);

function Implemented({ items, t }: { items: SurveyLinkView['implemented']; t: T }) {
  if (items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="done">
      <h2 id="done">{t('done_heading')}</h2>
      <ul>
        {items.map((s) => (
          <li>
            {t('done_item', { text: s.text })}
            {s.reply ? ` ${s.reply}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Form(props: {
  view: SurveyLinkView;
  locale: PatientLocale;
  path: string;
  error?: string;
  values?: Record<string, string>;
}) {
  const { clinic, patient } = props.view.opened;
  const t = surveyWords(props.locale);
  const v = props.values ?? {};
  return (
    <Page style={SURVEY_STYLE} title={t('title', { clinic: clinic.name })} lang={props.locale}>
      <LanguageSwitch locale={props.locale} path={props.path} />
      <p class="eyebrow">{clinic.name}</p>
      <h1>{t('heading', { name: patient.firstName })}</h1>
      <Implemented items={props.view.implemented} t={t} />
      {props.error ? (
        <p class="status bad" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post">
        <input type="hidden" name="lang" value={props.locale} />
        <fieldset aria-describedby="ends">
          <legend>{t('recommend', { clinic: clinic.name })}</legend>
          <div class="scale">
            {Array.from({ length: 11 }, (_, n) => (
              <label>
                <input type="radio" name="score" value={String(n)} required checked={v.score === String(n)} />
                {n}
              </label>
            ))}
          </div>
          <p class="ends" id="ends">
            <span>{t('low_end')}</span>
            <span>{t('high_end')}</span>
          </p>
        </fieldset>
        <label for="improvement">{t('improvement')}</label>
        <textarea id="improvement" name="improvement" maxlength={2000}>
          {v.improvement ?? ''}
        </textarea>
        <label for="recommendation">{t('recommendation')}</label>
        <textarea id="recommendation" name="recommendation" maxlength={2000}>
          {v.recommendation ?? ''}
        </textarea>
        <label class="inline">
          <input type="checkbox" name="quote" value="yes" checked={v.quote === 'yes'} />
          {t('quote', { clinic: clinic.name })}
        </label>
        <button type="submit">{t('send')}</button>
      </form>
      <p class="muted">{t('footer', { clinic: clinic.name })}</p>
    </Page>
  );
}

function Thanks(props: {
  clinic: string;
  already: boolean;
  locale: PatientLocale;
  implemented?: SurveyLinkView['implemented'];
}) {
  const t = surveyWords(props.locale);
  return (
    <Page style={SURVEY_STYLE} title={t('thanks_title', { clinic: props.clinic })} lang={props.locale}>
      <p class="eyebrow">{props.clinic}</p>
      <h1>{t('thanks_heading')}</h1>
      <p class="status ok" role="status">
        {props.already ? t('thanks_already') : t('thanks_sent')}
      </p>
      <Implemented items={props.implemented ?? []} t={t} />
    </Page>
  );
}

function NotValid({ locale }: { locale: PatientLocale }) {
  const t = translator(COMMON_PAGE, locale);
  return (
    <Page style={SURVEY_STYLE} title={t('not_valid_title')} lang={locale}>
      <h1>{t('not_valid_title')}</h1>
      <p>{t('not_valid_text')}</p>
    </Page>
  );
}

type Status = 200 | 400 | 403 | 404 | 409 | 413;
const html = (c: Context<AppEnv>, node: unknown, status: Status = 200) => {
  for (const [k, v] of Object.entries(SURVEY_HEADERS)) c.header(k, v);
  return c.html(`<!doctype html>${node}`, status);
};

export function registerSurveyPage(app: Hono<AppEnv>) {
  app.get('/s/:token', async (c) => {
    const token = c.req.param('token');
    const out = await readSurveyLink(c.var.deps, token);
    if (!out.ok) return html(c, <NotValid locale={pageLocale(c)} />, 404);
    const view = out.value;
    const locale = pageLocale(c, view.opened.patient.locale);
    if (view.opened.link.completedAt !== null)
      return html(
        c,
        <Thanks clinic={view.opened.clinic.name} already implemented={view.implemented} locale={locale} />,
      );
    return html(c, <Form view={view} locale={locale} path={`/s/${token}`} />);
  });

  app.post('/s/:token', async (c) => {
    if (!sameOrigin(c)) return html(c, <NotValid locale={pageLocale(c)} />, 403);
    const f = await form(c);
    if (!f) return html(c, <NotValid locale={pageLocale(c)} />, 413);
    // The language the form was shown in (a hidden field), so the answer is thanked in it.
    const locale = chooseLocale(f.lang ?? c.req.query('lang'), null, c.req.header('accept-language'));
    const token = c.req.param('token');
    const score = /^(10|\d)$/.test(f.score ?? '') ? Number(f.score) : null;
    if (score === null) {
      const out = await readSurveyLink(c.var.deps, token);
      if (!out.ok) return html(c, <NotValid locale={locale} />, 404);
      return html(
        c,
        <Form
          view={out.value}
          locale={locale}
          path={`/s/${token}`}
          values={f}
          error={translator(SURVEY_PAGE, locale)('choose_score')}
        />,
        400,
      );
    }
    const out = await submitSurvey(c.var.deps, {
      token,
      score,
      improvement: (f.improvement ?? '').slice(0, 2000),
      recommendation: (f.recommendation ?? '').slice(0, 2000),
      quotePermission: f.quote === 'yes',
    });
    if (out.ok) return html(c, <Thanks clinic={out.value.clinicName} already={false} locale={locale} />);
    if (out.error.code === 'survey_already_answered') {
      const again = await readSurveyLink(c.var.deps, token);
      const name = again.ok ? again.value.opened.clinic.name : '';
      return html(
        c,
        <Thanks
          clinic={name}
          already
          implemented={again.ok ? again.value.implemented : []}
          locale={locale}
        />,
        409,
      );
    }
    return html(c, <NotValid locale={locale} />, 404);
  });
}
