import { env } from 'cloudflare:workers';
import { T0 } from './api';

// Insight rows written straight into the tables the engine keeps (patient_insight, whose triggers
// count clinic_insight_counts; clinic_month_insight, the monthly snapshots), so what reads them is
// tested on known figures without going through the events that derive them.

export interface InsightFields {
  quadrant?: 'apostle' | 'mercenary' | 'hostage' | 'defector' | 'unknown';
  abc_class?: 'A' | 'B' | 'C' | null;
  growth?: 'new' | 'rising' | 'steady' | 'falling' | 'lapsed' | null;
  win_back?: boolean;
  win_back_reason?: string | null;
  overdue_days?: number;
  engagement?: number;
  engagement_prev?: number | null;
  usual_interval_days?: number | null;
  last_visit_at?: number | null;
}

/** Sets a patient's insight row (creating it), as the engine would after an event. */
export async function seedInsight(clinicId: string, patientId: string, f: InsightFields = {}) {
  const row = {
    quadrant: f.quadrant ?? 'unknown',
    abc_class: f.abc_class ?? null,
    growth: f.growth ?? null,
    win_back: f.win_back ? 1 : 0,
    win_back_reason: f.win_back_reason ?? null,
    overdue_days: f.overdue_days ?? 0,
    engagement: f.engagement ?? 0,
    engagement_prev: f.engagement_prev ?? null,
    usual_interval_days: f.usual_interval_days ?? null,
    last_visit_at: f.last_visit_at ?? null,
  };
  const cols = Object.keys(row);
  await env.DB.prepare(
    `insert into patient_insight (patient_id, clinic_id, refreshed_at, ${cols.join(', ')})
     values (?, ?, ?, ${cols.map(() => '?').join(', ')})
     on conflict (patient_id) do update set ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  )
    .bind(patientId, clinicId, T0, ...Object.values(row))
    .run();
}

/** A snapshot row of a month: (dimension, value) → patients and their engagement's sum. */
export async function seedMonth(
  clinicId: string,
  month: string,
  rows: [dimension: string, value: string, patients: number, engagementSum?: number][],
) {
  await env.DB.batch(
    rows.map(([dimension, value, patients, sum]) =>
      env.DB.prepare(
        `insert into clinic_month_insight (clinic_id, month, dimension, value, patients, engagement_sum)
         values (?, ?, ?, ?, ?, ?)
         on conflict (clinic_id, dimension, month, value) do update
           set patients = excluded.patients, engagement_sum = excluded.engagement_sum`,
      ).bind(clinicId, month, dimension, value, patients, sum ?? 0),
    ),
  );
}
