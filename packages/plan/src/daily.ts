import { addDays, DAY_MS, localDate } from '@gratia/core';
import {
  type Db,
  type Deps,
  jobState,
  type OrgPrincipal,
  organizations,
  patientPlans,
  patients,
  planItems,
  runBatch,
  type Statements,
} from '@gratia/db';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { generationReads, generationWrites } from './patient-plan';
import { type PlanStatus, planStatusOf, planStatusReads } from './templates';

// Keeping plans 12 months ahead without anyone pressing a button, and the points-expiry event: daily
// jobs run from the cron, each a bounded slice per run that resumes where the last run stopped
// (job_state), every patient (or clinic) once per network day.

const KEEP = 'plan_keep_ahead';
const EXPIRY = 'plan_points_expiring';
/** Patients looked at, and plans (re)generated, per run; plans are written ten to a batch. */
export const KEEP_SCAN = 1000;
export const KEEP_SLICE = 200;
const KEEP_CHUNK = 10;
/** A plan is extended once its horizon is less than 11 months away. */
export const KEEP_AHEAD_DAYS = 334;
/** Clinics whose expiring cards are looked at per run, and calls added per clinic. */
const EXPIRY_CLINICS = 20;
const EXPIRY_CALLS = 200;
/** Cards whose next points expire within this many days get a call... */
export const EXPIRY_WINDOW_DAYS = 30;
/** ...due this many days before the expiry (or today, if that is later). */
export const EXPIRY_CALL_DAYS_BEFORE = 14;

const cursorStatement = (db: Db, name: string, value: string, now: number) =>
  db
    .insert(jobState)
    .values({ name, cursor: value, updatedAt: now })
    .onConflictDoUpdate({ target: jobState.name, set: { cursor: value, updatedAt: now } });

const prefixed = <T extends Statements>(i: number, s: T) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [`${i}.${k}`, v])) as Statements;
const unprefixed = (i: number, r: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(r)
      .filter(([k]) => k.startsWith(`${i}.`))
      .map(([k, v]) => [k.slice(String(i).length + 1), v]),
  );

/**
 * Generates the plans of patients with none, or whose plan ends within 11 months: a slice of patients
 * per run, walked by id (the cursor is `<day>|<last patient>`, then `<day>|done`). Regenerating keeps
 * everything done and lands the planned items on the same days (the generator's grid), so a monthly
 * extension adds the next item at the end. Answers the plans written.
 */
export async function keepPlansAhead(deps: Deps): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const day = localDate(now, deps.config.timezone);
  const [state] = await db.select().from(jobState).where(eq(jobState.name, KEEP));
  const [cursorDay, after] = (state?.cursor ?? '|').split('|') as [string, string];
  if (cursorDay === day && after === 'done') return 0;
  const from = cursorDay === day ? after : '';
  const scanned = await db
    .select({
      id: patients.id,
      clinicId: patients.clinicId,
      timezone: organizations.timezone,
      currency: organizations.currency,
      horizonOn: patientPlans.horizonOn,
    })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.clinicId))
    .leftJoin(patientPlans, eq(patientPlans.patientId, patients.id))
    .where(gt(patients.id, from))
    .orderBy(asc(patients.id))
    .limit(KEEP_SCAN);
  const due = scanned
    .filter((p) => p.horizonOn === null || p.horizonOn < addDays(localDate(now, p.timezone), KEEP_AHEAD_DAYS))
    .slice(0, KEEP_SLICE);
  const cursor =
    due.length === KEEP_SLICE
      ? due[due.length - 1]!.id
      : scanned.length < KEEP_SCAN
        ? 'done'
        : scanned[scanned.length - 1]!.id;
  let written = 0;
  for (let start = 0; start < due.length || start === 0; start += KEEP_CHUNK) {
    const chunk = due.slice(start, start + KEEP_CHUNK);
    const ctx = chunk.map((p) => ({
      clinicId: p.clinicId,
      currency: p.currency,
      patientId: p.id,
      now,
      today: localDate(now, p.timezone),
      keyId: null,
      defaultOwner: null,
    }));
    const reads: Statements = {};
    for (const [i, c] of ctx.entries()) Object.assign(reads, prefixed(i, generationReads(db, c)));
    const read = chunk.length ? ((await runBatch(db, reads)) as Record<string, unknown>) : {};
    const writes: Statements = {};
    for (const [i, c] of ctx.entries()) {
      const r = unprefixed(i, read) as Parameters<typeof generationWrites>[2];
      if (r.patient.length === 0) continue;
      Object.assign(writes, prefixed(i, generationWrites(db, c, r).writes));
      written++;
    }
    const last = start + KEEP_CHUNK >= due.length;
    await runBatch(db, {
      ...writes,
      ...(last ? { state: cursorStatement(db, KEEP, `${day}|${cursor}`, now) } : {}),
    });
    if (last) break;
  }
  return written;
}

