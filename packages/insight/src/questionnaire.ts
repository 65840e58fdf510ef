import { err, type FieldError, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type AnswerSource,
  type AnswerValue,
  actorOf,
  auditEntry,
  type ClinicBranch,
  type ConsentChannel,
  clinicBranches,
  consentEvents,
  type Db,
  type Deps,
  IDEMPOTENCY_RETENTION_MS,
  idempotencyKeys,
  type OrgPrincipal,
  PARTNER_CATEGORIES,
  type PartnerCategory,
  type PatientLink,
  type PatientLocale,
  patientInsight,
  patientLinks,
  patients,
  QUESTION_ROLES,
  QUESTION_TYPES,
  type Question,
  type QuestionnaireResponse,
  questionnaireResponses,
  questionnaires,
  runBatch,
  staffRefusal,
} from '@gratia/db';
import { and, asc, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import {
  DEFAULT_QUESTIONNAIRE_INTRO,
  DEFAULT_QUESTIONNAIRE_TITLE,
  DEFAULT_QUESTIONS,
  QUESTIONNAIRE_CONSENT_WORDINGS,
  QUESTIONNAIRE_WITHDRAW_WORDINGS,
  questionnaireConsentVersion,
} from './default-questionnaire';
import { ensureRow, refreshPatientInsight } from './refresh';

// A clinic's questionnaire (versioned: each save is a new version, kept whole, and an answer names the
// version it answered) and a patient's answers to it, given on their personal link, by staff in the
// console, or over the API. The answers turn into what the clinic knows of the patient (preference tags,
// partner categories, preferred branch, channel and time, birth month) on their insight row, in the
// batch that records them; the consent asked on the questionnaire is kept as proof (the exact words,
// their version, when, from where, on which channel) and withdrawing takes one tap.

export const QUESTIONNAIRE_EDITORS = ['owner', 'manager'] as const;
export const MAX_QUESTIONS = 40;
const MAX_OPTIONS = 40;
const MAX_TEXT_ANSWER = 1000;
const QUESTION_ID = /^[a-z][a-z0-9_]{0,39}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A questionnaire as shown and checked: the clinic's branches filled in as the branch question's choices. */
export interface QuestionnaireView {
  /** Null for the default (version 0) while no answer or save has stored it. */
  id: string | null;
  version: number;
  title: string;
  intro: string | null;
  questions: Question[];
  createdAt: number | null;
}

export interface QuestionnaireInput {
  title: string;
  intro?: string | null;
  questions: Question[];
}

const DEFAULT_VIEW: QuestionnaireView = {
  id: null,
  version: 0,
  title: DEFAULT_QUESTIONNAIRE_TITLE,
  intro: DEFAULT_QUESTIONNAIRE_INTRO,
  questions: [...DEFAULT_QUESTIONS],
  createdAt: null,
};

/**
 * The questions as a patient sees them: the branch question's choices are the clinic's live branches
 * (value: the branch id), and it is left out when the clinic has none.
 */
export function withBranches(questions: readonly Question[], branches: readonly ClinicBranch[]): Question[] {
  return questions.flatMap((q) => {
    if (q.role !== 'branch') return [q];
    if (branches.length === 0) return [];
    return [{ ...q, options: branches.map((b) => ({ value: b.id, label: b.name })) }];
  });
}

const liveBranches = (db: Db, clinicId: string) =>
  db
    .select()
    .from(clinicBranches)
    .where(and(eq(clinicBranches.clinicId, clinicId), isNull(clinicBranches.archivedAt)))
    .orderBy(asc(clinicBranches.name));

const latestVersion = (db: Db, clinicId: string) =>
  db
    .select()
    .from(questionnaires)
    .where(eq(questionnaires.clinicId, clinicId))
    .orderBy(desc(questionnaires.version))
    .limit(1);

type QuestionnaireRow = typeof questionnaires.$inferSelect;
const viewOf = (row: QuestionnaireRow | undefined, branches: readonly ClinicBranch[]): QuestionnaireView => {
  const base = row
    ? {
        id: row.id,
        version: row.version,
        title: row.title,
        intro: row.intro,
        questions: row.questions,
        createdAt: row.createdAt,
      }
    : DEFAULT_VIEW;
  return { ...base, questions: withBranches(base.questions, branches) };
};

/** The clinic's questionnaire now (its latest version, or the default), in one round trip. */
export async function readQuestionnaire(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<QuestionnaireView> {
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    latest: latestVersion(db, clinicId),
    branches: liveBranches(db, clinicId),
  });
  return viewOf(read.latest[0], read.branches);
}

