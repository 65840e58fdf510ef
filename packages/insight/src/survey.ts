import { err, isId, localMonth, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  type AnswerSource,
  actorOf,
  auditEntry,
  type Db,
  type Deps,
  type MessageChannel,
  type OrgPrincipal,
  patientInsight,
  patientLinks,
  patients,
  runBatch,
  type SurveyResponse,
  suggestions,
  surveyResponses,
  visits,
} from '@gratia/db';
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { createPatientLink, type IssuedLink, linkUrl, type OpenedLink, openPatientLink } from './links';
import { ensureRow, refreshPatientInsight } from './refresh';

// Satisfaction surveys: a 0-10 likelihood to recommend, what the clinic could do better, and words the
// clinic may quote (only with the patient's explicit permission). A patient answers on their personal
// survey link (`/s/<token>`, one answer per link) or staff record an answer given on paper. One batch
// keeps the answer, the suggestion it makes (tracked on the clinic's suggestions board), the link's
// completion, the patient's satisfaction on their insight row (which the quadrant is derived from) and
// the audit entry; a trigger (migration 0015) counts it into the clinic's NPS of its month.

export interface SurveyAnswer {
  /** 0-10: how likely the patient is to recommend the clinic to a friend. */
  score: number;
  improvement?: string | null;
  recommendation?: string | null;
  /** The patient's explicit permission to quote `recommendation` with their first name. */
  quotePermission: boolean;
}

export interface SurveyResponseView {
  id: string;
  patientId: string;
  linkId: string | null;
  visitId: string | null;
  score: number;
  improvement: string | null;
  recommendation: string | null;
  quotePermission: boolean;
  source: AnswerSource;
  month: string;
  submittedAt: number;
  /** The suggestion the answer's `improvement` became (null without one). */
  suggestionId: string | null;
}

/** What a survey answer contributes: where NPS puts it. */
export type ScoreBand = 'promoter' | 'passive' | 'detractor';
export const bandOf = (score: number): ScoreBand =>
  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';

const text = (s: string | null | undefined) => {
  const t = (s ?? '').trim();
  return t === '' ? null : t;
};

/** The answer as it is kept: trimmed, empty texts as none, permission only for words given. */
function normalised(a: SurveyAnswer) {
  const recommendation = text(a.recommendation);
  return {
    score: a.score,
    improvement: text(a.improvement),
    recommendation,
    quotePermission: recommendation !== null && a.quotePermission,
  };
}

interface AnswerRow {
  id: string;
  clinicId: string;
  patientId: string;
  linkId: string | null;
  visitId: string | null;
  apiKeyId: string | null;
  source: AnswerSource;
  month: string;
  now: number;
  answer: ReturnType<typeof normalised>;
  /** SQL true when the answer may be written (the link still open, the patient the clinic's). */
  guard: SQL;
}

/**
 * The statements that keep one answer. Everything after the answer's own insert is conditional on
 * that row existing, and the insight row's statements are scoped to the answer's clinic, so a refused
 * answer writes nothing. The patient's insight row is made if missing, then given the answer.
 */
function answerStatements(db: Db, r: AnswerRow, suggestionId: string) {
  const a = r.answer;
  const written = sql`exists (select 1 from survey_responses x where x.id = ${r.id})`;
  return {
    response: db
      .insert(surveyResponses)
      .select(
        sql`select ${r.id}, ${r.clinicId}, ${r.patientId}, ${r.linkId}, ${r.visitId}, ${a.score},
          ${a.improvement}, ${a.recommendation}, ${a.quotePermission ? 1 : 0}, ${r.source}, ${r.apiKeyId},
          ${r.month}, ${r.now} where ${r.guard}`,
      )
      .onConflictDoNothing(),
    suggestion: db.insert(suggestions).select(
      sql`select ${suggestionId}, ${r.clinicId}, ${r.patientId}, ${r.id}, ${a.improvement ?? ''}, 'new',
          null, ${r.now}, ${r.now}, null where ${a.improvement !== null ? sql`1` : sql`0`} and ${written}`,
    ),
    ensureInsight: ensureRow(db, r.patientId, r.now, r.clinicId),
    satisfaction: db
      .update(patientInsight)
      .set({ surveyScore: a.score, surveyAt: r.now, surveyCount: sql`${patientInsight.surveyCount} + 1` })
      .where(and(eq(patientInsight.patientId, r.patientId), written)),
    refresh: refreshPatientInsight(db, r.patientId, r.now, r.clinicId),
  };
}

