import {
  addMonths,
  err,
  isId,
  localMonth,
  monthRange,
  monthsBetween,
  newId,
  ok,
  type Refusal,
  type Result,
} from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type ClinicBranch,
  clinicBranches,
  clinicMonthInsight,
  type Db,
  type Deps,
  type OrgPrincipal,
  runBatch,
  type SegmentRule,
  type StaffRole,
  segments,
  staffRefusal,
} from '@gratia/db';
import { and, asc, between, eq, isNull, sql } from 'drizzle-orm';
import { MEMBER_FROM, meetsRules, memberCount, rulesParam } from './segment-rules';

// A clinic's saved segments: named rule sets over what is known of each patient, with a live count
// (evaluated when read, never stored), a member list paged by patient id, CSV of every member, and a
// snapshot a day of members and engagement for the month's chart. A segment with a description is a
// persona. Owners and managers keep them (the console's 'segments' area); an API key acts for the clinic.
//
// Reads are one round trip each: a list of segments counts every segment of the page in the same
// statement (the rules are evaluated from the segments row's own JSON), and a segment's page reads the
// segment, its count, a page of members and its months in one batch. Each count reads the clinic's
// patients by patients_clinic_idx and their insight row and card by primary key: the clinic's patients,
// never its history or another clinic's rows.

export const SEGMENT_KEEPERS: readonly StaffRole[] = ['owner', 'manager'];

export interface SegmentView {
  id: string;
  name: string;
  description: string | null;
  rules: SegmentRule[];
  /** A segment with a description: shown as a persona. */
  persona: boolean;
  /** Patients meeting the rules now. */
  members: number;
  createdAt: number;
  updatedAt: number;
}

export interface SegmentMember {
  patientId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  abcClass: string | null;
  quadrant: string;
  spend12m: number;
  lastVisitAt: number | null;
  engagement: number;
  consentEmail: boolean;
  consentSms: boolean;
}

export interface SegmentMonth {
  month: string;
  /** Members at the month's last snapshot (null: no snapshot that month). */
  patients: number | null;
  /** Their average engagement (0-100), rounded; null without members or snapshot. */
  engagement: number | null;
}

type SegmentRefusal = Refusal<'segment_not_found' | 'forbidden' | 'unauthorized'>;

const notFound = (id: string): Refusal<'segment_not_found'> => ({
  code: 'segment_not_found',
  detail: `No segment ${id}`,
});

/** The segment, only if it is the clinic's and not archived. */
const own = (clinicId: string, id: string) =>
  and(eq(segments.id, id), eq(segments.clinicId, clinicId), isNull(segments.archivedAt));

const liveKey = (keyId: string) =>
  sql`exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`;

/** Segments with their live count, as a batchable select. */
const selectSegments = (db: Db, now: number) =>
  db
    .select({
      id: segments.id,
      name: segments.name,
      description: segments.description,
      rules: segments.rules,
      createdAt: segments.createdAt,
      updatedAt: segments.updatedAt,
      members: sql<number>`${memberCount(sql`"segments"."clinic_id"`, sql`"segments"."rules"`, now)}`.as(
        'members',
      ),
    })
    .from(segments);

type SegmentRow = Awaited<ReturnType<ReturnType<typeof selectSegments>['all']>>[number];

const viewOf = (r: SegmentRow): SegmentView => ({
  ...r,
  persona: r.description !== null && r.description !== '',
  members: Number(r.members),
});

/** The rules a saved segment holds, for a statement that reads its members (null: no such segment). */
const savedRules = (clinicId: string, id: string) =>
  sql`(select s.rules from segments s where s.id = ${id} and s.clinic_id = ${clinicId} and s.archived_at is null)`;

const MEMBER_JSON = sql`json_object('patient_id', p.id, 'first_name', p.first_name, 'last_name', p.last_name,
  'email', p.email, 'phone', p.phone, 'abc_class', i.abc_class, 'quadrant', coalesce(i.quadrant, 'unknown'),
  'spend_12m', coalesce(i.spend_12m, 0), 'last_visit_at', i.last_visit_at,
  'engagement', coalesce(i.engagement, 0), 'consent_email', p.consent_email, 'consent_sms', p.consent_sms)`;

