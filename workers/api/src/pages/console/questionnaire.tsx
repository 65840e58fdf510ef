import { isId } from '@gratia/core';
import {
  PARTNER_CATEGORIES,
  type PartnerCategory,
  QUESTION_ROLES,
  QUESTION_TYPES,
  type Question,
  type QuestionRole,
  type QuestionType,
} from '@gratia/db';
import {
  checkAnswers,
  createPatientLink,
  linkUrl,
  listQuestionnaireVersions,
  MAX_QUESTIONS,
  QUESTIONNAIRE_CONSENT_WORDING,
  type QuestionnaireView,
  readPatientQuestionnaire,
  saveQuestionnaire,
  submitAnswers,
} from '@gratia/insight';
import { CONSENT_WORDING, CONSENT_WORDING_VERSION, updatePatient } from '@gratia/network';
import type { PatientOverview } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import {
  answersFromForm,
  ConsentFields,
  consentFromForm,
  errorsByQuestion,
  QUESTION_STYLE,
  QuestionFields,
} from '../questionnaire-form';
import { formatWhen, problemPage, TableWrap } from './patient-views';
import { QueuedFlash, SendLinkChoice, sendFromForm, sentParam } from './send-link';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// The questionnaire in the console: the editor (owners and managers: each save is a new version), and
// on a patient's page the Questionnaire card (their latest answers by question, the tags they give),
// "Fill in for the patient", "Create questionnaire link" (its URL to copy), and the Consent form (give
// or withdraw per channel, in the words shown, kept as proof).

const EDITOR = '/console/questionnaire';

// ---------------------------------------------------------------------------------------------------
// On the patient's page

/** An answer's words: its option's label; a branch answer (a branch id), the branch's name. */
function answerText(q: Question | undefined, a: unknown, branches: Map<string, string>): string {
  const label = (v: string) =>
    (q?.role === 'branch' ? branches.get(v) : undefined) ??
    q?.options?.find((o) => o.value === v)?.label ??
    v;
  if (Array.isArray(a)) return a.map((v) => label(String(v))).join(', ');
  if (typeof a === 'string') return label(a);
  return String(a);
}

/** The Questionnaire and Consent cards of a patient's page. */
export function QuestionnaireCard(props: { s: Signed; o: PatientOverview; q: Record<string, string> }) {
  const { s, o, q } = props;
  const p = o.patient;
  const base = `/console/patients/${p.id}`;
  const tz = s.principal.organization.timezone;
  const answered = o.answers;
  const byId = new Map((answered?.questions ?? []).map((x) => [x.id, x]));
  const tags = o.insight?.preferenceTags ?? [];
  const branches = new Map(o.branches.map((b) => [b.id, b.name]));
  return (
    <>
      <section class="card" aria-labelledby="questionnaire" id="questionnaire-card">
        <h2 id="questionnaire">Questionnaire</h2>
        {q.answered === '1' ? (
          <p class="status ok" role="status">
            The answers are saved.
          </p>
        ) : null}
        {answered ? (
          <>
            <p class="muted">
              Answered {formatWhen(answered.submittedAt, tz)} (
              {answered.source === 'link' ? 'on their link' : answered.source}, version {answered.version})
            </p>
            <dl>
              {Object.entries(answered.answers).map(([id, a]) => (
                <>
                  <dt>{byId.get(id)?.label ?? id}</dt>
                  <dd>{answerText(byId.get(id), a, branches)}</dd>
                </>
              ))}
            </dl>
          </>
        ) : (
          <p class="muted">No answers yet.</p>
        )}
        {tags.length ? (
          <p>
            Preference tags:{' '}
            {tags.map((t) => (
              <span class="tag">{t}</span>
            ))}
          </p>
        ) : null}
        <p>
          <a href={`${base}/questionnaire`}>Fill in for the patient</a>
        </p>
        <form method="post" action={`${base}/links`}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <SendLinkChoice patient={p} />
          <button type="submit" class="secondary">
            Create questionnaire link
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="consent-form">
        <h2 id="consent-form">Give or withdraw consent</h2>
        {q.consented === '1' ? (
          <p class="status ok" role="status">
            Consent saved.
          </p>
        ) : null}
        <form method="post" action={`${base}/consent`}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <p class="muted">
            Tick what the patient agrees to now; untick to withdraw. Only a change is recorded.
          </p>
          {(['email', 'sms'] as const).map((ch) => (
            <label class="check">
              <input
                type="checkbox"
                name={`consent_${ch}`}
                value="yes"
                checked={ch === 'email' ? p.consentEmail : p.consentSms}
              />{' '}
              {ch === 'email' ? 'E-mail' : 'SMS'}: “{CONSENT_WORDING[ch]}”
            </label>
          ))}
          <button type="submit">Save consent</button>
        </form>
      </section>
    </>
  );
}

