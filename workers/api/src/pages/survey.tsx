import { ERROR_TEXT } from '@gratia/core';
import { readSurveyLink, type SurveyLinkView, submitSurvey } from '@gratia/insight';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { form } from '../lib/forms';
import { sameOrigin } from '../lib/page-session';
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

function Implemented({ items }: { items: SurveyLinkView['implemented'] }) {
  if (items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="done">
      <h2 id="done">You asked, we did it</h2>
      <ul>
        {items.map((s) => (
          <li>
            You suggested “{s.text}”: we did it.{s.reply ? ` ${s.reply}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Form(props: { view: SurveyLinkView; error?: string; values?: Record<string, string> }) {
  const { clinic, patient } = props.view.opened;
  const v = props.values ?? {};
  return (
    <Page style={SURVEY_STYLE} title={`${clinic.name}: how did we do?`}>
      <p class="eyebrow">{clinic.name}</p>
      <h1>How did we do, {patient.firstName}?</h1>
      <Implemented items={props.view.implemented} />
      {props.error ? (
        <p class="status bad" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post">
        <fieldset aria-describedby="ends">
          <legend>How likely are you to recommend {clinic.name} to a friend?</legend>
          <div class="scale">
            {Array.from({ length: 11 }, (_, n) => (
              <label>
                <input type="radio" name="score" value={String(n)} required checked={v.score === String(n)} />
                {n}
              </label>
            ))}
          </div>
          <p class="ends" id="ends">
            <span>0: not at all likely</span>
            <span>10: extremely likely</span>
          </p>
        </fieldset>
        <label for="improvement">What could we do better?</label>
        <textarea id="improvement" name="improvement" maxlength={2000}>
          {v.improvement ?? ''}
        </textarea>
        <label for="recommendation">Would you like to recommend us in a few words?</label>
        <textarea id="recommendation" name="recommendation" maxlength={2000}>
          {v.recommendation ?? ''}
        </textarea>
        <label class="inline">
          <input type="checkbox" name="quote" value="yes" checked={v.quote === 'yes'} />
          {clinic.name} may quote my words with my first name
        </label>
        <button type="submit">Send my answer</button>
      </form>
      <p class="muted">Your answer goes to {clinic.name} only. This link takes one answer.</p>
    </Page>
  );
}

function Thanks(props: { clinic: string; already: boolean; implemented?: SurveyLinkView['implemented'] }) {
  return (
    <Page style={SURVEY_STYLE} title={`${props.clinic}: thank you`}>
      <p class="eyebrow">{props.clinic}</p>
      <h1>Thank you!</h1>
      <p class="status ok" role="status">
        {props.already ? ERROR_TEXT.survey_already_answered : 'Your answer has been sent. It helps us a lot.'}
      </p>
      <Implemented items={props.implemented ?? []} />
    </Page>
  );
}

function NotValid() {
  return (
    <Page style={SURVEY_STYLE} title="This link is not valid">
      <h1>This link is not valid</h1>
      <p>{ERROR_TEXT.link_not_found}</p>
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
    const out = await readSurveyLink(c.var.deps, c.req.param('token'));
    if (!out.ok) return html(c, <NotValid />, 404);
    const view = out.value;
    if (view.opened.link.completedAt !== null)
      return html(c, <Thanks clinic={view.opened.clinic.name} already implemented={view.implemented} />);
    return html(c, <Form view={view} />);
  });

  app.post('/s/:token', async (c) => {
    if (!sameOrigin(c)) return html(c, <NotValid />, 403);
    const f = await form(c);
    if (!f) return html(c, <NotValid />, 413);
    const token = c.req.param('token');
    const score = /^(10|\d)$/.test(f.score ?? '') ? Number(f.score) : null;
    if (score === null) {
      const out = await readSurveyLink(c.var.deps, token);
      if (!out.ok) return html(c, <NotValid />, 404);
      return html(c, <Form view={out.value} values={f} error="Choose a number from 0 to 10." />, 400);
    }
    const out = await submitSurvey(c.var.deps, {
      token,
      score,
      improvement: (f.improvement ?? '').slice(0, 2000),
      recommendation: (f.recommendation ?? '').slice(0, 2000),
      quotePermission: f.quote === 'yes',
    });
    if (out.ok) return html(c, <Thanks clinic={out.value.clinicName} already={false} />);
    if (out.error.code === 'survey_already_answered') {
      const again = await readSurveyLink(c.var.deps, token);
      const name = again.ok ? again.value.opened.clinic.name : '';
      return html(
        c,
        <Thanks clinic={name} already implemented={again.ok ? again.value.implemented : []} />,
        409,
      );
    }
    return html(c, <NotValid />, 404);
  });
}