/** Every version of the clinic's questionnaire, newest first; the default (version 0) last unless stored. */
export async function listQuestionnaireVersions(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<QuestionnaireView[]> {
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    versions: db
      .select()
      .from(questionnaires)
      .where(eq(questionnaires.clinicId, clinicId))
      .orderBy(desc(questionnaires.version))
      .limit(200),
    branches: liveBranches(db, clinicId),
  });
  const views = read.versions.map((r) => viewOf(r, read.branches));
  if (!views.some((v) => v.version === 0)) views.push(viewOf(undefined, read.branches));
  return views;
}

/** The questions of a new version, checked: what is wrong, by path, or the questions as stored. */
export function checkQuestions(
  questions: readonly Question[],
): Result<Question[], Refusal<'validation_failed'>> {
  const errors: FieldError[] = [];
  const bad = (path: string, message: string) => errors.push({ path, message });
  if (questions.length === 0) bad('questions', 'must have at least one question');
  if (questions.length > MAX_QUESTIONS) bad('questions', `must have at most ${MAX_QUESTIONS} questions`);
  const ids = new Set<string>();
  const roles = new Set<string>();
  const out: Question[] = [];
  questions.forEach((q, i) => {
    const at = `questions.${i}`;
    if (!QUESTION_ID.test(q.id)) bad(`${at}.id`, 'must be lower-case letters, digits and _ (at most 40)');
    else if (ids.has(q.id)) bad(`${at}.id`, `the id ${q.id} is used twice`);
    ids.add(q.id);
    if (!(QUESTION_TYPES as readonly string[]).includes(q.type)) bad(`${at}.type`, 'is not a question type');
    const label = q.label.trim();
    if (!label) bad(`${at}.label`, 'must not be empty');
    if (q.role !== undefined) {
      if (!(QUESTION_ROLES as readonly string[]).includes(q.role))
        bad(`${at}.role`, 'is not a question role');
      else if (roles.has(q.role)) bad(`${at}.role`, `only one question may have the role ${q.role}`);
      roles.add(q.role);
    }
    const choice = q.type === 'single' || q.type === 'multiple';
    const options = choice && q.role !== 'branch' ? (q.options ?? []) : [];
    if (choice && q.role !== 'branch' && options.length === 0) bad(`${at}.options`, 'a choice needs options');
    if (options.length > MAX_OPTIONS) bad(`${at}.options`, `at most ${MAX_OPTIONS} options`);
    const values = new Set<string>();
    options.forEach((o, j) => {
      const value = o.value.trim();
      if (!value) bad(`${at}.options.${j}.value`, 'must not be empty');
      else if (values.has(value)) bad(`${at}.options.${j}.value`, `the value ${value} is used twice`);
      values.add(value);
      if (!o.label.trim()) bad(`${at}.options.${j}.label`, 'must not be empty');
      if (o.category !== undefined && !(PARTNER_CATEGORIES as readonly string[]).includes(o.category))
        bad(`${at}.options.${j}.category`, 'is not a partner category');
    });
    if (q.role === 'birthday' && q.type !== 'date') bad(`${at}.type`, 'a birthday question is a date');
    if (q.role === 'branch' && q.type !== 'single') bad(`${at}.type`, 'a branch question is a single choice');
    out.push({
      id: q.id,
      type: q.type,
      label,
      ...(q.help?.trim() ? { help: q.help.trim() } : {}),
      required: q.required,
      ...(q.role ? { role: q.role } : {}),
      ...(choice
        ? {
            options: options.map((o) => ({
              value: o.value.trim(),
              label: o.label.trim(),
              ...(o.tags?.length ? { tags: [...new Set(o.tags.map((t) => t.trim()).filter(Boolean))] } : {}),
              ...(o.category ? { category: o.category } : {}),
            })),
          }
        : {}),
    });
  });
  if (errors.length)
    return err({
      code: 'validation_failed',
      detail: errors.map((e) => `${e.path} ${e.message}`).join('; '),
      errors,
    });
  return ok(out);
}