// ---------------------------------------------------------------------------------------------------
// Fill in for the patient

function FillPage(props: {
  s: Signed;
  patientId: string;
  read: NonNullable<Awaited<ReturnType<typeof readPatientQuestionnaire>>>;
  url: string | null;
  answers?: Record<string, unknown>;
  errors?: Record<string, string>;
  q: Record<string, string>;
}) {
  const { s, read } = props;
  const v = read.questionnaire;
  const base = `/console/patients/${props.patientId}`;
  const name = `${read.patient.firstName} ${read.patient.lastName}`;
  return (
    <ConsolePage
      title={`Questionnaire: ${name}`}
      principal={s.principal}
      csrf={s.session.csrf}
      area="patients"
      scripts={['/console/copy.js']}
      style={QUESTION_STYLE}
    >
      <p>
        <a href={base}>Back to {name}</a>
      </p>
      <h1>Questionnaire: {name}</h1>
      <Flash q={props.q} />
      {props.url ? (
        <section class="card" aria-labelledby="link">
          <h2 id="link">The patient's questionnaire link</h2>
          <QueuedFlash q={props.q} />
          <p>Send it to {read.patient.firstName} (it is personal, and works for 30 days):</p>
          <p class="code" id="questionnaire-link">
            {props.url}
          </p>
          <button
            type="button"
            class="small"
            data-copy="questionnaire-link"
            data-copy-status="copy-status"
            hidden
          >
            Copy the link
          </button>
          <p id="copy-status" role="status" class="muted" />
        </section>
      ) : null}
      {props.errors ? (
        <p class="status bad" role="alert">
          Some answers do not fit: see the questions marked below.
        </p>
      ) : null}
      <form method="post" action={`${base}/questionnaire`} class="card">
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        <input type="hidden" name="version" value={String(v.version)} />
        <p class="muted">
          {v.title} (version {v.version}). Read the consent words to the patient before ticking them.
        </p>
        <QuestionFields
          questions={v.questions}
          answers={props.answers ?? read.answers}
          errors={props.errors}
        />
        <ConsentFields wording={QUESTIONNAIRE_CONSENT_WORDING} current={read.consent} />
        <button type="submit">Save the answers</button>
      </form>
    </ConsolePage>
  );
}

// ---------------------------------------------------------------------------------------------------
// The editor

const TYPE_LABEL: Record<QuestionType, string> = {
  single: 'One choice',
  multiple: 'Several choices',
  text: 'Text',
  date: 'Date',
  scale: 'Scale 1-5',
};

/** Options as the editor writes them, one per line: `value | label | tags (comma separated) | category`. */
const optionsText = (q: Question) =>
  (q.options ?? [])
    .map((o) =>
      [o.value, o.label, (o.tags ?? []).join(', '), o.category ?? ''].join(' | ').replace(/( \| )+$/, ''),
    )
    .join('\n');

function parseOptions(text: string): Question['options'] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [value = '', label, tags, category] = line.split('|').map((x) => x.trim());
      return {
        value,
        label: label || value,
        ...(tags
          ? {
              tags: tags
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean),
            }
          : {}),
        ...((PARTNER_CATEGORIES as readonly string[]).includes(category ?? '')
          ? { category: category as PartnerCategory }
          : {}),
      };
    });
}