interface MemberJson {
  patient_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  abc_class: string | null;
  quadrant: string;
  spend_12m: number;
  last_visit_at: number | null;
  engagement: number;
  consent_email: number;
  consent_sms: number;
}

const memberOf = (json: string): SegmentMember => {
  const m = JSON.parse(json) as MemberJson;
  return {
    patientId: m.patient_id,
    firstName: m.first_name,
    lastName: m.last_name,
    email: m.email,
    phone: m.phone,
    abcClass: m.abc_class,
    quadrant: m.quadrant,
    spend12m: m.spend_12m,
    lastVisitAt: m.last_visit_at,
    engagement: m.engagement,
    consentEmail: m.consent_email === 1,
    consentSms: m.consent_sms === 1,
  };
};

/** A page of the members of a saved segment, by patient id, after `after`: patients_clinic_idx in order. */
function selectMembers(
  db: Db,
  input: { clinicId: string; id: string; after: string | null; limit: number; now: number },
) {
  return db
    .select({ member: sql<string>`${MEMBER_JSON}`.as('member') })
    .from(MEMBER_FROM)
    .where(
      sql`p.clinic_id = ${input.clinicId} ${input.after ? sql`and p.id > ${input.after}` : sql``}
        and ${meetsRules(savedRules(input.clinicId, input.id), input.now)}`,
    )
    .orderBy(sql`p.id`)
    .limit(input.limit);
}

// ---------------------------------------------------------------------------------------------------
// Changes

export interface SegmentInput {
  name: string;
  description?: string | null;
  rules: SegmentRule[];
}

/** A new segment of the clinic, with an audit entry, and its count, in one batch. */
export async function createSegment(
  deps: Deps,
  input: { clinic: OrgPrincipal } & SegmentInput,
): Promise<Result<SegmentView, Refusal<'forbidden' | 'unauthorized'>>> {
  const refused = staffRefusal(input.clinic, SEGMENT_KEEPERS);
  if (refused) return err(refused as Refusal<'forbidden'>);
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('seg', now);
  const { organizationId: clinicId, keyId } = input.clinic;
  const description = input.description?.trim() || null;
  const out = await runBatch(db, {
    insert: db.insert(segments).select(
      sql`select ${id}, ${clinicId}, ${input.name}, ${description}, ${JSON.stringify(input.rules)}, ${now}, ${now},
        null, 0 where ${liveKey(keyId)}`,
    ),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'segment.create',
      subject: { type: 'segment', id },
      detail: { name: input.name, rules: input.rules.length },
      when: sql`exists (select 1 from segments s where s.id = ${id})`,
      at: now,
    }),
    after: selectSegments(db, now).where(eq(segments.id, id)),
  });
  const row = out.after[0];
  if (!row) return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
  return ok(viewOf(row));
}

/** Renames, re-describes or re-rules one of the clinic's live segments, with an audit entry, in one batch. */
export async function updateSegment(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string } & Partial<SegmentInput>,
): Promise<Result<SegmentView, SegmentRefusal>> {
  const refused = staffRefusal(input.clinic, SEGMENT_KEEPERS);
  if (refused) return err(refused as Refusal<'forbidden'>);
  if (!isId('seg', input.id)) return err(notFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const { organizationId: clinicId, keyId } = input.clinic;
  const changed: string[] = [];
  const set: Partial<typeof segments.$inferInsert> = { updatedAt: now };
  if (input.name !== undefined) {
    set.name = input.name;
    changed.push('name');
  }
  if (input.description !== undefined) {
    set.description = input.description?.trim() || null;
    changed.push('description');
  }
  if (input.rules !== undefined) {
    set.rules = input.rules;
    changed.push('rules');
  }
  const guard = and(own(clinicId, input.id), liveKey(keyId));
  const out = await runBatch(db, {
    // Before the update, under its own guard: the entry exists exactly when the update applies.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'segment.update',
      subject: { type: 'segment', id: input.id },
      detail: { changed },
      when: sql`exists (select 1 from segments s where s.id = ${input.id} and s.clinic_id = ${clinicId}
        and s.archived_at is null)`,
      at: now,
    }),
    update: db.update(segments).set(set).where(guard),
    after: selectSegments(db, now).where(and(own(clinicId, input.id), eq(segments.updatedAt, now))),
    exists: db.select({ id: segments.id }).from(segments).where(own(clinicId, input.id)),
  });
  const row = out.after[0];
  if (row) return ok(viewOf(row));
  if (out.exists.length === 0) return err(notFound(input.id));
  return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}