const viewOf = (row: SurveyResponse, suggestionId: string | null): SurveyResponseView => ({
  id: row.id,
  patientId: row.patientId,
  linkId: row.linkId,
  visitId: row.visitId,
  score: row.score,
  improvement: row.improvement,
  recommendation: row.recommendation,
  quotePermission: row.quotePermission,
  source: row.source,
  month: row.month,
  submittedAt: row.submittedAt,
  suggestionId,
});

/**
 * A patient's answer on their survey link. The token is checked (forged, expired, revoked or another
 * purpose: `link_not_found`), then one batch keeps the answer only while the link has none: a second
 * answer, even one racing the first, is `survey_already_answered` and writes nothing.
 */
export async function submitSurvey(
  deps: Deps,
  input: SurveyAnswer & { token: string },
): Promise<
  Result<
    { response: SurveyResponseView; clinicName: string },
    Refusal<'link_not_found' | 'survey_already_answered'>
  >
> {
  const opened = await openPatientLink(deps, { token: input.token, purpose: 'survey', count: false });
  if (!opened.ok) return opened;
  const { link, clinic } = opened.value;
  if (link.completedAt !== null) return err(alreadyAnswered);
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('svy', now);
  const suggestionId = newId('sug', now);
  const answer = normalised(input);
  const row: AnswerRow = {
    id,
    clinicId: clinic.id,
    patientId: link.patientId,
    linkId: link.id,
    visitId: link.visitId,
    apiKeyId: null,
    source: 'link',
    month: localMonth(now, clinic.timezone),
    now,
    answer,
    guard: sql`exists (select 1 from patient_links l where l.id = ${link.id} and l.completed_at is null
      and l.expires_at > ${now} and l.revoked_at is null)`,
  };
  const written = sql`exists (select 1 from survey_responses x where x.id = ${id})`;
  const out = await runBatch(db, {
    ...answerStatements(db, row, suggestionId),
    completed: db
      .update(patientLinks)
      .set({ completedAt: now })
      .where(and(eq(patientLinks.id, link.id), isNull(patientLinks.completedAt), written)),
    audit: auditEntry(db, {
      actor: 'patient',
      organizationId: clinic.id,
      action: 'survey.answer',
      subject: { type: 'survey_response', id },
      patientId: link.patientId,
      detail: { score: answer.score, link_id: link.id },
      when: written,
      at: now,
    }),
    after: db.select().from(surveyResponses).where(eq(surveyResponses.id, id)),
    link: db
      .select({ completedAt: patientLinks.completedAt })
      .from(patientLinks)
      .where(eq(patientLinks.id, link.id)),
  });
  const saved = out.after[0];
  if (saved)
    return ok({
      response: viewOf(saved, answer.improvement !== null ? suggestionId : null),
      clinicName: clinic.name,
    });
  // Not written: answered meanwhile (a double tap), or the link expired or was revoked since it was read.
  if (out.link[0]?.completedAt != null) return err(alreadyAnswered);
  return err(linkNotFound);
}

const alreadyAnswered: Refusal<'survey_already_answered'> = {
  code: 'survey_already_answered',
  detail: 'This survey link has already been answered',
};
const linkNotFound: Refusal<'link_not_found'> = {
  code: 'link_not_found',
  detail: 'The link is not valid: forged, expired, revoked or for another purpose',
};
const patientNotFound = (id: string): Refusal<'patient_not_found'> => ({
  code: 'patient_not_found',
  detail: `No patient ${id}`,
});

/**
 * An answer given to staff (on paper, by phone), recorded by the clinic for one of its patients: the
 * patient is read first (another clinic's is not found), then the same batch as a patient's own.
 */