/**
 * The points-expiry event: a card whose next points expire within 30 days gets a call on the patient's
 * plan (by the plan's owner), due 14 days before the expiry or today if that is later, once per expiry
 * date (`event_key` 'expiry:<date>', UNIQUE per patient). A slice of clinics per run, each clinic's
 * cards read by point_accounts_next_expiry_idx, at most 200 calls per clinic a run. Answers the calls
 * added.
 */
export async function addExpiringPointsCalls(deps: Deps): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const day = localDate(now, deps.config.timezone);
  const [state] = await db.select().from(jobState).where(eq(jobState.name, EXPIRY));
  const [cursorDay, after] = (state?.cursor ?? '|').split('|') as [string, string];
  if (cursorDay === day && after === 'done') return 0;
  const clinics = await db
    .select({ id: organizations.id, timezone: organizations.timezone })
    .from(organizations)
    .where(and(eq(organizations.kind, 'clinic'), gt(organizations.id, cursorDay === day ? after : '')))
    .orderBy(asc(organizations.id))
    .limit(EXPIRY_CLINICS + 1);
  const slice = clinics.slice(0, EXPIRY_CLINICS);
  const finished = clinics.length <= EXPIRY_CLINICS;
  const until = now + EXPIRY_WINDOW_DAYS * DAY_MS;
  const statements: Statements = {};
  for (const clinic of slice) {
    const today = localDate(now, clinic.timezone);
    statements[clinic.id] = db
      .insert(planItems)
      .select(
        sql`select 'pli_' || upper(hex(randomblob(13))), x.clinic_id, x.patient_id, null, 'points_expiring',
            'call', 'Their points expire on ' || x.exp || ': invite them back to use them',
            max(date(x.exp, ${`-${EXPIRY_CALL_DAYS_BEFORE} days`}), ${today}), pp.owner_staff_id, null, null, null,
            'planned', null, null, null, 'event', 'expiry:' || x.exp, 0, ${now}, ${now}
          from (select a.patient_id, a.clinic_id, (select min(l.expires_on) from point_lots l
              where l.patient_id = a.patient_id and l.remaining > 0 and l.expires_at = a.next_expiry_at) as exp
            from point_accounts a
            where a.clinic_id = ${clinic.id} and a.next_expiry_at >= ${now} and a.next_expiry_at < ${until}) x
          left join patient_plans pp on pp.patient_id = x.patient_id
          where x.exp is not null and not exists (select 1 from plan_items i
            where i.patient_id = x.patient_id and i.event_key = 'expiry:' || x.exp)
          limit ${EXPIRY_CALLS}`,
      )
      .onConflictDoNothing();
  }
  const last = slice[slice.length - 1];
  const out = (await runBatch(db, {
    ...statements,
    state: cursorStatement(db, EXPIRY, `${day}|${finished || !last ? 'done' : last.id}`, now),
  })) as Record<string, { meta?: { changes?: number } }>;
  return slice.reduce((n, c) => n + (out[c.id]?.meta?.changes ?? 0), 0);
}

/** How many of the clinic's patients have a plan, and when plans were last generated: one round trip. */
export async function readPlanStatus(deps: Deps, input: { clinic: OrgPrincipal }): Promise<PlanStatus> {
  return planStatusOf(await runBatch(deps.db, planStatusReads(deps.db, input.clinic.organizationId)));
}
