import { toIso } from '@gratia/core';
import { PLAN_CHANNELS, PLAN_ITEM_STATUSES, PLAN_KINDS } from '@gratia/db';
import {
  MAX_MIX_LINES,
  MAX_PER_YEAR,
  type PatientPlanView,
  type PlanItemView,
  TEMPLATE_KINDS,
  type TemplateView,
} from '@gratia/plan';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// The plan's wire shapes: templates (per segment: interactions a year and their mix), a patient's plan
// and its dated items.

export const SegmentKeyParam = z.object({
  segment_key: z
    .string()
    .max(64)
    .openapi({
      param: { name: 'segment_key', in: 'path' },
      example: 'A',
      description: 'An A/B/C class (`A`, `B`, `C`) or a custom segment’s id (`seg_...`)',
    }),
});

export const PlanKindSchema = z.enum(PLAN_KINDS).openapi({ example: 'thank_you' });
export const PlanChannelSchema = z.enum(PLAN_CHANNELS).openapi({ example: 'sms' });
export const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .openapi({ format: 'date', example: '2026-12-01' });

const MixLineInput = z
  .object({
    kind: z.enum(TEMPLATE_KINDS as [string, ...string[]]).openapi({ example: 'personal_gift' }),
    channel: PlanChannelSchema,
    count: z.number().int().min(1).max(MAX_PER_YEAR),
    offer_id: z.string().max(64).optional().openapi({
      description:
        'Gift lines: the catalogue offer planned (active, in the clinic’s currency); its price is the cost',
    }),
    cost_amount: z.number().int().min(0).max(100_000_000).optional().openapi({
      description:
        'Gift lines without an offer: what the gift costs, in minor units of the clinic’s currency',
    }),
  })
  .strict();

export const TemplateInputSchema = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    priority: z.number().int().min(0).max(1000).optional().openapi({
      description: 'Custom segments: a patient in several takes the highest priority one’s template',
    }),
    interactions_per_year: z.number().int().min(1).max(MAX_PER_YEAR).openapi({ example: 7 }),
    mix: z.array(MixLineInput).min(1).max(MAX_MIX_LINES),
  })
  .strict()
  .openapi('PlanTemplateInput');

const MixLine = z.object({
  kind: PlanKindSchema,
  channel: PlanChannelSchema,
  count: z.number().int(),
  offer_id: z.string().nullable(),
  cost_amount: z.number().int().nullable().openapi({ description: 'Minor units of the clinic’s currency' }),
});

export const TemplateSchema = z
  .object({
    id: z.string().nullable().openapi({ description: 'null for a default the clinic has not saved' }),
    segment_key: z.string().openapi({ example: 'A' }),
    name: z.string(),
    priority: z.number().int(),
    interactions_per_year: z.number().int(),
    mix: z.array(MixLine),
    version: z.number().int().openapi({ description: '0 for a default' }),
    default: z.boolean(),
    updated_by_staff_id: z.string().nullable(),
    updated_at: TimestampSchema.nullable(),
  })
  .openapi('PlanTemplate');

export function templateJson(t: TemplateView): z.infer<typeof TemplateSchema> {
  return {
    id: t.id,
    segment_key: t.segmentKey,
    name: t.name,
    priority: t.priority,
    interactions_per_year: t.interactionsPerYear,
    mix: t.mix.map((l) => ({
      kind: l.kind,
      channel: l.channel,
      count: l.count,
      offer_id: l.offer_id ?? null,
      cost_amount: l.cost_amount ?? null,
    })),
    version: t.version,
    default: t.isDefault,
    updated_by_staff_id: t.updatedByStaffId,
    updated_at: t.updatedAt === null ? null : toIso(t.updatedAt),
  };
}

const Owner = z
  .object({ id: z.string(), name: z.string().nullable() })
  .nullable()
  .openapi({ description: 'The staff member responsible' });

export const PatientPlanItemSchema = z
  .object({
    id: z.string().openapi({ example: 'pli_01JD0000000000000000000000' }),
    patient_id: z.string(),
    kind: PlanKindSchema,
    channel: PlanChannelSchema,
    purpose: z.string(),
    due_on: DateSchema,
    owner: Owner,
    offer_id: z.string().nullable(),
    cost: z.object({ amount: z.number().int(), currency: z.string() }).nullable(),
    status: z.enum(PLAN_ITEM_STATUSES),
    outcome: z.string().nullable(),
    done_at: TimestampSchema.nullable(),
    source: z.enum(['plan', 'event', 'staff']).openapi({
      description:
        'plan: from the template; event: added by a visit, a survey answer or expiring points; staff: added by hand',
    }),
    event_key: z.string().nullable(),
    generation: z.number().int(),
  })
  .openapi('PatientPlanItem');

export function itemJson(i: PlanItemView): z.infer<typeof PatientPlanItemSchema> {
  return {
    id: i.id,
    patient_id: i.patientId,
    kind: i.kind,
    channel: i.channel,
    purpose: i.purpose,
    due_on: i.dueOn,
    owner: i.ownerStaffId ? { id: i.ownerStaffId, name: i.ownerName } : null,
    offer_id: i.offerId,
    cost: i.costAmount === null ? null : { amount: i.costAmount, currency: i.currency ?? '' },
    status: i.status,
    outcome: i.outcome,
    done_at: i.doneAt === null ? null : toIso(i.doneAt),
    source: i.source,
    event_key: i.eventKey,
    generation: i.generation,
  };
}

export const PatientPlanSchema = z
  .object({
    patient_id: z.string(),
    plan: z
      .object({
        owner: Owner,
        template_id: z.string().nullable(),
        template_version: z.number().int().nullable(),
        horizon_on: DateSchema.nullable(),
        generation: z.number().int(),
        generated_at: TimestampSchema.nullable(),
      })
      .nullable()
      .openapi({ description: 'null until a plan is generated' }),
    template: z.object({
      segment_key: z.string(),
      name: z.string(),
      version: z.number().int(),
      default: z.boolean(),
    }),
    target_per_year: z.number().int(),
    done_last_12_months: z.number().int(),
    items: z.array(PatientPlanItemSchema),
  })
  .openapi('PatientPlan');

export function planJson(v: PatientPlanView): z.infer<typeof PatientPlanSchema> {
  const p = v.plan;
  return {
    patient_id: v.patientId,
    plan: p
      ? {
          owner: p.ownerStaffId ? { id: p.ownerStaffId, name: p.ownerName } : null,
          template_id: p.templateId,
          template_version: p.templateVersion,
          horizon_on: p.horizonOn,
          generation: p.generation,
          generated_at: p.generatedAt === null ? null : toIso(p.generatedAt),
        }
      : null,
    template: {
      segment_key: v.template.segmentKey,
      name: v.template.name,
      version: v.template.version,
      default: v.template.isDefault,
    },
    target_per_year: v.targetPerYear,
    done_last_12_months: v.doneLast12Months,
    items: v.items.map(itemJson),
  };
}