/** The questions an editor form sends: `q<n>.*` per row, kept unless removed, ordered by position. */
function questionsFromForm(f: Record<string, string>): Question[] {
  const rows: { pos: number; q: Question }[] = [];
  for (let i = 0; i <= MAX_QUESTIONS; i++) {
    const k = (name: string) => f[`q${i}.${name}`] ?? '';
    if (!(`q${i}.label` in f) || f[`q${i}.remove`] === 'yes') continue;
    const label = k('label').trim();
    const id =
      k('id').trim() ||
      label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '')
        .slice(0, 40);
    if (i === MAX_QUESTIONS && !label) continue; // the blank "new question" row, left blank
    const type = (QUESTION_TYPES as readonly string[]).includes(k('type'))
      ? (k('type') as QuestionType)
      : 'text';
    const role = (QUESTION_ROLES as readonly string[]).includes(k('role'))
      ? (k('role') as QuestionRole)
      : undefined;
    rows.push({
      pos: Number(k('position')) || i + 1,
      q: {
        id,
        type,
        label,
        ...(k('help').trim() ? { help: k('help').trim() } : {}),
        required: k('required') === 'yes',
        ...(role ? { role } : {}),
        ...(type === 'single' || type === 'multiple' ? { options: parseOptions(k('options')) } : {}),
      },
    });
  }
  return rows.sort((a, b) => a.pos - b.pos).map((r) => r.q);
}