/** Archives one of the clinic's live segments (it leaves the lists; its months stay), with an audit entry. */
export async function archiveSegment(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string },
): Promise<Result<{ id: string; archivedAt: number }, SegmentRefusal>> {
  const refused = staffRefusal(input.clinic, SEGMENT_KEEPERS);
  if (refused) return err(refused as Refusal<'forbidden'>);
  if (!isId('seg', input.id)) return err(notFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const { organizationId: clinicId, keyId } = input.clinic;
  const out = await runBatch(db, {
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'segment.archive',
      subject: { type: 'segment', id: input.id },
      when: sql`exists (select 1 from segments s where s.id = ${input.id} and s.clinic_id = ${clinicId}
        and s.archived_at is null)`,
      at: now,
    }),
    archive: db
      .update(segments)
      .set({ archivedAt: now, updatedAt: now })
      .where(and(own(clinicId, input.id), liveKey(keyId)))
      .returning({ id: segments.id }),
    exists: db.select({ id: segments.id }).from(segments).where(own(clinicId, input.id)),
  });
  if (out.archive[0]) return ok({ id: input.id, archivedAt: now });
  if (out.exists.length === 0) return err(notFound(input.id));
  return err({ code: 'unauthorized', detail: 'The API key is unknown or revoked' });
}

// ---------------------------------------------------------------------------------------------------
// Reads

const readRefusal = (clinic: OrgPrincipal) =>
  staffRefusal(clinic, SEGMENT_KEEPERS) as Refusal<'forbidden'> | null;

/**
 * A page of the clinic's live segments, by name, each with its live count: one statement (the count of
 * each is a subquery over the clinic's patients, evaluating the row's own rules).
 */
export async function listSegments(
  deps: Deps,
  input: { clinic: OrgPrincipal; after: string | null; limit: number },
): Promise<Result<{ segments: SegmentView[]; next: string | null }, Refusal<'forbidden'>>> {
  const refused = readRefusal(input.clinic);
  if (refused) return err(refused);
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const after = input.after;
  const rows = await selectSegments(db, deps.clock.now())
    .where(
      and(
        eq(segments.clinicId, clinicId),
        isNull(segments.archivedAt),
        after
          ? sql`("segments"."name", "segments"."id") > (select x.name, x.id from segments x
              where x.id = ${after} and x.clinic_id = ${clinicId})`
          : undefined,
      ),
    )
    .orderBy(asc(segments.name), asc(segments.id))
    .limit(input.limit + 1);
  const more = rows.length > input.limit;
  const kept = (more ? rows.slice(0, input.limit) : rows).map(viewOf);
  return ok({ segments: kept, next: more ? (kept[kept.length - 1]?.id ?? null) : null });
}

/** How many of the clinic's patients meet `rules` now: one statement, before saving them. */
export async function previewSegment(
  deps: Deps,
  input: { clinic: OrgPrincipal; rules: SegmentRule[] },
): Promise<Result<{ members: number }, Refusal<'forbidden'>>> {
  const refused = readRefusal(input.clinic);
  if (refused) return err(refused);
  const { db } = deps;
  const row = await db.get<{ members: number }>(
    sql`select ${memberCount(input.clinic.organizationId, rulesParam(input.rules), deps.clock.now())} as members`,
  );
  return ok({ members: Number(row?.members ?? 0) });
}

/** The clinic's live segment with its count (one statement). */
export async function getSegment(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string },
): Promise<Result<SegmentView, Refusal<'segment_not_found' | 'forbidden'>>> {
  const refused = readRefusal(input.clinic);
  if (refused) return err(refused);
  if (!isId('seg', input.id)) return err(notFound(input.id));
  const [row] = await selectSegments(deps.db, deps.clock.now()).where(
    own(input.clinic.organizationId, input.id),
  );
  return row ? ok(viewOf(row)) : err(notFound(input.id));
}

