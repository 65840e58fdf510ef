import {
  addMonths,
  localMonth,
  monthRange,
  monthsBetween,
  ok,
  type Refusal,
  type Result,
} from '@gratia/core';
import {
  clinicMonthNps,
  type Deps,
  type OrgPrincipal,
  patients,
  runBatch,
  surveyResponses,
} from '@gratia/db';
import { and, asc, between, desc, eq, type SQL, sql } from 'drizzle-orm';
import { boardOf, suggestionBoardStatements } from './suggestions';
import type { ScoreBand, SurveyResponseView } from './survey';

// The clinic's Net Promoter Score: promoters answer 9-10, passives 7-8, detractors 0-6; NPS is the
// share of promoters less the share of detractors, in points (-100 to 100). Read from the months'
// counts a trigger keeps (clinic_month_nps), never from the answers: a range costs its months' rows.

export interface NpsFigures {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Rounded to a whole point; null without a response. */
  nps: number | null;
  /** The average score (0-10, one decimal); null without a response. */
  average: number | null;
}

export interface NpsReport {
  from: string;
  to: string;
  timezone: string;
  months: (NpsFigures & { month: string })[];
  total: NpsFigures;
}

export const NPS_DEFAULT_MONTHS = 12;
export const NPS_MAX_MONTHS = 36;

export function npsOf(c: {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  scoreSum: number;
}): NpsFigures {
  const n = c.responses;
  return {
    responses: n,
    promoters: c.promoters,
    passives: c.passives,
    detractors: c.detractors,
    nps: n > 0 ? Math.round(((c.promoters - c.detractors) * 100) / n) : null,
    average: n > 0 ? Math.round((c.scoreSum * 10) / n) / 10 : null,
  };
}

const _invalid = (field: string, message: string): Refusal<'validation_failed'> => ({
  code: 'validation_failed',
  detail: `${field} ${message}`,
  errors: [{ path: field, message }],
});

/** The months asked (by default the twelve up to this one, in the clinic's timezone), checked. */
export function npsMonths(
  input: { from?: string; to?: string },
  current: string,
): Result<{ from: string; to: string }, Refusal<'validation_failed'>> {
  return monthRange(input, current, { defaultMonths: NPS_DEFAULT_MONTHS, maxMonths: NPS_MAX_MONTHS });
}

/** NPS per month (every month of the range present) and over the range: one query. */
export async function readNps(
  deps: Deps,
  input: { clinic: OrgPrincipal; from?: string; to?: string },
): Promise<Result<NpsReport, Refusal<'validation_failed'>>> {
  const timezone = input.clinic.organization.timezone;
  const span = npsMonths(input, localMonth(deps.clock.now(), timezone));
  if (!span.ok) return span;
  const { from, to } = span.value;
  const rows = await deps.db
    .select()
    .from(clinicMonthNps)
    .where(
      and(eq(clinicMonthNps.clinicId, input.clinic.organizationId), between(clinicMonthNps.month, from, to)),
    )
    .orderBy(asc(clinicMonthNps.month));
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const zero = { responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 };
  const months: NpsReport['months'] = [];
  const sum = { ...zero };
  for (let i = 0; i <= monthsBetween(from, to); i++) {
    const month = addMonths(from, i);
    const r = byMonth.get(month) ?? zero;
    months.push({ month, ...npsOf(r) });
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
  }
  return ok({ from, to, timezone, months, total: npsOf(sum) });
}

// ---------------------------------------------------------------------------------------------------
// The answers, newest first

export const BAND_SCORES: Record<ScoreBand, [number, number]> = {
  promoter: [9, 10],
  passive: [7, 8],
  detractor: [0, 6],
};

export interface ListedSurveyResponse extends SurveyResponseView {
  patient: { firstName: string; lastName: string };
}

/**
 * The clinic's survey answers, newest first, optionally of one band or only those with words the
 * clinic may quote: a page of `limit` from survey_responses_clinic_idx, after `before`.
 */
export async function listSurveyResponses(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    band?: ScoreBand;
    quotable?: boolean;
    before: { at: number; id: string } | null;
    limit: number;
  },
): Promise<{ items: ListedSurveyResponse[]; next: { at: number; id: string } | null }> {
  const t = surveyResponses;
  const where: SQL[] = [eq(t.clinicId, input.clinic.organizationId)];
  if (input.band) where.push(between(t.score, ...BAND_SCORES[input.band]));
  if (input.quotable) where.push(sql`${t.quotePermission} = 1 and ${t.recommendation} is not null`);
  const b = input.before;
  if (b) where.push(sql`(${t.submittedAt} < ${b.at} or (${t.submittedAt} = ${b.at} and ${t.id} < ${b.id}))`);
  const rows = await deps.db
    .select({
      response: t,
      firstName: patients.firstName,
      lastName: patients.lastName,
      suggestionId: sql<
        string | null
      >`(select s.id from suggestions s where s.survey_response_id = ${t.id})`.as('suggestion_id'),
    })
    .from(t)
    .innerJoin(patients, eq(patients.id, t.patientId))
    .where(and(...where))
    .orderBy(desc(t.submittedAt), desc(t.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit).map((r) => ({
    ...r.response,
    suggestionId: r.suggestionId,
    patient: { firstName: r.firstName, lastName: r.lastName },
  }));
  const last = items[items.length - 1];
  return { items, next: rows.length > input.limit && last ? { at: last.submittedAt, id: last.id } : null };
}

/** The feedback page's figures and latest answers in one round trip. */
export async function readFeedback(
  deps: Deps,
  input: { clinic: OrgPrincipal; latest: number; perStatus: number },
) {
  const timezone = input.clinic.organization.timezone;
  const current = localMonth(deps.clock.now(), timezone);
  const from = addMonths(current, 1 - NPS_DEFAULT_MONTHS);
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const t = surveyResponses;
  const out = await runBatch(db, {
    nps: db
      .select()
      .from(clinicMonthNps)
      .where(and(eq(clinicMonthNps.clinicId, clinicId), between(clinicMonthNps.month, from, current))),
    latest: db
      .select({ response: t, firstName: patients.firstName, lastName: patients.lastName })
      .from(t)
      .innerJoin(patients, eq(patients.id, t.patientId))
      .where(eq(t.clinicId, clinicId))
      .orderBy(desc(t.submittedAt), desc(t.id))
      .limit(input.latest),
    ...suggestionBoardStatements(db, clinicId, input.perStatus),
  });
  const byMonth = new Map(out.nps.map((r) => [r.month, r]));
  const zero = { responses: 0, promoters: 0, passives: 0, detractors: 0, scoreSum: 0 };
  const months: NpsReport['months'] = [];
  for (let i = 0; i < NPS_DEFAULT_MONTHS; i++) {
    const month = addMonths(from, i);
    months.push({ month, ...npsOf(byMonth.get(month) ?? zero) });
  }
  return {
    timezone,
    current,
    months,
    latest: out.latest.map((r) => ({
      ...r.response,
      suggestionId: null,
      patient: { firstName: r.firstName, lastName: r.lastName },
    })),
    board: boardOf(out),
  };
}