/**
 * Saves a new version of the clinic's questionnaire (owners and managers; any API key), with its audit
 * entry, in one batch. Question ids are the clinic's to keep stable: answers are kept by them.
 */
export async function saveQuestionnaire(
  deps: Deps,
  input: { clinic: OrgPrincipal } & QuestionnaireInput,
): Promise<Result<QuestionnaireView, Refusal<'forbidden' | 'validation_failed'>>> {
  const refused = staffRefusal(input.clinic, QUESTIONNAIRE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const checked = checkQuestions(input.questions);
  if (!checked.ok) return checked;
  const title = input.title.trim();
  if (!title)
    return err({
      code: 'validation_failed',
      detail: 'title must not be empty',
      errors: [{ path: 'title', message: 'must not be empty' }],
    });
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('qst', now);
  const clinicId = input.clinic.organizationId;
  const done = await runBatch(db, {
    insert: db.insert(questionnaires).select(
      sql`select ${id}, ${clinicId},
          coalesce((select max(version) from questionnaires where clinic_id = ${clinicId}), 0) + 1,
          ${title}, ${input.intro?.trim() || null}, ${JSON.stringify(checked.value)}, ${input.clinic.keyId}, ${now}
        where exists (select 1 from api_keys k where k.id = ${input.clinic.keyId} and k.revoked_at is null)`,
    ),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'questionnaire.update',
      subject: { type: 'questionnaire', id },
      detail: sql`(select json_object('version', q.version, 'questions', json_array_length(q.questions))
        from questionnaires q where q.id = ${id})`,
      when: sql`exists (select 1 from questionnaires q where q.id = ${id})`,
      at: now,
    }),
    latest: latestVersion(db, clinicId),
    branches: liveBranches(db, clinicId),
  });
  return ok(viewOf(done.latest[0], done.branches));
}

// ---------------------------------------------------------------------------------------------------
// Answers

export type AnswerMap = Record<string, AnswerValue>;

const invalid = (errors: FieldError[]): Refusal<'invalid_answers'> => ({
  code: 'invalid_answers',
  detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
  errors,
});

const realDate = (d: string) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return DATE.test(d) && Number.isFinite(t) && new Date(t).toISOString().startsWith(d) && d >= '1900-01-01';
};

/**
 * The answers checked against the questions of the version they answer: every question answered by id,
 * required ones present, choices among the options, a scale 1 to 5, a date YYYY-MM-DD. Empty answers
 * are left out; what is wrong is named by question.
 */
export function checkAnswers(
  questions: readonly Question[],
  answers: Readonly<Record<string, unknown>>,
): Result<AnswerMap, Refusal<'invalid_answers'>> {
  const errors: FieldError[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const id of Object.keys(answers))
    if (!byId.has(id)) errors.push({ path: `answers.${id}`, message: 'is not a question of this version' });
  const out: AnswerMap = {};
  for (const q of questions) {
    const path = `answers.${q.id}`;
    const raw = answers[q.id];
    const empty =
      raw === undefined ||
      raw === null ||
      (typeof raw === 'string' && raw.trim() === '') ||
      (Array.isArray(raw) && raw.length === 0);
    if (empty) {
      if (q.required) errors.push({ path, message: `"${q.label}" needs an answer` });
      continue;
    }
    const values = new Set((q.options ?? []).map((o) => o.value));
    switch (q.type) {
      case 'single':
        if (typeof raw !== 'string' || !values.has(raw))
          errors.push({ path, message: `"${q.label}": not one of the choices` });
        else out[q.id] = raw;
        break;
      case 'multiple': {
        const list = Array.isArray(raw) ? raw : [raw];
        if (!list.every((v): v is string => typeof v === 'string' && values.has(v)))
          errors.push({ path, message: `"${q.label}": not among the choices` });
        else out[q.id] = [...new Set(list)];
        break;
      }
      case 'text':
        if (typeof raw !== 'string') errors.push({ path, message: `"${q.label}": must be text` });
        else if (raw.trim().length > MAX_TEXT_ANSWER)
          errors.push({ path, message: `"${q.label}": at most ${MAX_TEXT_ANSWER} characters` });
        else out[q.id] = raw.trim();
        break;
      case 'date':
        if (typeof raw !== 'string' || !realDate(raw))
          errors.push({ path, message: `"${q.label}": must be a real date as YYYY-MM-DD` });
        else out[q.id] = raw;
        break;
      case 'scale': {
        const n = typeof raw === 'string' && /^\d$/.test(raw) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 5)
          errors.push({ path, message: `"${q.label}": must be a whole number from 1 to 5` });
        else out[q.id] = n;
        break;
      }
    }
  }
  return errors.length ? err(invalid(errors)) : ok(out);
}

