import { ERROR_TEXT, type ErrorCode } from '@gratia/core';
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../env';
import { ConsolePage, html, type Signed } from './shell';

// What the Patients and gift pages share: a page that says something was not found (or cannot be
// read) inside the console's frame, labelled form fields with their error, and dates in the clinic's
// timezone.

/** A refusal of the request itself, as a page in the frame: an unknown id (404) or a bad link (400). */
export function problemPage(
  c: Context<AppEnv>,
  s: Signed,
  code: ErrorCode,
  status: 400 | 404,
  back = { href: '/console/patients', label: 'Back to Patients' },
) {
  return html(
    c,
    <ConsolePage
      title={status === 404 ? 'Not found' : 'Not available'}
      principal={s.principal}
      csrf={s.session.csrf}
      area="patients"
    >
      <h1>{status === 404 ? 'Not found' : 'Not available'}</h1>
      <p class="status bad" role="alert">
        {ERROR_TEXT[code]}
      </p>
      <p>
        <a href={back.href}>{back.label}</a>
      </p>
    </ConsolePage>,
    status,
  );
}

/** A date and time in the clinic's timezone. */
export function formatWhen(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(ms),
  );
}

/** A card number in groups of four, as printed on a card. */
export const groupedCard = (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1 ');

/** A labelled input with its hint and error, tied together for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  value?: string;
  error?: string;
  hint?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
  inputmode?: 'decimal' | 'email' | 'numeric' | 'tel' | 'text';
  pattern?: string;
  min?: string;
  max?: string;
  multiline?: boolean;
}) {
  const described = [props.hint ? `${props.name}-hint` : '', props.error ? `${props.name}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id: props.name,
    name: props.name,
    required: props.required,
    maxlength: props.maxlength,
    'aria-invalid': props.error ? 'true' : undefined,
    'aria-describedby': described || undefined,
  };
  return (
    <>
      <label for={props.name}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3}>
          {props.value ?? ''}
        </textarea>
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          value={props.value ?? ''}
          autocomplete={props.autocomplete}
          inputmode={props.inputmode}
          pattern={props.pattern}
          min={props.min}
          max={props.max}
        />
      )}
      {props.hint ? (
        <p class="hint" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${props.name}-error`}>
          {props.error}
        </p>
      ) : null}
    </>
  );
}

/** A table that may scroll sideways on a phone: a named region a keyboard can reach and scroll. */
export function TableWrap(props: { label: string; children: Child }) {
  return (
    <section class="table-wrap" aria-label={props.label} tabindex={0}>
      {props.children}
    </section>
  );
}
