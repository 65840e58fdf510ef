import { toIso } from '@gratia/core';
import { ABC_CLASSES, GROWTH, type PatientInsight, QUADRANTS } from '@gratia/db';
import type { ClinicRefresh, InsightSettingsView } from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

const Budget = z
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .nullable()
  .openapi({ description: 'Minor units of the clinic’s currency; null: no limit', example: 5000 });

export const InsightSettingsInputSchema = z
  .object({
    abc_a_bps: z.number().int().min(1).max(10_000).openapi({
      description: 'A = the patients who make the first this share of trailing-12-month revenue (8000 = 80%)',
      example: 8000,
    }),
    abc_b_bps: z.number().int().min(0).max(10_000).openapi({
      description: 'B = the next share (1500 = 15%); C = the rest. A + B at most 10000',
      example: 1500,
    }),
    budget_a: Budget.optional(),
    budget_b: Budget.optional(),
    budget_c: Budget.optional(),
  })
  .strict()
  .openapi('InsightSettingsInput');

export const InsightSettingsSchema = z
  .object({
    abc_a_bps: z.number().int(),
    abc_b_bps: z.number().int(),
    budget_a: Budget,
    budget_b: Budget,
    budget_c: Budget,
    usual_interval_days: z.number().int().openapi({
      description:
        'The clinic’s usual interval between visits (the mean of its patients’ own, computed daily; 90 until then)',
    }),
    updated_at: TimestampSchema.nullable(),
  })
  .openapi('InsightSettings');

export const settingsJson = (s: InsightSettingsView): z.infer<typeof InsightSettingsSchema> => ({
  abc_a_bps: s.abcABps,
  abc_b_bps: s.abcBBps,
  budget_a: s.budgetA,
  budget_b: s.budgetB,
  budget_c: s.budgetC,
  usual_interval_days: s.usualIntervalDays,
  updated_at: s.updatedAt === null ? null : toIso(s.updatedAt),
});

const at = (ms: number | null) => (ms === null ? null : toIso(ms));

export const PatientInsightSchema = z
  .object({
    patient_id: z.string().openapi({ example: 'pat_01JD0000000000000000000000' }),
    abc_class: z.enum(ABC_CLASSES).nullable().openapi({ description: 'null: no spend in 12 months' }),
    growth: z.enum(GROWTH).nullable().openapi({ description: 'null: no visit yet' }),
    quadrant: z.enum(QUADRANTS),
    loyal: z.boolean().nullable(),
    reasons: z
      .array(z.string())
      .openapi({ example: ['Recommends us 9/10', 'Visits every 41 days, last 12 days ago'] }),
    engagement: z.number().int().min(0).max(100),
    engagement_prev: z.number().int().nullable(),
    win_back: z.boolean(),
    win_back_reason: z
      .string()
      .nullable()
      .openapi({ example: 'Usually every 30 days; last visit 75 days ago' }),
    overdue_days: z.number().int(),
    behaviour: z.object({
      first_visit_at: TimestampSchema.nullable(),
      last_visit_at: TimestampSchema.nullable(),
      visit_count: z.number().int(),
      visits_12m: z.number().int(),
      usual_interval_days: z.number().int().nullable(),
      lifetime_spend: z.number().int(),
      spend_12m: z.number().int(),
      spend_prev_12m: z.number().int(),
      redemptions: z.number().int(),
      link_opens: z.number().int(),
      last_open_at: TimestampSchema.nullable(),
      cohort_month: z.string().nullable(),
    }),
    satisfaction: z.object({
      survey_score: z.number().int().nullable(),
      survey_at: TimestampSchema.nullable(),
      survey_count: z.number().int(),
    }),
    preferences: z.object({
      tags: z.array(z.string()),
      categories: z.array(z.string()),
      preferred_branch_id: z.string().nullable(),
      preferred_channel: z.string().nullable(),
      preferred_time: z.string().nullable(),
      birth_month: z.number().int().nullable(),
      answered_at: TimestampSchema.nullable(),
    }),
    refreshed_at: TimestampSchema,
  })
  .openapi('PatientInsight');

export const insightJson = (r: PatientInsight): z.infer<typeof PatientInsightSchema> => ({
  patient_id: r.patientId,
  abc_class: r.abcClass,
  growth: r.growth,
  quadrant: r.quadrant,
  loyal: r.loyal,
  reasons: r.reasons,
  engagement: r.engagement,
  engagement_prev: r.engagementPrev,
  win_back: r.winBack,
  win_back_reason: r.winBackReason,
  overdue_days: r.overdueDays,
  behaviour: {
    first_visit_at: at(r.firstVisitAt),
    last_visit_at: at(r.lastVisitAt),
    visit_count: r.visitCount,
    visits_12m: r.visits12m,
    usual_interval_days: r.usualIntervalDays,
    lifetime_spend: r.lifetimeSpend,
    spend_12m: r.spend12m,
    spend_prev_12m: r.spendPrev12m,
    redemptions: r.redemptions,
    link_opens: r.linkOpens,
    last_open_at: at(r.lastOpenAt),
    cohort_month: r.cohortMonth,
  },
  satisfaction: { survey_score: r.surveyScore, survey_at: at(r.surveyAt), survey_count: r.surveyCount },
  preferences: {
    tags: r.preferenceTags,
    categories: r.categories,
    preferred_branch_id: r.preferredBranchId,
    preferred_channel: r.preferredChannel,
    preferred_time: r.preferredTime,
    birth_month: r.birthMonth,
    answered_at: at(r.answeredAt),
  },
  refreshed_at: toIso(r.refreshedAt),
});

export const ClinicRefreshSchema = z
  .object({
    month: z
      .string()
      .openapi({ description: 'The month whose snapshot was written (clinic timezone)', example: '2026-11' }),
    patients: z.number().int(),
    refreshed_at: TimestampSchema,
  })
  .openapi('InsightRefresh');

export const refreshJson = (r: ClinicRefresh): z.infer<typeof ClinicRefreshSchema> => ({
  month: r.month,
  patients: r.patients,
  refreshed_at: toIso(r.refreshedAt),
});