/** What answers tell the clinic about the patient, by question role and by the options chosen. */
export interface DerivedInsight {
  tags: string[];
  categories: PartnerCategory[];
  branchId: string | null;
  channel: string | null;
  time: string | null;
  birthDate: string | null;
  birthMonth: number | null;
}

export function deriveInsight(questions: readonly Question[], answers: AnswerMap): DerivedInsight {
  const tags = new Set<string>();
  const categories = new Set<PartnerCategory>();
  const out: DerivedInsight = {
    tags: [],
    categories: [],
    branchId: null,
    channel: null,
    time: null,
    birthDate: null,
    birthMonth: null,
  };
  for (const q of questions) {
    const a = answers[q.id];
    if (a === undefined || a === null) continue;
    const chosen = typeof a === 'string' ? [a] : Array.isArray(a) ? a : [];
    if (q.type === 'single' || q.type === 'multiple')
      for (const o of q.options ?? [])
        if (chosen.includes(o.value)) {
          for (const t of o.tags ?? []) tags.add(t);
          if (o.category) categories.add(o.category);
        }
    const single = typeof a === 'string' ? a : null;
    if (q.role === 'branch') out.branchId = single;
    if (q.role === 'contact_channel') out.channel = single;
    if (q.role === 'contact_time') out.time = single;
    if (q.role === 'birthday' && single) {
      out.birthDate = single;
      out.birthMonth = Number(single.slice(5, 7));
    }
  }
  out.tags = [...tags].sort();
  out.categories = [...categories].sort();
  return out;
}

export type ConsentChoice = Partial<Record<ConsentChannel, boolean>>;

/** Where consent was recorded, as the consent history says it. */
const CONSENT_SOURCE: Record<AnswerSource, string> = {
  link: 'questionnaire_link',
  console: 'console',
  api: 'api',
};

/**
 * The statements recording consent changes as proof: per channel whose state differs from the row's,
 * an event with the words shown and their version (inserted from the row itself, so a repeat records
 * nothing), then the row's state. `guard` holds when the operation applies.
 */
function consentStatements(
  db: Db,
  input: {
    patientId: string;
    choice: ConsentChoice;
    source: string;
    keyId: string | null;
    wording: Readonly<Record<ConsentChannel, string>>;
    /** The version of those words (per language). */
    version: string;
    now: number;
    guard: SQL;
  },
) {
  const channels = (['email', 'sms'] as const).filter((ch) => input.choice[ch] !== undefined);
  const ids = channels.map(() => newId('cns', input.now));
  const events = channels.map((channel, i) => {
    const granted = input.choice[channel]!;
    const column = channel === 'email' ? patients.consentEmail : patients.consentSms;
    // A withdrawal withdraws the service-only consent too (scope `all`).
    const service = channel === 'email' ? patients.consentEmailService : patients.consentSmsService;
    return db.insert(consentEvents).select(
      sql`select ${ids[i]}, ${patients.id}, ${channel}, ${granted}, ${input.source}, ${input.keyId},
        ${input.now}, ${input.wording[channel]}, ${input.version}, 'all'
        from ${patients} where ${patients.id} = ${input.patientId} and (${column} <> ${granted}
          or (not ${granted} and ${service} = 1)) and ${input.guard}`,
    );
  });
  const set = {
    ...(input.choice.email !== undefined && { consentEmail: input.choice.email }),
    ...(input.choice.sms !== undefined && { consentSms: input.choice.sms }),
    ...(input.choice.email === false && { consentEmailService: false }),
    ...(input.choice.sms === false && { consentSmsService: false }),
  };
  const changed = ids.length ? sql`exists (select 1 from consent_events e where e.id in ${ids})` : sql`0`;
  const update = db
    .update(patients)
    .set({ ...set, updatedAt: input.now })
    .where(and(eq(patients.id, input.patientId), changed));
  return { events, update: ids.length ? [update] : [], changed };
}