function QuestionRow(props: { i: number; q: Question | null }) {
  const { i, q } = props;
  const n = (name: string) => `q${i}.${name}`;
  const fresh = q === null;
  return (
    <fieldset class="card">
      <legend>{fresh ? 'Add a question' : `Question ${i + 1}: ${q.id}`}</legend>
      {fresh ? null : <input type="hidden" name={n('id')} value={q.id} />}
      <label for={n('label')}>Question</label>
      <input id={n('label')} name={n('label')} value={q?.label ?? ''} maxlength={300} />
      <label for={n('help')}>Help text (optional)</label>
      <input id={n('help')} name={n('help')} value={q?.help ?? ''} maxlength={500} />
      <label for={n('type')}>Kind of answer</label>
      <select id={n('type')} name={n('type')}>
        {QUESTION_TYPES.map((t) => (
          <option value={t} selected={(q?.type ?? 'text') === t}>
            {TYPE_LABEL[t]}
          </option>
        ))}
      </select>
      <label for={n('role')}>What it tells us (optional)</label>
      <select id={n('role')} name={n('role')}>
        <option value="">Nothing more</option>
        {QUESTION_ROLES.map((r) => (
          <option value={r} selected={q?.role === r}>
            {r.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
      <label for={n('options')}>Choices, one per line: value | label | tags | partner category</label>
      <textarea id={n('options')} name={n('options')} rows={4}>
        {q ? optionsText(q) : ''}
      </textarea>
      <label class="check">
        <input type="checkbox" name={n('required')} value="yes" checked={q?.required ?? false} /> Required
      </label>
      <label for={n('position')}>Position</label>
      <input
        id={n('position')}
        name={n('position')}
        inputmode="numeric"
        value={String(fresh ? 999 : i + 1)}
      />
      {fresh ? null : (
        <label class="check">
          <input type="checkbox" name={n('remove')} value="yes" /> Remove this question
        </label>
      )}
    </fieldset>
  );
}

function EditorPage(props: {
  s: Signed;
  v: QuestionnaireView;
  versions: QuestionnaireView[];
  q: Record<string, string>;
  problem?: string;
}) {
  const { s, v } = props;
  const tz = s.principal.organization.timezone;
  return (
    <ConsolePage title="Questionnaire" principal={s.principal} csrf={s.session.csrf} area="questionnaire">
      <h1>Questionnaire</h1>
      <Flash q={props.q} ok={props.q.saved ? `Saved as version ${props.q.saved}.` : undefined} />
      {props.problem ? (
        <p class="status bad" role="alert">
          {props.problem}
        </p>
      ) : null}
      <p class="muted">
        Version {v.version}
        {v.version === 0 ? ' (the default every clinic starts from)' : ''}. Saving makes a new version;
        answers keep the version they answered.
      </p>
      <form method="post" action={EDITOR}>
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        <label for="title">Title</label>
        <input id="title" name="title" value={v.title} maxlength={200} required />
        <label for="intro">Introduction</label>
        <textarea id="intro" name="intro" rows={2} maxlength={2000}>
          {v.intro ?? ''}
        </textarea>
        {v.questions.map((q, i) => (
          <QuestionRow i={i} q={q} />
        ))}
        <QuestionRow i={MAX_QUESTIONS} q={null} />
        <button type="submit">Save as a new version</button>
      </form>
      <section class="card" aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        <TableWrap label="Versions">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Title</th>
                <th scope="col" class="num">
                  Questions
                </th>
                <th scope="col">Saved</th>
              </tr>
            </thead>
            <tbody>
              {props.versions.map((x) => (
                <tr>
                  <td>{x.version}</td>
                  <td>{x.title}</td>
                  <td class="num">{x.questions.length}</td>
                  <td>{x.createdAt === null ? 'the default' : formatWhen(x.createdAt, tz)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
    </ConsolePage>
  );
}

// ---------------------------------------------------------------------------------------------------
// Routes

export function registerConsoleQuestionnaire(app: Hono<AppEnv>) {
  app.get(
    EDITOR,
    page('questionnaire', async (c, s) => {
      const versions = await listQuestionnaireVersions(c.var.deps, { clinic: s.principal });
      return html(c, <EditorPage s={s} v={versions[0]!} versions={versions} q={c.req.query()} />);
    }),
  );

  app.post(
    EDITOR,
    action('questionnaire', async (c, s, f) => {
      const questions = questionsFromForm(f);
      return exactlyOnce(c, s, f, EDITOR, async () => {
        const out = await saveQuestionnaire(c.var.deps, {
          clinic: s.principal,
          title: f.title ?? '',
          intro: f.intro ?? null,
          questions,
        });
        if (!out.ok) return outcome(EDITOR, out.error);
        return { location: `${EDITOR}?saved=${out.value.version}` };
      });
    }),
  );

  app.get(
    '/console/patients/:id/questionnaire',
    page('patients', async (c, s) => {
      const patientId = c.req.param('id') ?? '';
      const linkId = c.req.query('link');
      const read = await readPatientQuestionnaire(c.var.deps, {
        clinicId: s.principal.organizationId,
        patientId,
        linkId: linkId && isId('lnk', linkId) ? linkId : undefined,
      });
      if (!read) return problemPage(c, s, 'patient_not_found', 404);
      const url = read.link ? await linkUrl(c.var.deps, read.link) : null;
      return html(c, <FillPage s={s} patientId={patientId} read={read} url={url} q={c.req.query()} />);
    }),
  );

  app.post(
    '/console/patients/:id/questionnaire',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}/questionnaire`;
      const read = await readPatientQuestionnaire(c.var.deps, {
        clinicId: s.principal.organizationId,
        patientId,
      });
      if (!read) return c.redirect(`${back}?error=patient_not_found`, 303);
      const answers = answersFromForm(read.questionnaire.questions, f);
      // Checked before the submission key is claimed, so the corrected form can be sent with it.
      const checked = checkAnswers(read.questionnaire.questions, answers);
      if (!checked.ok)
        return html(
          c,
          <FillPage
            s={s}
            patientId={patientId}
            read={read}
            url={null}
            answers={answers}
            errors={errorsByQuestion(checked.error.errors)}
            q={{}}
          />,
          422,
        );
      return exactlyOnce(c, s, f, back, async () => {
        const out = await submitAnswers(c.var.deps, {
          source: 'console',
          clinic: s.principal,
          patientId,
          version: read.questionnaire.version,
          answers,
          consent: consentFromForm(f),
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `/console/patients/${patientId}?answered=1#questionnaire-card` };
      });
    }),
  );

  app.post(
    '/console/patients/:id/links',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const send = sendFromForm(f);
      if (send === 'invalid') return c.redirect(`${back}?error=validation_failed&field=send`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await createPatientLink(c.var.deps, {
          clinic: s.principal,
          patientId,
          purpose: 'questionnaire',
          ...(send && { send }),
        });
        if (!out.ok) return outcome(back, out.error);
        const sent = sentParam(send, out.value.messageId);
        return { location: `${back}/questionnaire?link=${out.value.link.id}${sent ? `&${sent}` : ''}` };
      });
    }),
  );

  app.post(
    '/console/patients/:id/consent',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await updatePatient(c.var.deps, {
          clinic: s.principal,
          patientId,
          changes: {
            consent: {
              email: f.consent_email === 'yes',
              sms: f.consent_sms === 'yes',
              source: 'console',
              wording: CONSENT_WORDING,
              wordingVersion: CONSENT_WORDING_VERSION,
            },
          },
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?consented=1#consent-history` };
      });
    }),
  );
}
