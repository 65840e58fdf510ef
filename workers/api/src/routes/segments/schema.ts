import { toIso } from '@gratia/core';
import { ABC_CLASSES, GROWTH, QUADRANTS, type SegmentRule } from '@gratia/db';
import {
  MAX_SEGMENT_LIST,
  MAX_SEGMENT_RULES,
  QUESTION_KEY,
  type SegmentMember,
  type SegmentMonth,
  type SegmentView,
} from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// A segment's rules at the edge: one shape per field (its operators and its value's type), so an
// unknown field, an operator the field does not take or a value of the wrong type is a 400
// validation_failed naming the path (rules.2.value). The console's form is checked by the same schema.

const Int = (max: number) => z.number().int().min(0).max(max);
const Money = Int(1_000_000_000).openapi({ description: 'Minor units of the clinic’s currency' });
const Days = Int(36_500);
const Text = z.string().trim().min(1).max(100);
const listOf = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_SEGMENT_LIST);
const enumRule = <const F extends string, const V extends readonly [string, ...string[]]>(
  field: F,
  values: V,
) => [
  z.object({ field: z.literal(field), op: z.enum(['is', 'is_not']), value: z.enum(values) }).strict(),
  z.object({ field: z.literal(field), op: z.literal('in'), value: listOf(z.enum(values)) }).strict(),
];
const numberRule = <const F extends string, const O extends readonly [string, ...string[]]>(
  field: F,
  value: z.ZodNumber,
  ops: O,
) => z.object({ field: z.literal(field), op: z.enum(ops), value }).strict();

const RULES = [
  z.object({ field: z.literal('tag'), op: z.enum(['has', 'lacks']), value: Text }).strict(),
  z
    .object({
      field: z.literal('answer'),
      key: z.string().regex(QUESTION_KEY).openapi({ description: 'The question id' }),
      op: z.enum(['is', 'is_not', 'has', 'gte', 'lte']),
      value: z.union([Text, z.number().finite()]),
    })
    .strict(),
  numberRule('lifetime_spend', Money, ['gte', 'lte']),
  numberRule('spend_12m', Money, ['gte', 'lte']),
  numberRule('last_visit_days', Days, ['gte', 'lte', 'is']),
  numberRule('visits_12m', Int(100_000), ['gte', 'lte', 'is']),
  numberRule('points_balance', Int(1_000_000_000), ['gte', 'lte']),
  z.object({ field: z.literal('points_expiring_days'), op: z.literal('lte'), value: Days }).strict(),
  ...enumRule('abc', ABC_CLASSES),
  ...enumRule('growth', GROWTH),
  ...enumRule('quadrant', QUADRANTS),
  z
    .object({
      field: z.literal('branch'),
      op: z.enum(['is', 'is_not']),
      value: z.string().regex(/^brn_\w{1,60}$/),
    })
    .strict(),
  z
    .object({ field: z.literal('birth_month'), op: z.literal('is'), value: z.number().int().min(1).max(12) })
    .strict(),
  z
    .object({
      field: z.literal('birth_month'),
      op: z.literal('in'),
      value: listOf(z.number().int().min(1).max(12)),
    })
    .strict(),
  z
    .object({
      field: z.literal('consent'),
      key: z.enum(['email', 'sms']),
      op: z.literal('is'),
      value: z.boolean(),
    })
    .strict(),
  numberRule('engagement', z.number().int().min(0).max(100), ['gte', 'lte', 'is']),
  z.object({ field: z.literal('win_back'), op: z.literal('is'), value: z.boolean() }).strict(),
] as const;

export const SegmentRuleSchema = z.union(RULES).openapi('SegmentRule', {
  description:
    'One rule; a member meets every rule of the segment. Fields: tag (has/lacks: staff or preference tags), answer (key = question id; is/is_not/has/gte/lte), lifetime_spend and spend_12m (minor units; gte/lte), last_visit_days (gte/lte/is; a patient who never visited matches none), visits_12m, points_balance, points_expiring_days (lte: a lot lapsing within N days), abc, growth, quadrant (is/is_not/in), branch (the preferred branch id), birth_month (is/in, 1-12), consent (key email|sms, is true/false), engagement (0-100), win_back (is true/false).',
  example: { field: 'spend_12m', op: 'gte', value: 50000 },
});

export const RulesSchema = z
  .array(SegmentRuleSchema)
  .max(MAX_SEGMENT_RULES)
  .openapi({ description: `At most ${MAX_SEGMENT_RULES} rules, all of which hold; none: every patient` });

export const NameSchema = z.string().trim().min(1).max(80).openapi({ example: 'Loyal spenders' });
export const DescriptionSchema = z.string().trim().max(500).nullable().openapi({
  description: 'With a description, the segment is a persona',
  example: 'Comes monthly, loves massages, tells her friends.',
});

export const SegmentSchema = z
  .object({
    id: z.string().openapi({ example: 'seg_01JD0000000000000000000000' }),
    name: z.string(),
    description: z.string().nullable(),
    persona: z.boolean().openapi({ description: 'Whether the segment has a description (a persona)' }),
    rules: z.array(SegmentRuleSchema),
    members: z.number().int().openapi({ description: 'Patients meeting the rules now (a live count)' }),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Segment');

export const segmentJson = (s: SegmentView): z.infer<typeof SegmentSchema> => ({
  id: s.id,
  name: s.name,
  description: s.description,
  persona: s.persona,
  rules: s.rules as z.infer<typeof SegmentRuleSchema>[],
  members: s.members,
  created_at: toIso(s.createdAt),
  updated_at: toIso(s.updatedAt),
});

export const SegmentMemberSchema = z
  .object({
    patient_id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    abc_class: z.enum(ABC_CLASSES).nullable(),
    quadrant: z.enum(QUADRANTS),
    spend_12m: z.number().int().openapi({ description: 'Minor units of the clinic’s currency' }),
    last_visit_at: TimestampSchema.nullable(),
    engagement: z.number().int(),
    consent: z.object({ email: z.boolean(), sms: z.boolean() }),
  })
  .openapi('SegmentMember');

export const memberJson = (m: SegmentMember): z.infer<typeof SegmentMemberSchema> => ({
  patient_id: m.patientId,
  first_name: m.firstName,
  last_name: m.lastName,
  abc_class: m.abcClass as z.infer<typeof SegmentMemberSchema>['abc_class'],
  quadrant: m.quadrant as z.infer<typeof SegmentMemberSchema>['quadrant'],
  spend_12m: m.spend12m,
  last_visit_at: m.lastVisitAt === null ? null : toIso(m.lastVisitAt),
  engagement: m.engagement,
  consent: { email: m.consentEmail, sms: m.consentSms },
});

export const SegmentMonthSchema = z
  .object({
    month: z.string().openapi({ example: '2026-11' }),
    patients: z.number().int().nullable().openapi({ description: 'Members at the month’s last snapshot' }),
    engagement: z.number().int().nullable().openapi({ description: 'Their average engagement, 0-100' }),
  })
  .openapi('SegmentMonth');

export const monthJson = (m: SegmentMonth) => ({ ...m });

/** Rules as the domain keeps them. */
export const rulesOf = (rules: z.infer<typeof RulesSchema>): SegmentRule[] => rules as SegmentRule[];