/** Who answers: the patient on their link, or a clinic (its staff in the console, or an API key). */
export type Answerer =
  | { source: 'link'; link: PatientLink; submissionKey?: string }
  | { source: 'console' | 'api'; clinic: OrgPrincipal };

export interface SubmittedAnswers {
  /** The response recorded; null when a repeated submission (same one-time key) recorded nothing more. */
  response: QuestionnaireResponse | null;
  insight: DerivedInsight | null;
  consentChanged: ConsentChannel[];
}

/**
 * Records a patient's answers to a version of their clinic's questionnaire: checked against that
 * version (with the clinic's live branches), then ONE batch inserts the response, writes what the
 * answers tell onto the patient's insight row, fills their birth date when unknown, records the consent
 * changes as proof, marks the link used (a questionnaire link may be answered again until it expires),
 * writes the audit entry and refreshes the insight row. The default (version 0) is stored the first time
 * it is answered. On a link with a one-time submission key, a repeated submit records nothing more.
 */
export async function submitAnswers(
  deps: Deps,
  input: Answerer & {
    patientId: string;
    version: number;
    answers: Readonly<Record<string, unknown>>;
    consent?: ConsentChoice;
    /** The language the consent sentences were shown in (their words are stored): English by default. */
    locale?: PatientLocale;
  },
): Promise<
  Result<
    SubmittedAnswers,
    Refusal<
      'patient_not_found' | 'link_not_found' | 'questionnaire_not_found' | 'invalid_answers' | 'unauthorized'
    >
  >
