import type { AnswerValue, ConsentChannel, Question } from '@gratia/db';
import type { AnswerMap, ConsentChoice } from '@gratia/insight';

// The questionnaire as a plain HTML form (no script), shared by the patient's link page and the
// console's "fill in for the patient": one field per question (`a.<id>`; a multiple choice is one
// checkbox per option, `a.<id>.<value>`, since a page form is read as one value per name), and the
// answers read back from the submitted fields.

const field = (id: string) => `a.${id}`;

/** The answers a submitted form gives, by question id (empty fields left out). */
export function answersFromForm(
  questions: readonly Question[],
  f: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of questions) {
    if (q.type === 'multiple') {
      const chosen = (q.options ?? [])
        .filter((o) => f[`${field(q.id)}.${o.value}`] === 'yes')
        .map((o) => o.value);
      if (chosen.length) out[q.id] = chosen;
      continue;
    }
    const v = (f[field(q.id)] ?? '').trim();
    if (v) out[q.id] = v;
  }
  return out;
}

/** The consent a submitted form gives: each channel shown is given (ticked) or not. */
export function consentFromForm(f: Record<string, string>): ConsentChoice {
  if (f.consent_shown !== '1') return {};
  return { email: f.consent_email === 'yes', sms: f.consent_sms === 'yes' };
}

const has = (a: AnswerValue | undefined, v: string) => (Array.isArray(a) ? a.includes(v) : a === v);

export function QuestionFields(props: {
  questions: readonly Question[];
  answers: AnswerMap | Record<string, unknown>;
  errors?: Record<string, string>;
  /** How a required question is marked, in the page's language ("(required)" when not said). */
  requiredText?: string;
}) {
  return (
    <>
      {props.questions.map((q) => {
        const a = props.answers[q.id] as AnswerValue | undefined;
        const error = props.errors?.[q.id];
        const id = field(q.id);
        const described = [q.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
        const legend = (
          <>
            {q.label}
            {q.required ? ` ${props.requiredText ?? '(required)'}` : ''}
          </>
        );
        const help = q.help ? (
          <p class="muted" id={`${id}-help`}>
            {q.help}
          </p>
        ) : null;
        const err = error ? (
          <p class="status bad" id={`${id}-error`}>
            {error}
          </p>
        ) : null;
        if (q.type === 'single' || q.type === 'multiple' || q.type === 'scale') {
          const options =
            q.type === 'scale'
              ? [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }))
              : (q.options ?? []);
          return (
            <fieldset class="question" aria-describedby={described || undefined}>
              <legend>{legend}</legend>
              {help}
              {err}
              {options.map((o) => (
                <label class="choice">
                  <input
                    type={q.type === 'multiple' ? 'checkbox' : 'radio'}
                    name={q.type === 'multiple' ? `${id}.${o.value}` : id}
                    value={q.type === 'multiple' ? 'yes' : o.value}
                    checked={has(a, o.value) || (q.type === 'scale' && a === Number(o.value))}
                  />{' '}
                  {o.label}
                </label>
              ))}
            </fieldset>
          );
        }
        return (
          <div class="question">
            <label for={id}>{legend}</label>
            {help}
            {err}
            {q.type === 'date' ? (
              <input
                id={id}
                name={id}
                type="date"
                value={typeof a === 'string' ? a : ''}
                aria-describedby={described || undefined}
              />
            ) : (
              <textarea id={id} name={id} rows={2} maxlength={1000} aria-describedby={described || undefined}>
                {typeof a === 'string' ? a : ''}
              </textarea>
            )}
          </div>
        );
      })}
    </>
  );
}

/** The consent part of the form: the exact words per channel, with a checkbox showing the state in force. */
export function ConsentFields(props: {
  wording: Readonly<Record<ConsentChannel, string>>;
  current: Record<ConsentChannel, boolean>;
  /** The question, in the page's language ("May we contact you?" when not said). */
  legend?: string;
}) {
  return (
    <fieldset class="question">
      <legend>{props.legend ?? 'May we contact you?'}</legend>
      <input type="hidden" name="consent_shown" value="1" />
      {(['email', 'sms'] as const).map((ch) => (
        <label class="choice">
          <input type="checkbox" name={`consent_${ch}`} value="yes" checked={props.current[ch]} />{' '}
          {props.wording[ch]}
        </label>
      ))}
    </fieldset>
  );
}

/** invalid_answers' field errors by question id (paths `answers.<id>`). */
export function errorsByQuestion(
  errors: { path: string; message: string }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) out[e.path.replace(/^answers\./, '')] ??= e.message;
  return out;
}

export const QUESTION_STYLE = `fieldset.question{border:0;padding:0;margin:1.1rem 0}fieldset.question legend{font-weight:600;padding:0}
label.choice{font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin:.45rem 0}label.choice input{width:auto;margin-top:.3rem}
div.question{margin:1.1rem 0}`;