/** A page of a segment's members by patient id (after `after`), and whether there are more. */
export async function listSegmentMembers(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; after: string | null; limit: number },
): Promise<
  Result<{ members: SegmentMember[]; next: string | null }, Refusal<'segment_not_found' | 'forbidden'>>
> {
  const refused = readRefusal(input.clinic);
  if (refused) return err(refused);
  if (!isId('seg', input.id)) return err(notFound(input.id));
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    segment: db.select({ id: segments.id }).from(segments).where(own(clinicId, input.id)),
    page: selectMembers(db, { ...input, clinicId, limit: input.limit + 1, now: deps.clock.now() }),
  });
  if (read.segment.length === 0) return err(notFound(input.id));
  return ok(pageOf(read.page, input.limit));
}

function pageOf(rows: { member: string }[], limit: number) {
  const members = rows.map((r) => memberOf(r.member));
  const more = members.length > limit;
  const kept = more ? members.slice(0, limit) : members;
  return { members: kept, next: more ? (kept[kept.length - 1]?.patientId ?? null) : null };
}

export const SEGMENT_MONTHS_DEFAULT = 12;
export const SEGMENT_MONTHS_MAX = 24;

const _invalid = (path: string, message: string): Refusal<'validation_failed'> => ({
  code: 'validation_failed',
  detail: `${path} ${message}`,
  errors: [{ path, message }],
});

/** The months a chart covers: by default the last 12 up to the clinic's current month. */
export function segmentMonthRange(
  input: { from?: string; to?: string },
  current: string,
): Result<{ from: string; to: string }, Refusal<'validation_failed'>> {
  return monthRange(input, current, { defaultMonths: SEGMENT_MONTHS_DEFAULT, maxMonths: SEGMENT_MONTHS_MAX });
}

const selectMonths = (db: Db, clinicId: string, id: string, from: string, to: string) =>
  db
    .select({
      month: clinicMonthInsight.month,
      patients: clinicMonthInsight.patients,
      engagementSum: clinicMonthInsight.engagementSum,
    })
    .from(clinicMonthInsight)
    .where(
      and(
        eq(clinicMonthInsight.clinicId, clinicId),
        eq(clinicMonthInsight.dimension, 'segment'),
        between(clinicMonthInsight.month, from, to),
        eq(clinicMonthInsight.value, id),
      ),
    );

function monthsOf(
  rows: { month: string; patients: number; engagementSum: number }[],
  from: string,
  to: string,
): SegmentMonth[] {
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const out: SegmentMonth[] = [];
  for (let i = 0; i <= monthsBetween(from, to); i++) {
    const month = addMonths(from, i);
    const r = byMonth.get(month);
    out.push({
      month,
      patients: r ? r.patients : null,
      engagement: r && r.patients > 0 ? Math.round(r.engagementSum / r.patients) : null,
    });
  }
  return out;
}

/** A segment's members and average engagement month by month (the daily snapshots), in one batch. */
export async function segmentMonths(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; from?: string; to?: string },
): Promise<
  Result<
    { from: string; to: string; months: SegmentMonth[] },
    Refusal<'segment_not_found' | 'forbidden' | 'validation_failed'>
  >
> {
  const refused = readRefusal(input.clinic);
  if (refused) return err(refused);
  const range = segmentMonthRange(input, localMonth(deps.clock.now(), input.clinic.organization.timezone));
  if (!range.ok) return range;
  if (!isId('seg', input.id)) return err(notFound(input.id));
  const { from, to } = range.value;
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    segment: db.select({ id: segments.id }).from(segments).where(own(clinicId, input.id)),
    months: selectMonths(db, clinicId, input.id, from, to),
  });
  if (read.segment.length === 0) return err(notFound(input.id));
  return ok({ from, to, months: monthsOf(read.months, from, to) });
}

export interface SegmentOverview {
  segment: SegmentView;
  members: SegmentMember[];
  next: string | null;
  months: SegmentMonth[];
  branches: Pick<ClinicBranch, 'id' | 'name'>[];
}

