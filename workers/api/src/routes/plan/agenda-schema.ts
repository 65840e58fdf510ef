import { toIso } from '@gratia/core';
import { PLAN_CHANNELS, PLAN_ITEM_STATUSES, PLAN_KINDS } from '@gratia/db';
import type { AgendaItem, PlanBudget, UpdatedPlanItem } from '@gratia/plan';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// The agenda's, the items', the coverage's and the budget's shapes on the wire (issue 12, point 3).

export const PlanDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .openapi({ example: '2026-11-02' });

const Kind = z.enum(PLAN_KINDS).openapi({ example: 'points_expiring' });
const Channel = z.enum(PLAN_CHANNELS).openapi({ example: 'call' });
const Status = z.enum(PLAN_ITEM_STATUSES).openapi({ example: 'planned' });

export const PlanItemSchema = z
  .object({
    id: z.string().openapi({ example: 'pli_01JD0000000000000000000000' }),
    patient_id: z.string(),
    kind: Kind,
    channel: Channel,
    purpose: z.string(),
    due_on: PlanDateSchema,
    owner_staff_id: z.string().nullable(),
    cost: z
      .object({ amount: z.number().int(), currency: z.string() })
      .nullable()
      .openapi({ description: 'What the item costs (a gift’s price), in minor units' }),
    status: Status,
    outcome: z.string().nullable(),
    done_at: TimestampSchema.nullable(),
    done_by_staff_id: z.string().nullable(),
    source: z.string().openapi({ description: '`plan` (from the template), `event` or `staff`' }),
    updated_at: TimestampSchema,
  })
  .openapi('PlanItem');

const costOf = (amount: number | null, currency: string | null, fallback: string) =>
  amount === null ? null : { amount, currency: currency ?? fallback };

export const planItemJson = (i: UpdatedPlanItem, currency: string): z.infer<typeof PlanItemSchema> => ({
  id: i.id,
  patient_id: i.patientId,
  kind: i.kind as z.infer<typeof Kind>,
  channel: i.channel as z.infer<typeof Channel>,
  purpose: i.purpose,
  due_on: i.dueOn,
  owner_staff_id: i.ownerStaffId,
  cost: costOf(i.costAmount, i.currency, currency),
  status: i.status,
  outcome: i.outcome,
  done_at: i.doneAt === null ? null : toIso(i.doneAt),
  done_by_staff_id: i.doneByStaffId,
  source: i.source,
  updated_at: toIso(i.updatedAt),
});

export const AgendaItemSchema = z
  .object({
    id: z.string().openapi({ example: 'pli_01JD0000000000000000000000' }),
    patient: z.object({
      id: z.string(),
      first_name: z.string(),
      last_name: z.string(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
    }),
    kind: Kind,
    channel: Channel,
    purpose: z.string(),
    due_on: PlanDateSchema,
    cost: z.object({ amount: z.number().int(), currency: z.string() }).nullable(),
    status: Status,
    outcome: z.string().nullable(),
    done_at: TimestampSchema.nullable(),
  })
  .openapi('AgendaItem');

export const agendaItemJson = (i: AgendaItem, currency: string): z.infer<typeof AgendaItemSchema> => ({
  id: i.id,
  patient: {
    id: i.patientId,
    first_name: i.firstName,
    last_name: i.lastName,
    phone: i.phone,
    email: i.email,
  },
  kind: i.kind as z.infer<typeof Kind>,
  channel: i.channel as z.infer<typeof Channel>,
  purpose: i.purpose,
  due_on: i.dueOn,
  cost: costOf(i.costAmount, i.currency, currency),
  status: i.status,
  outcome: i.outcome,
  done_at: i.doneAt === null ? null : toIso(i.doneAt),
});

export const AgendaSchema = z
  .object({
    owner: z.object({ id: z.string(), name: z.string(), role: z.string() }),
    from: PlanDateSchema,
    to: PlanDateSchema,
    today: PlanDateSchema,
    overdue: z
      .array(AgendaItemSchema)
      .openapi({ description: 'Still planned, due before `from`: oldest first' }),
    overdue_more: z.boolean().openapi({ description: 'More overdue items than listed (100 at most)' }),
    items: z.array(AgendaItemSchema).openapi({ description: 'Every item due from `from` to `to`, by day' }),
  })
  .openapi('Agenda');

const ChannelFiguresSchema = z.object({
  planned: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
});
const Count = z.object({ count: z.number().int(), cost: z.number().int() });

export const PlanBudgetSchema = z
  .object({
    from: z.string().openapi({ example: '2026-11' }),
    to: z.string().openapi({ example: '2027-10' }),
    currency: z.string(),
    months: z.array(
      z.object({
        month: z.string().openapi({ example: '2026-11' }),
        gifts_planned: Count.openapi({ description: 'Gifts still to give, and their cost (minor units)' }),
        gifts_done: Count.openapi({ description: 'Gifts given, and their cost (minor units)' }),
        cost: z.object({ planned: z.number().int(), done: z.number().int() }),
        by_channel: z.object(Object.fromEntries(PLAN_CHANNELS.map((c) => [c, ChannelFiguresSchema]))),
      }),
    ),
  })
  .openapi('PlanBudget');

export const planBudgetJson = (b: PlanBudget) => ({
  from: b.from,
  to: b.to,
  currency: b.currency,
  months: b.months.map((m) => ({
    month: m.month,
    gifts_planned: m.giftsPlanned,
    gifts_done: m.giftsDone,
    cost: m.cost,
    by_channel: m.byChannel,
  })),
});
