import { toIso } from '@gratia/core';
import { ANSWER_SOURCES } from '@gratia/db';
import type { ListedSurveyResponse, NpsFigures, NpsReport, SurveyResponseView } from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';
import { MonthSchema } from '../reports/schema';

/** What a patient answers, as the API takes it (staff recording an answer given to them). */
export const SurveyAnswerBody = z
  .object({
    score: z.number().int().min(0).max(10).openapi({
      description: 'How likely the patient is to recommend the clinic to a friend, 0 to 10',
      example: 9,
    }),
    improvement: z.string().max(2000).optional().openapi({
      description: 'What the clinic could do better: a non-empty one becomes a suggestion on the board',
      example: 'Evening appointments',
    }),
    recommendation: z.string().max(2000).optional().openapi({
      description: 'The patient’s recommendation in their own words',
      example: 'Kind and careful, every time.',
    }),
    quote_permission: z.boolean().default(false).openapi({
      description: 'The patient’s explicit permission to quote the recommendation with their first name',
    }),
  })
  .strict()
  .openapi('RecordSurveyResponse');

export const SurveyResponseSchema = z
  .object({
    id: z.string().openapi({ example: 'svy_01JD0000000000000000000000' }),
    patient_id: z.string(),
    patient_name: z.string().nullable().openapi({ description: 'First and last name (in lists)' }),
    link_id: z.string().nullable().openapi({ description: 'The survey link it was answered on' }),
    visit_id: z.string().nullable(),
    score: z.number().int().openapi({ example: 9 }),
    band: z.enum(['promoter', 'passive', 'detractor']).openapi({
      description: 'Promoter (9-10), passive (7-8) or detractor (0-6)',
    }),
    improvement: z.string().nullable(),
    recommendation: z.string().nullable(),
    quote_permission: z.boolean(),
    source: z.enum(ANSWER_SOURCES).openapi({ description: 'On the patient’s link, the console, or the API' }),
    month: MonthSchema,
    submitted_at: TimestampSchema,
    suggestion_id: z.string().nullable().openapi({ description: 'The suggestion the improvement became' }),
  })
  .openapi('SurveyResponse');

const bandOf = (score: number) => (score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor');

export function surveyResponseJson(
  r: SurveyResponseView | ListedSurveyResponse,
): z.infer<typeof SurveyResponseSchema> {
  return {
    id: r.id,
    patient_id: r.patientId,
    patient_name: 'patient' in r ? `${r.patient.firstName} ${r.patient.lastName}` : null,
    link_id: r.linkId,
    visit_id: r.visitId,
    score: r.score,
    band: bandOf(r.score),
    improvement: r.improvement,
    recommendation: r.recommendation,
    quote_permission: r.quotePermission,
    source: r.source,
    month: r.month,
    submitted_at: toIso(r.submittedAt),
    suggestion_id: r.suggestionId,
  };
}

const Figures = {
  responses: z.number().int(),
  promoters: z.number().int().openapi({ description: 'Scores of 9 and 10' }),
  passives: z.number().int().openapi({ description: 'Scores of 7 and 8' }),
  detractors: z.number().int().openapi({ description: 'Scores of 0 to 6' }),
  nps: z.number().int().nullable().openapi({
    description: 'Per cent promoters less per cent detractors, rounded (-100 to 100); null without responses',
    example: 42,
  }),
  average: z.number().nullable().openapi({ description: 'The average score, to one decimal' }),
};

export const NpsSchema = z
  .object({
    from: MonthSchema,
    to: MonthSchema,
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    months: z.array(z.object({ month: MonthSchema, ...Figures }).openapi('NpsMonth')),
    total: z.object(Figures).openapi({ description: 'Over the whole range: the months’ counts added up' }),
  })
  .openapi('Nps');

const figuresJson = (f: NpsFigures) => ({
  responses: f.responses,
  promoters: f.promoters,
  passives: f.passives,
  detractors: f.detractors,
  nps: f.nps,
  average: f.average,
});

export const npsJson = (r: NpsReport): z.infer<typeof NpsSchema> => ({
  from: r.from,
  to: r.to,
  timezone: r.timezone,
  months: r.months.map((m) => ({ month: m.month, ...figuresJson(m) })),
  total: figuresJson(r.total),
});
