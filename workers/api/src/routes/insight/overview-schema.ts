import { QUADRANTS } from '@gratia/db';
import {
  ABC_VALUES,
  GROWTH_VALUES,
  type InsightMonths,
  type InsightSummary,
  MOVE_FROM,
} from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { MonthSchema } from '../reports/schema';

// The shapes of the clinic's insight figures: distributions now, and month by month.

const counts = <K extends string>(keys: readonly K[], name: string, description: string) =>
  z
    .object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<K, z.ZodNumber>)
    .openapi(name, { description });

const QuadrantCounts = counts(
  QUADRANTS,
  'QuadrantCounts',
  'Patients per loyalty quadrant: apostles (satisfied and loyal), mercenaries (satisfied, not loyal), hostages (loyal, not satisfied), defectors (neither), unknown (no survey answer yet)',
);
const AbcCounts = counts(
  ABC_VALUES,
  'AbcCounts',
  'Patients per A/B/C class by trailing-12-month revenue (`none`: no revenue in the window)',
);
const GrowthCounts = counts(
  GROWTH_VALUES,
  'GrowthCounts',
  'Patients per spend growth against the previous 12 months (`none`: not derived yet)',
);

export const InsightSummarySchema = z
  .object({
    clinic_id: z.string(),
    patients: z.number().int().openapi({ description: 'Patients the clinic knows something of' }),
    abc: AbcCounts,
    quadrant: QuadrantCounts,
    growth: GrowthCounts,
    win_back: z.number().int().openapi({ description: 'Patients on the win-back list' }),
  })
  .openapi('InsightSummary');

export function insightSummaryJson(s: InsightSummary & { clinicId: string }) {
  return {
    clinic_id: s.clinicId,
    patients: s.patients,
    abc: s.abc,
    quadrant: s.quadrant,
    growth: s.growth,
    win_back: s.winBack,
  };
}

const InsightMonthSchema = z
  .object({
    month: MonthSchema,
    snapshot: z
      .boolean()
      .openapi({ description: 'Whether a snapshot was taken for the month (false: the month is zeros)' }),
    quadrant: QuadrantCounts,
    abc: AbcCounts,
    moves: z
      .array(
        z.object({
          from: z.enum(MOVE_FROM).openapi({
            description: 'The quadrant the month before (`none`: the patient had no snapshot then)',
          }),
          to: z.enum(QUADRANTS),
          patients: z.number().int(),
        }),
      )
      .openapi({ description: 'How patients moved into this month’s quadrants from the month before' }),
    cohorts: z
      .array(
        z.object({
          cohort: MonthSchema.openapi({ description: 'The month of the cohort’s first visits' }),
          patients: z.number().int(),
          average_engagement: z
            .number()
            .nullable()
            .openapi({ description: 'The cohort’s average engagement (0-100, one decimal)', example: 62.5 }),
        }),
      )
      .openapi({ description: 'Each cohort’s engagement at the month’s snapshot, oldest cohort first' }),
  })
  .openapi('InsightMonth');

export const InsightMonthsSchema = z
  .object({
    clinic_id: z.string(),
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    from: MonthSchema,
    to: MonthSchema,
    months: z.array(InsightMonthSchema),
  })
  .openapi('InsightMonths');

export function insightMonthsJson(clinicId: string, r: InsightMonths) {
  return {
    clinic_id: clinicId,
    timezone: r.timezone,
    from: r.from,
    to: r.to,
    months: r.months.map((m) => ({
      month: m.month,
      snapshot: m.snapshot,
      quadrant: m.quadrant,
      abc: m.abc,
      moves: m.moves,
      cohorts: m.cohorts.map((c) => ({
        cohort: c.cohort,
        patients: c.patients,
        average_engagement: c.engagement,
      })),
    })),
  };
}