export async function recordSurveyResponse(
  deps: Deps,
  input: SurveyAnswer & {
    clinic: OrgPrincipal;
    patientId: string;
    source: Exclude<AnswerSource, 'link'>;
  },
): Promise<Result<SurveyResponseView, Refusal<'patient_not_found'>>> {
  if (!isId('pat', input.patientId)) return err(patientNotFound(input.patientId));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const now = deps.clock.now();
  const id = newId('svy', now);
  const suggestionId = newId('sug', now);
  const answer = normalised(input);
  const row: AnswerRow = {
    id,
    clinicId,
    patientId: input.patientId,
    linkId: null,
    visitId: null,
    apiKeyId: input.clinic.keyId,
    source: input.source,
    month: localMonth(now, input.clinic.organization.timezone),
    now,
    answer,
    guard: sql`exists (select 1 from patients p where p.id = ${input.patientId} and p.clinic_id = ${clinicId})`,
  };
  const out = await runBatch(db, {
    ...answerStatements(db, row, suggestionId),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'survey.record',
      subject: { type: 'survey_response', id },
      patientId: input.patientId,
      detail: { score: answer.score, source: input.source },
      when: sql`exists (select 1 from survey_responses x where x.id = ${id})`,
      at: now,
    }),
    after: db.select().from(surveyResponses).where(eq(surveyResponses.id, id)),
  });
  const saved = out.after[0];
  if (!saved) return err(patientNotFound(input.patientId));
  return ok(viewOf(saved, answer.improvement !== null ? suggestionId : null));
}

// ---------------------------------------------------------------------------------------------------
// The patient's survey page

export interface SurveyLinkView {
  opened: OpenedLink;
  /** The patient's suggestions the clinic implemented (they are told so on their link). */
  implemented: { id: string; text: string; reply: string | null; at: number }[];
}

/**
 * What the patient's survey page shows: the link opened (counted), and the patient's implemented
 * suggestions, newest first (a handful, from suggestions_patient_idx).
 */
export async function readSurveyLink(
  deps: Deps,
  token: string,
): Promise<Result<SurveyLinkView, Refusal<'link_not_found'>>> {
  const opened = await openPatientLink(deps, { token, purpose: 'survey' });
  if (!opened.ok) return opened;
  const rows = await deps.db
    .select({
      id: suggestions.id,
      text: suggestions.text,
      reply: suggestions.reply,
      at: suggestions.statusChangedAt,
    })
    .from(suggestions)
    .where(
      and(
        eq(suggestions.patientId, opened.value.link.patientId),
        eq(suggestions.clinicId, opened.value.clinic.id),
        eq(suggestions.status, 'implemented'),
      ),
    )
    .orderBy(desc(suggestions.createdAt))
    .limit(5);
  return ok({ opened: opened.value, implemented: rows });
}

/** One of the clinic's survey links for one of its patients, with its URL (the console shows it to copy). */
export async function readSurveyLinkForStaff(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; linkId: string },
): Promise<
  Result<IssuedLink & { patient: { firstName: string; lastName: string } }, Refusal<'link_not_found'>>
> {
  if (!isId('lnk', input.linkId) || !isId('pat', input.patientId)) return err(linkNotFound);
  const [row] = await deps.db
    .select({ link: patientLinks, firstName: patients.firstName, lastName: patients.lastName })
    .from(patientLinks)
    .innerJoin(patients, eq(patients.id, patientLinks.patientId))
    .where(
      and(
        eq(patientLinks.id, input.linkId),
        eq(patientLinks.patientId, input.patientId),
        eq(patientLinks.clinicId, input.clinic.organizationId),
        eq(patientLinks.purpose, 'survey'),
      ),
    );
  if (!row) return err(linkNotFound);
  return ok({
    link: row.link,
    url: await linkUrl(deps, row.link),
    patient: { firstName: row.firstName, lastName: row.lastName },
  });
}

/**
 * A survey link for one of the clinic's patients, about one of their visits (one link per visit:
 * asking again gives the same link) or none. The visit is checked to be this patient's at this clinic
 * first: another clinic's visit id must not take the one link its visit has.
 */
export async function createSurveyLink(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    patientId: string;
    visitId: string | null;
    /** Issue 13: also message the link on this channel (see createPatientLink). */
    send?: MessageChannel;
  },
): Promise<Result<IssuedLink, Refusal<'patient_not_found' | 'validation_failed'>>> {
  if (input.visitId !== null) {
    if (!isId('vis', input.visitId)) return err(patientNotFound(input.patientId));
    const [own] = await deps.db
      .select({ id: visits.id })
      .from(visits)
      .where(
        and(
          eq(visits.id, input.visitId),
          eq(visits.patientId, input.patientId),
          eq(visits.clinicId, input.clinic.organizationId),
        ),
      );
    if (!own) return err(patientNotFound(input.patientId));
  }
  return createPatientLink(deps, { ...input, purpose: 'survey' });
}