> {
  const { db } = deps;
  const link = input.source === 'link' ? input.link : null;
  if (link && link.patientId !== input.patientId) return err({ code: 'link_not_found' });
  if (!isId('pat', input.patientId))
    return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const clinicId = link ? link.clinicId : (input as { clinic: OrgPrincipal }).clinic.organizationId;
  const keyId = link ? null : (input as { clinic: OrgPrincipal }).clinic.keyId;
  const read = await runBatch(db, {
    version: db
      .select()
      .from(questionnaires)
      .where(and(eq(questionnaires.clinicId, clinicId), eq(questionnaires.version, input.version))),
    branches: liveBranches(db, clinicId),
    patient: db
      .select({ id: patients.id, birthDate: patients.birthDate })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
  });
  if (read.patient.length === 0)
    return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const stored = read.version[0];
  if (!stored && input.version !== 0)
    return err({
      code: 'questionnaire_not_found',
      detail: `No version ${input.version} of the questionnaire`,
    });
  const questions = withBranches(stored ? stored.questions : DEFAULT_QUESTIONS, read.branches);
  const checked = checkAnswers(questions, input.answers);
  if (!checked.ok) return checked;
  const answers = checked.value;
  const derived = deriveInsight(questions, answers);

  const now = deps.clock.now();
  const id = newId('qrs', now);
  const claimToken = newId('qrs', now);
  const claim =
    link && input.source === 'link' && input.submissionKey
      ? { scope: link.id, key: `q:${input.submissionKey}` }
      : null;
  const fresh = claim
    ? sql`exists (select 1 from idempotency_keys i
        where i.scope = ${claim.scope} and i.key = ${claim.key} and i.claim = ${claimToken})`
    : sql`1`;
  const allowed = link
    ? sql`exists (select 1 from patient_links l where l.id = ${link.id} and l.expires_at > ${now}
        and l.revoked_at is null)`
    : sql`exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`;
  const done = sql`exists (select 1 from questionnaire_responses r where r.id = ${id})`;
  const consent = consentStatements(db, {
    patientId: input.patientId,
    choice: input.consent ?? {},
    source: CONSENT_SOURCE[input.source],
    keyId,
    wording: QUESTIONNAIRE_CONSENT_WORDINGS[input.locale ?? 'en'],
    version: questionnaireConsentVersion(input.locale ?? 'en'),
    now,
    guard: done,
  });
  const out = await runBatch(db, {
    ...(claim
      ? {
          claim: db
            .insert(idempotencyKeys)
            .values({
              scope: claim.scope,
              key: claim.key,
              requestHash: claim.key,
              state: 'done',
              claim: claimToken,
              responseStatus: 303,
              responseBody: '',
              createdAt: now,
              expiresAt: now + IDEMPOTENCY_RETENTION_MS,
            })
            .onConflictDoNothing(),
        }
      : {}),
    ...(stored
      ? {}
      : {
          materialise: db
            .insert(questionnaires)
            .values({
              id: newId('qst', now),
              clinicId,
              version: 0,
              title: DEFAULT_QUESTIONNAIRE_TITLE,
              intro: DEFAULT_QUESTIONNAIRE_INTRO,
              questions: [...DEFAULT_QUESTIONS],
              apiKeyId: null,
              createdAt: now,
            })
            .onConflictDoNothing(),
        }),
    response: db.insert(questionnaireResponses).select(
      sql`select ${id}, ${clinicId}, ${input.patientId},
          (select q.id from questionnaires q where q.clinic_id = ${clinicId} and q.version = ${input.version}),
          ${input.version}, ${JSON.stringify(answers)}, ${input.source}, ${link?.id ?? null}, ${keyId}, ${now}
        where ${fresh} and ${allowed}`,
    ),
    ensureInsight: ensureRow(db, input.patientId, now, clinicId),
    insight: db
      .update(patientInsight)
      .set({
        // The tags staff noted and the tags the answers give, once each.
        preferenceTags: sql`(select json_group_array(t) from (select value as t
            from json_each((select p.tags from patients p where p.id = ${input.patientId}))
            union select value from json_each(${JSON.stringify(derived.tags)}) order by 1))`,
        categories: derived.categories,
        preferredBranchId: derived.branchId,
        preferredChannel: derived.channel,
        preferredTime: derived.time,
        birthMonth: sql`coalesce(${derived.birthMonth}, (select cast(substr(p.birth_date, 6, 2) as integer)
            from patients p where p.id = ${input.patientId}))`,
        answers,
        answeredAt: now,
      })
      .where(and(eq(patientInsight.patientId, input.patientId), done)),
    birthDate: db
      .update(patients)
      .set({ birthDate: derived.birthDate, updatedAt: now })
      .where(
        and(
          eq(patients.id, input.patientId),
          isNull(patients.birthDate),
          sql`${derived.birthDate} is not null`,
          done,
        ),
      ),
    consentEvents: consent.events,
    consentUpdate: consent.update,
    ...(link
      ? {
          link: db
            .update(patientLinks)
            .set({ completedAt: now })
            .where(and(eq(patientLinks.id, link.id), done)),
        }
      : {}),
    audit: auditEntry(db, {
      actor: link ? 'patient' : actorOf((input as { clinic: OrgPrincipal }).clinic),
      organizationId: clinicId,
      action: 'questionnaire.answer',
      subject: { type: 'questionnaire_response', id },
      patientId: input.patientId,
      detail: { version: input.version, source: input.source },
      when: done,
      at: now,
    }),
    refresh: refreshPatientInsight(db, input.patientId, now, clinicId),
    after: db.select().from(questionnaireResponses).where(eq(questionnaireResponses.id, id)),
    changed: db.select({ channel: consentEvents.channel }).from(consentEvents).where(consent.changed),
  });
  const response = out.after[0];
  if (response) return ok({ response, insight: derived, consentChanged: out.changed.map((c) => c.channel) });
  if (claim) return ok({ response: null, insight: null, consentChanged: [] });
  return link
    ? err({ code: 'link_not_found' })
    : err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}

/**
 * Withdraws (or gives) consent from the patient's own link page: one tap per channel, recorded as proof
 * exactly like a questionnaire's consent (the words of the button, their version, the link as source),
 * with an audit entry, in one batch. Sending the state in force records nothing.
 */
