import { env } from 'cloudflare:workers';
import { newId } from '@gratia/core';
import type { PlanChannel, PlanItemStatus, PlanKind } from '@gratia/db';
import { T0 } from './api';

// Plans written as rows (templates, a patient's plan, dated items): the agenda, coverage, budget, CSV
// and calendar feed read what the generator writes, without depending on it.

let n = 0;

export async function planTemplate(clinicId: string, opts: { segmentKey?: string; perYear?: number } = {}) {
  const id = newId('plt', T0 + ++n);
  const perYear = opts.perYear ?? 7;
  await env.DB.prepare(
    `insert into plan_templates (id, clinic_id, segment_key, name, priority, interactions_per_year, mix, version, created_at, updated_at)
     values (?, ?, ?, ?, 0, ?, ?, 1, ?, ?)`,
  )
    .bind(
      id,
      clinicId,
      opts.segmentKey ?? `K${n}`,
      `Template ${n}`,
      perYear,
      JSON.stringify([{ kind: 'thank_you', channel: 'call', count: perYear }]),
      T0,
      T0,
    )
    .run();
  return id;
}

export async function patientPlan(
  clinicId: string,
  patientId: string,
  opts: { templateId?: string | null; ownerStaffId?: string | null } = {},
) {
  await env.DB.prepare(
    `insert into patient_plans (patient_id, clinic_id, owner_staff_id, template_id, template_version, generation, updated_at)
     values (?, ?, ?, ?, 1, 1, ?)`,
  )
    .bind(patientId, clinicId, opts.ownerStaffId ?? null, opts.templateId ?? null, T0)
    .run();
}

export interface ItemInput {
  clinicId: string;
  patientId: string;
  dueOn: string;
  ownerStaffId?: string | null;
  kind?: PlanKind;
  channel?: PlanChannel;
  purpose?: string;
  costAmount?: number | null;
  status?: PlanItemStatus;
  outcome?: string | null;
}

export async function planItem(i: ItemInput) {
  const id = newId('pli', T0 + ++n);
  const status = i.status ?? 'planned';
  await env.DB.prepare(
    `insert into plan_items (id, clinic_id, patient_id, kind, channel, purpose, due_on, owner_staff_id, cost_amount,
       currency, status, outcome, done_at, source, generation, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'plan', 1, ?, ?)`,
  )
    .bind(
      id,
      i.clinicId,
      i.patientId,
      i.kind ?? 'thank_you',
      i.channel ?? 'call',
      i.purpose ?? 'Thank them for their visit',
      i.dueOn,
      i.ownerStaffId ?? null,
      i.costAmount ?? null,
      i.costAmount == null ? null : 'EUR',
      status,
      i.outcome ?? (status === 'done' ? 'Reached' : null),
      status === 'done' ? T0 : null,
      T0,
      T0,
    )
    .run();
  return id;
}

export const itemRow = (id: string) =>
  env.DB.prepare('select * from plan_items where id = ?').bind(id).first<Record<string, unknown>>();