/**
 * What the console's segment page shows, in one batch: the segment and its count, a page of members,
 * the last 12 months, and the clinic's branch names (rules name branches by id).
 */
export async function segmentOverview(
  deps: Deps,
  input: { clinic: OrgPrincipal; id: string; after: string | null; limit: number },
): Promise<Result<SegmentOverview, Refusal<'segment_not_found' | 'forbidden'>>> {
  const refused = readRefusal(input.clinic);
  if (refused) return err(refused);
  if (!isId('seg', input.id)) return err(notFound(input.id));
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const to = localMonth(now, input.clinic.organization.timezone);
  const from = addMonths(to, 1 - SEGMENT_MONTHS_DEFAULT);
  const read = await runBatch(db, {
    segment: selectSegments(db, now).where(own(clinicId, input.id)),
    page: selectMembers(db, { clinicId, id: input.id, after: input.after, limit: input.limit + 1, now }),
    months: selectMonths(db, clinicId, input.id, from, to),
    branches: db
      .select({ id: clinicBranches.id, name: clinicBranches.name })
      .from(clinicBranches)
      .where(eq(clinicBranches.clinicId, clinicId)),
  });
  const row = read.segment[0];
  if (!row) return err(notFound(input.id));
  return ok({
    segment: viewOf(row),
    ...pageOf(read.page, input.limit),
    months: monthsOf(read.months, from, to),
    branches: read.branches,
  });
}

// ---------------------------------------------------------------------------------------------------
// Month snapshots (the daily job)

/**
 * Writes this month's members and engagement of every live segment of the clinic (dimension
 * 'segment', value = the segment id) and stamps the segments, in one batch: the month's row is
 * overwritten each day, so once the month is over it holds the month-end figures.
 */
export async function snapshotSegments(deps: Deps, clinicId: string, month: string): Promise<number> {
  const { db } = deps;
  const now = deps.clock.now();
  const rules = sql`s.rules`;
  const out = await runBatch(db, {
    upsert: db
      .insert(clinicMonthInsight)
      .select(
        sql`select s.clinic_id, ${month}, 'segment', s.id, ${memberCount(sql`s.clinic_id`, rules, now)},
          (select coalesce(sum(i.engagement), 0) from ${MEMBER_FROM}
            where p.clinic_id = s.clinic_id and ${meetsRules(rules, now)})
          from segments s where s.clinic_id = ${clinicId} and s.archived_at is null`,
      )
      .onConflictDoUpdate({
        target: [
          clinicMonthInsight.clinicId,
          clinicMonthInsight.dimension,
          clinicMonthInsight.month,
          clinicMonthInsight.value,
        ],
        set: {
          patients: sql`excluded.patients`,
          engagementSum: sql`excluded.engagement_sum`,
        },
      }),
    stamp: db
      .update(segments)
      .set({ snapshotAt: now })
      .where(and(eq(segments.clinicId, clinicId), isNull(segments.archivedAt))),
  });
  return (out.upsert as unknown as { meta?: { changes?: number } }).meta?.changes ?? 0;
}

/** How long a segment's month row may go without a refresh before the job takes its clinic. */
export const SEGMENT_SNAPSHOT_EVERY_MS = 20 * 3600_000;
export const SEGMENT_SNAPSHOT_CLINICS = 10;

/**
 * The daily snapshots, a slice of clinics per run: the clinics with a live segment not snapshotted
 * for 20 hours (found by segments_snapshot_idx), each in its own timezone's month.
 */
export async function snapshotDueSegments(
  deps: Deps,
  opts: { clinics?: number } = {},
): Promise<{ clinics: number }> {
  const { db } = deps;
  const now = deps.clock.now();
  const due = await db.all<{ clinic_id: string; timezone: string }>(
    sql`select d.clinic_id, o.timezone from (select distinct s.clinic_id from segments s
        where s.archived_at is null and s.snapshot_at < ${now - SEGMENT_SNAPSHOT_EVERY_MS}
        limit ${opts.clinics ?? SEGMENT_SNAPSHOT_CLINICS}) d
      join organizations o on o.id = d.clinic_id`,
  );
  for (const c of due) await snapshotSegments(deps, c.clinic_id, localMonth(now, c.timezone));
  return { clinics: due.length };
}
