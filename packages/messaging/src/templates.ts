import { err, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  MESSAGE_CHANNELS,
  MESSAGE_KINDS,
  MESSAGE_PURPOSE,
  type MessageChannel,
  type MessageKind,
  type MessagePurpose,
  messageTemplates,
  type OrgPrincipal,
  PATIENT_LOCALES,
  type PatientLocale,
  runBatch,
  type StaffRole,
  staffRefusal,
} from '@gratia/db';
import { and, eq, sql } from 'drizzle-orm';
import { IntlMessageFormat } from 'intl-messageformat';
import { MESSAGE_VARIABLES, type TemplateText } from './default-templates';
import { defaultTemplate, renderMessage } from './render';
import { type SmsSegments, smsSegments } from './sms-segments';

// A clinic's own wording of its messages: per kind, channel and language, ICU MessageFormat over the
// kind's variables. Without one the default of default-templates.ts is sent. Owners and managers (and
// API keys) write and reset them; a template is checked before it is saved (it parses, names only its
// kind's variables, renders with sample values) so the consumer never meets one it cannot send.

export const TEMPLATE_EDITORS: readonly StaffRole[] = ['owner', 'manager'];

/** Bounds of a template's texts (characters). */
export const TEMPLATE_LIMITS = { subject: 200, email: 5000, sms: 1000 } as const;

/** The variables every message has, besides its kind's own. */
export const COMMON_VARIABLES = ['first_name', 'clinic_name'] as const;

export const templateVariables = (kind: MessageKind): readonly string[] => [
  ...COMMON_VARIABLES,
  ...MESSAGE_VARIABLES[kind],
];

export interface TemplateEntry {
  kind: MessageKind;
  channel: MessageChannel;
  locale: PatientLocale;
  purpose: MessagePurpose;
  subject: string | null;
  body: string;
  /** The clinic's own (true) or the default (false). */
  custom: boolean;
  updatedAt: number | null;
}

export interface TemplateKey {
  kind: MessageKind;
  channel: MessageChannel;
  locale: PatientLocale;
}

type FieldError = { path: string; message: string };

/** The variables that hold numbers (for plurals and number formats); every other one is text. */
export const NUMERIC_VARIABLES: readonly string[] = ['points'];

type Element = { type: number; value?: unknown; options?: object; children?: unknown[] };

/**
 * Every argument (and tag) a message names, through plurals, selects and tags, with the names used as
 * numbers (number, plural, selectordinal) and as dates or times (the variables are preformatted text).
 */
function argumentsOf(
  elements: unknown[],
  into = { names: new Set<string>(), numbers: new Set<string>(), dates: new Set<string>() },
) {
  for (const el of elements as Element[]) {
    // literal 0 and pound 7 name nothing; every other element names its argument in `value`.
    if (el.type !== 0 && el.type !== 7 && typeof el.value === 'string') {
      into.names.add(el.value);
      if (el.type === 2 || el.type === 6) into.numbers.add(el.value);
      if (el.type === 3 || el.type === 4) into.dates.add(el.value);
    }
    if (el.options)
      for (const o of Object.values(el.options) as { value: unknown[] }[]) argumentsOf(o.value, into);
    if (el.children) argumentsOf(el.children, into);
  }
  return into;
}

const braced = (names: Iterable<string>) => [...names].map((n) => `{${n}}`).join(', ');

function checkText(
  path: string,
  text: string,
  locale: PatientLocale,
  allowed: readonly string[],
): FieldError[] {
  let ast: unknown[];
  try {
    ast = new IntlMessageFormat(text, locale).getAst() as unknown[];
  } catch (e) {
    return [{ path, message: `does not parse: ${e instanceof Error ? e.message : String(e)}` }];
  }
  const used = argumentsOf(ast);
  const unknown = [...used.names].filter((n) => !allowed.includes(n));
  if (unknown.length > 0)
    return [{ path, message: `uses unknown variables ${braced(unknown)}; allowed: ${braced(allowed)}` }];
  const notNumbers = [...used.numbers].filter((n) => !NUMERIC_VARIABLES.includes(n));
  if (notNumbers.length > 0)
    return [
      {
        path,
        message: `counts ${braced(notNumbers)}, which is text: only ${braced(NUMERIC_VARIABLES)} is a number`,
      },
    ];
  if (used.dates.size > 0)
    return [
      { path, message: `formats ${braced(used.dates)} as a date or time: dates come formatted already` },
    ];
  return [];
}

