import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  insightSettings,
  type OrgPrincipal,
  type PatientInsight,
  patientInsight,
  runBatch,
  type StaffRole,
  staffRefusal,
} from '@gratia/db';
import { and, eq, sql } from 'drizzle-orm';
import { type ClinicRefresh, classifyStatements, refreshClinic } from './clinic';

// The clinic's insight settings (A/B/C thresholds, a gift budget per class), the insight row of a
// patient, and the clinic's refresh on demand. Owners and managers (and API keys) change settings and
// ask for a refresh; every clinic role reads.

export const INSIGHT_EDITORS: readonly StaffRole[] = ['owner', 'manager'];

export interface InsightSettingsView {
  abcABps: number;
  abcBBps: number;
  budgetA: number | null;
  budgetB: number | null;
  budgetC: number | null;
  usualIntervalDays: number;
  updatedAt: number | null;
}

export const DEFAULT_INSIGHT_SETTINGS: InsightSettingsView = {
  abcABps: 8000,
  abcBBps: 1500,
  budgetA: null,
  budgetB: null,
  budgetC: null,
  usualIntervalDays: 90,
  updatedAt: null,
};

const selectSettings = (deps: Deps, clinicId: string) =>
  deps.db.select().from(insightSettings).where(eq(insightSettings.clinicId, clinicId));

const viewOf = (row: typeof insightSettings.$inferSelect | undefined): InsightSettingsView =>
  row
    ? {
        abcABps: row.abcABps,
        abcBBps: row.abcBBps,
        budgetA: row.budgetA,
        budgetB: row.budgetB,
        budgetC: row.budgetC,
        usualIntervalDays: row.usualIntervalDays,
        updatedAt: row.updatedAt,
      }
    : DEFAULT_INSIGHT_SETTINGS;

/** The clinic's settings (the defaults until it saves its own). One query. */
export async function readInsightSettings(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<InsightSettingsView> {
  const [row] = await selectSettings(deps, input.clinic.organizationId);
  return viewOf(row);
}

export interface InsightSettingsInput {
  clinic: OrgPrincipal;
  abcABps: number;
  abcBBps: number;
  budgetA: number | null;
  budgetB: number | null;
  budgetC: number | null;
}

/** What is wrong with thresholds and budgets, by field (empty: nothing). */
export function checkInsightSettings(i: Omit<InsightSettingsInput, 'clinic'>) {
  const errors: { path: string; message: string }[] = [];
  const whole = (n: number) => Number.isInteger(n);
  if (!whole(i.abcABps) || i.abcABps < 1 || i.abcABps > 10_000)
    errors.push({ path: 'abc_a_bps', message: 'must be a whole number from 1 to 10000' });
  if (!whole(i.abcBBps) || i.abcBBps < 0 || i.abcBBps > 10_000)
    errors.push({ path: 'abc_b_bps', message: 'must be a whole number from 0 to 10000' });
  else if (i.abcABps + i.abcBBps > 10_000)
    errors.push({ path: 'abc_b_bps', message: 'A and B together must be at most 10000 (100%)' });
  for (const k of ['budgetA', 'budgetB', 'budgetC'] as const) {
    const v = i[k];
    if (v !== null && (!whole(v) || v < 0 || v > 1_000_000_000))
      errors.push({ path: `budget_${k.slice(-1).toLowerCase()}`, message: 'must be a whole amount ≥ 0' });
  }
  return errors;
}

/**
 * Saves the thresholds and budgets, with an audit entry, and classifies the clinic's patients again
 * under the new thresholds, in one batch.
 */
export async function saveInsightSettings(
  deps: Deps,
  input: InsightSettingsInput,
): Promise<Result<InsightSettingsView, Refusal<'forbidden' | 'validation_failed'>>> {
  const refused = staffRefusal(input.clinic, INSIGHT_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const errors = checkInsightSettings(input);
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The insight settings are not valid', errors });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const values = {
    abcABps: input.abcABps,
    abcBBps: input.abcBBps,
    budgetA: input.budgetA,
    budgetB: input.budgetB,
    budgetC: input.budgetC,
    updatedAt: now,
  };
  const out = await runBatch(db, {
    save: db
      .insert(insightSettings)
      .values({ clinicId, ...values })
      .onConflictDoUpdate({ target: insightSettings.clinicId, set: values }),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'insight_settings.update',
      subject: { type: 'insight_settings', id: clinicId },
      detail: {
        abc_a_bps: input.abcABps,
        abc_b_bps: input.abcBBps,
        budget_a: input.budgetA,
        budget_b: input.budgetB,
        budget_c: input.budgetC,
      },
      at: now,
    }),
    classify: classifyStatements(db, clinicId),
    after: selectSettings(deps, clinicId),
  });
  return ok(viewOf(out.after[0]));
}

/** The insight row of one of the clinic's patients (one query); another clinic's is not found. */
export async function readPatientInsight(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<PatientInsight, Refusal<'patient_not_found'>>> {
  const notFound = err({ code: 'patient_not_found' as const, detail: `No patient ${input.patientId}` });
  if (!isId('pat', input.patientId)) return notFound;
  const [row] = await deps.db
    .select()
    .from(patientInsight)
    .where(
      and(
        eq(patientInsight.patientId, input.patientId),
        eq(patientInsight.clinicId, input.clinic.organizationId),
      ),
    );
  return row ? ok(row) : notFound;
}

/** Re-derives the caller's clinic now (owners, managers, API keys), with an audit entry. */
export async function refreshClinicInsight(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<Result<ClinicRefresh, Refusal<'forbidden'>>> {
  const refused = staffRefusal(input.clinic, INSIGHT_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const clinicId = input.clinic.organizationId;
  const now = deps.clock.now();
  const done = await refreshClinic(deps, {
    clinicId,
    audit: auditEntry(deps.db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'insight.refresh',
      subject: { type: 'organization', id: clinicId },
      detail: sql`json_object('patients', (select count(*) from patient_insight i where i.clinic_id = ${clinicId}))`,
      at: now,
    }),
  });
  if (!done) return err({ code: 'forbidden', detail: 'Only a clinic has patients to refresh' });
  return ok(done);
}