export async function setConsentByLink(
  deps: Deps,
  input: { link: PatientLink; channel: ConsentChannel; granted: boolean; locale?: PatientLocale },
): Promise<Result<{ changed: boolean }, Refusal<'link_not_found'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const { link } = input;
  const live = sql`exists (select 1 from patient_links l where l.id = ${link.id} and l.expires_at > ${now}
    and l.revoked_at is null)`;
  const consent = consentStatements(db, {
    patientId: link.patientId,
    choice: { [input.channel]: input.granted },
    source: CONSENT_SOURCE.link,
    keyId: null,
    wording: (input.granted ? QUESTIONNAIRE_CONSENT_WORDINGS : QUESTIONNAIRE_WITHDRAW_WORDINGS)[
      input.locale ?? 'en'
    ],
    version: questionnaireConsentVersion(input.locale ?? 'en'),
    now,
    guard: live,
  });
  const out = await runBatch(db, {
    events: consent.events,
    update: consent.update,
    audit: auditEntry(db, {
      actor: 'patient',
      organizationId: link.clinicId,
      action: 'patient.consent',
      subject: { type: 'patient', id: link.patientId },
      patientId: link.patientId,
      detail: { channel: input.channel, granted: input.granted, source: CONSENT_SOURCE.link },
      when: consent.changed,
      at: now,
    }),
    live: db
      .select({ id: patientLinks.id })
      .from(patientLinks)
      .where(and(eq(patientLinks.id, link.id), sql`${live}`)),
    changed: db.select({ id: consentEvents.id }).from(consentEvents).where(consent.changed),
  });
  if (out.live.length === 0) return err({ code: 'link_not_found' });
  return ok({ changed: out.changed.length > 0 });
}

// ---------------------------------------------------------------------------------------------------
// Reading answers

/** Where a page of a patient's responses ends: the last one's time and id. */
export interface ResponsePosition {
  at: number;
  id: string;
}

/** A patient's responses, newest first, a page at a time: the patient (only the clinic's) and the page in one round trip. */
export async function listQuestionnaireResponses(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; before: ResponsePosition | null; limit: number },
): Promise<
  Result<{ responses: QuestionnaireResponse[]; next: ResponsePosition | null }, Refusal<'patient_not_found'>>
> {
  if (!isId('pat', input.patientId))
    return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const before = input.before;
  const r = questionnaireResponses;
  const read = await runBatch(db, {
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
    page: db
      .select()
      .from(r)
      .where(
        and(
          eq(r.patientId, input.patientId),
          eq(r.clinicId, clinicId),
          before
            ? or(lt(r.submittedAt, before.at), and(eq(r.submittedAt, before.at), lt(r.id, before.id)))
            : undefined,
        ),
      )
      .orderBy(desc(r.submittedAt), desc(r.id))
      .limit(input.limit + 1),
  });
  if (read.patient.length === 0)
    return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const more = read.page.length > input.limit;
  const kept = more ? read.page.slice(0, input.limit) : read.page;
  const last = kept[kept.length - 1];
  return ok({ responses: kept, next: more && last ? { at: last.submittedAt, id: last.id } : null });
}

/**
 * What answering needs (the link page, the console's "fill in for the patient"): the questionnaire now,
 * the patient's latest answers (to prefill), their name and consent in force, and optionally one of
 * their links, in one round trip. Null when the patient is not the clinic's.
 */
export async function readPatientQuestionnaire(
  deps: Deps,
  input: { clinicId: string; patientId: string; linkId?: string },
) {
  const { db } = deps;
  const { clinicId, patientId } = input;
  if (!isId('pat', patientId)) return null;
  const read = await runBatch(db, {
    latest: latestVersion(db, clinicId),
    branches: liveBranches(db, clinicId),
    answers: db
      .select({ answers: questionnaireResponses.answers, at: questionnaireResponses.submittedAt })
      .from(questionnaireResponses)
      .where(
        and(eq(questionnaireResponses.patientId, patientId), eq(questionnaireResponses.clinicId, clinicId)),
      )
      .orderBy(desc(questionnaireResponses.submittedAt), desc(questionnaireResponses.id))
      .limit(1),
    patient: db
      .select({
        firstName: patients.firstName,
        lastName: patients.lastName,
        email: patients.consentEmail,
        sms: patients.consentSms,
      })
      .from(patients)
      .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId))),
    link: db
      .select()
      .from(patientLinks)
      .where(
        and(
          eq(patientLinks.id, input.linkId ?? ''),
          eq(patientLinks.patientId, patientId),
          eq(patientLinks.clinicId, clinicId),
        ),
      ),
  });
  const patient = read.patient[0];
  if (!patient) return null;
  return {
    questionnaire: viewOf(read.latest[0], read.branches),
    answers: (read.answers[0]?.answers ?? {}) as AnswerMap,
    answeredAt: read.answers[0]?.at ?? null,
    patient: { firstName: patient.firstName, lastName: patient.lastName },
    consent: { email: patient.email, sms: patient.sms },
    link: read.link[0] ?? null,
  };
}