/** What is wrong with a template, by field (empty: nothing). */
export function checkTemplate(key: TemplateKey, t: TemplateText): FieldError[] {
  const errors: FieldError[] = [];
  const allowed = templateVariables(key.kind);
  if (key.channel === 'email') {
    if (!t.subject?.trim()) errors.push({ path: 'subject', message: 'an e-mail needs a subject' });
    else if (t.subject.length > TEMPLATE_LIMITS.subject)
      errors.push({ path: 'subject', message: `must be at most ${TEMPLATE_LIMITS.subject} characters` });
    else errors.push(...checkText('subject', t.subject, key.locale, allowed));
  } else if (t.subject != null && t.subject !== '')
    errors.push({ path: 'subject', message: 'an SMS has no subject' });
  const max = TEMPLATE_LIMITS[key.channel];
  if (!t.body.trim()) errors.push({ path: 'body', message: 'must not be empty' });
  else if (t.body.length > max) errors.push({ path: 'body', message: `must be at most ${max} characters` });
  else errors.push(...checkText('body', t.body, key.locale, allowed));
  if (errors.length > 0) return errors;
  // Parsed with known names only; a trial with sample values catches a plural over a text variable.
  try {
    renderMessage({
      ...key,
      vars: sampleVars(key.kind, key.locale, 'Clinic', 'https://example.test'),
      template: t,
    });
  } catch (e) {
    errors.push({ path: 'body', message: `does not render: ${e instanceof Error ? e.message : String(e)}` });
  }
  return errors;
}

const SAMPLE_WORDS: Record<PatientLocale, { first: string; gift: string; purpose: string; reward: string }> =
  {
    en: {
      first: 'Anna',
      gift: 'a 30-minute massage',
      purpose: 'Time for your next check-up.',
      reward: '200 points',
    },
    es: {
      first: 'Ana',
      gift: 'un masaje de 30 minutos',
      purpose: 'Es hora de su próxima revisión.',
      reward: '200 puntos',
    },
    ru: {
      first: 'Анна',
      gift: 'массаж 30 минут',
      purpose: 'Пора на очередной осмотр.',
      reward: '200 баллов',
    },
  };

/** Values a preview fills a kind's variables with (the patient's words in the preview's language). */
export function sampleVars(kind: MessageKind, locale: PatientLocale, clinicName: string, baseUrl: string) {
  const w = SAMPLE_WORDS[locale];
  const url = `${baseUrl}/${kind === 'voucher_issued' ? 'r' : kind === 'staff_sign_in' ? 'staff/sign-in' : 'c'}/sample`;
  const all: Record<string, string | number> = {
    first_name: w.first,
    clinic_name: clinicName,
    gift: w.gift,
    url,
    expires_date: '2027-03-15',
    points: 125,
    purpose: w.purpose,
    reward: w.reward,
    side: 'referrer',
  };
  return Object.fromEntries(templateVariables(kind).map((k) => [k, all[k] ?? ''])) as Record<
    string,
    string | number
  >;
}

const mine = (clinicId: string, key: TemplateKey) =>
  and(
    eq(messageTemplates.clinicId, clinicId),
    eq(messageTemplates.kind, key.kind),
    eq(messageTemplates.channel, key.channel),
    eq(messageTemplates.locale, key.locale),
  );

const entryOf = (
  key: TemplateKey,
  row: { subject: string | null; body: string; updatedAt: number } | undefined,
): TemplateEntry =>
  row
    ? {
        ...key,
        purpose: MESSAGE_PURPOSE[key.kind],
        subject: key.channel === 'email' ? row.subject : null,
        body: row.body,
        custom: true,
        updatedAt: row.updatedAt,
      }
    : { ...key, purpose: MESSAGE_PURPOSE[key.kind], ...defaultOf(key), custom: false, updatedAt: null };

const defaultOf = (key: TemplateKey): TemplateText => {
  const { subject, body } = defaultTemplate(key.kind, key.channel, key.locale);
  return { subject, body };
};

/**
 * Every kind on every channel in every language, the clinic's own where it has one, else the default
 * (marked). One query: a clinic has at most kinds x channels x locales rows.
 */
export async function listMessageTemplates(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<Result<TemplateEntry[], Refusal<'forbidden'>>> {
  const refused = staffRefusal(input.clinic, TEMPLATE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const rows = await deps.db
    .select()
    .from(messageTemplates)
    .where(eq(messageTemplates.clinicId, input.clinic.organizationId));
  const own = new Map(rows.map((r) => [`${r.kind}/${r.channel}/${r.locale}`, r]));
  const out: TemplateEntry[] = [];
  for (const kind of MESSAGE_KINDS)
    for (const channel of MESSAGE_CHANNELS)
      for (const locale of PATIENT_LOCALES)
        out.push(entryOf({ kind, channel, locale }, own.get(`${kind}/${channel}/${locale}`)));
  return ok(out);
}

/** Saves the clinic's wording of one message (replacing its own), with an audit entry, in one batch. */
export async function saveMessageTemplate(
  deps: Deps,
  input: TemplateKey & { clinic: OrgPrincipal; subject: string | null; body: string },
): Promise<Result<TemplateEntry, Refusal<'forbidden' | 'template_invalid' | 'unauthorized'>>> {
  const refused = staffRefusal(input.clinic, TEMPLATE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const key: TemplateKey = { kind: input.kind, channel: input.channel, locale: input.locale };
  const text: TemplateText = {
    subject: input.channel === 'email' ? input.subject : input.subject || null,
    body: input.body,
  };
  const errors = checkTemplate(key, text);
  if (errors.length > 0)
    return err({
      code: 'template_invalid',
      detail: errors.map((e) => `${e.path} ${e.message}`).join('; '),
      errors,
    });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const values = { subject: key.channel === 'email' ? text.subject : null, body: text.body, updatedAt: now };
  const live = sql`exists (select 1 from api_keys k where k.id = ${input.clinic.keyId} and k.revoked_at is null)`;
  const out = await runBatch(db, {
    save: db
      .insert(messageTemplates)
      .select(
        sql`select ${clinicId}, ${key.kind}, ${key.channel}, ${key.locale}, ${values.subject}, ${values.body}, ${now}
          where ${live}`,
      )
      .onConflictDoUpdate({
        target: [
          messageTemplates.clinicId,
          messageTemplates.kind,
          messageTemplates.channel,
          messageTemplates.locale,
        ],
        set: values,
      }),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'message_template.save',
      subject: { type: 'message_template', id: `${key.kind}/${key.channel}/${key.locale}` },
      detail: { ...key, subject: values.subject, body: values.body },
      at: now,
    }),
    after: db.select().from(messageTemplates).where(mine(clinicId, key)),
  });
  const saved = out.after[0];
  if (!saved || saved.updatedAt !== now)
    return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok(entryOf(key, saved));
}

/** Takes one message back to the default wording, with an audit entry; without its own, not found. */
export async function resetMessageTemplate(
  deps: Deps,
  input: TemplateKey & { clinic: OrgPrincipal },
): Promise<Result<TemplateEntry, Refusal<'forbidden' | 'message_template_not_found' | 'unauthorized'>>> {
  const refused = staffRefusal(input.clinic, TEMPLATE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const key: TemplateKey = { kind: input.kind, channel: input.channel, locale: input.locale };
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const found = sql`exists (select 1 from message_templates t where t.clinic_id = ${clinicId}
    and t.kind = ${key.kind} and t.channel = ${key.channel} and t.locale = ${key.locale})`;
  const live = sql`exists (select 1 from api_keys k where k.id = ${input.clinic.keyId} and k.revoked_at is null)`;
  const out = await runBatch(db, {
    before: db
      .select({ n: sql<number>`1`.as('n') })
      .from(messageTemplates)
      .where(mine(clinicId, key)),
    // The entry first, under the delete's own guard: in the batch's transaction both hold or neither.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'message_template.reset',
      subject: { type: 'message_template', id: `${key.kind}/${key.channel}/${key.locale}` },
      detail: { ...key },
      when: found,
      at: now,
    }),
    reset: db.delete(messageTemplates).where(and(mine(clinicId, key), live)),
    after: db
      .select({ n: sql<number>`1`.as('n') })
      .from(messageTemplates)
      .where(mine(clinicId, key)),
  });
  if (out.before.length === 0)
    return err({
      code: 'message_template_not_found',
      detail: `The clinic has no template of its own for ${key.kind} by ${key.channel} in ${key.locale}`,
    });
  if (out.after.length > 0) return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok(entryOf(key, undefined));
}

export interface TemplatePreview {
  kind: MessageKind;
  channel: MessageChannel;
  locale: PatientLocale;
  subject: string | null;
  body: string;
  /** SMS only: how it travels. */
  sms: SmsSegments | null;
  variables: Record<string, string | number>;
}

/**
 * A message as a patient would read it: the given text (unsaved, from the editor), else the clinic's
 * saved template, else the default, with sample values of the kind's variables. One query.
 */
export async function previewMessageTemplate(
  deps: Deps,
  input: TemplateKey & { clinic: OrgPrincipal; subject?: string | null; body?: string | null },
): Promise<Result<TemplatePreview, Refusal<'forbidden' | 'template_invalid'>>> {
  const refused = staffRefusal(input.clinic, TEMPLATE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const key: TemplateKey = { kind: input.kind, channel: input.channel, locale: input.locale };
  const clinicId = input.clinic.organizationId;
  const { db } = deps;
  const saved = given(input) ? [] : await db.select().from(messageTemplates).where(mine(clinicId, key));
  const template: TemplateText = given(input)
    ? {
        subject: input.channel === 'email' ? (input.subject ?? null) : input.subject || null,
        body: input.body!,
      }
    : entryOf(key, saved[0]);
  if (given(input)) {
    const errors = checkTemplate(key, template);
    if (errors.length > 0)
      return err({
        code: 'template_invalid',
        detail: errors.map((e) => `${e.path} ${e.message}`).join('; '),
        errors,
      });
  }
  const variables = sampleVars(key.kind, key.locale, input.clinic.organization.name, deps.config.baseUrl);
  const out = renderMessage({ ...key, vars: variables, template });
  return ok({
    ...key,
    subject: out.subject,
    body: out.body,
    sms: key.channel === 'sms' ? smsSegments(out.body) : null,
    variables,
  });
}

const given = (i: { body?: string | null }) => i.body != null;
