import {
  clinicMonthFigures,
  clinicMonthPatients,
  clinicMonthSql,
  type Db,
  type Deps,
  jobState,
  organizations,
  runBatch,
  timezoneMonthsStatement,
} from '@gratia/db';
import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';

// Counting a clinic's monthly figures again from its records, in one batch: what the report triggers
// (migration 0013) would have written had they always existed. The cron runs it once for every clinic
// that existed before the triggers, a few clinics per run, resuming where the last run stopped; a
// clinic's rebuild replaces whatever the triggers counted for it meanwhile, in the same transaction.

/** The figures a record adds to, by column (the table's order); points_outstanding is derived. */
const FIGURES = [
  'points_issued',
  'points_spent',
  'points_reversed',
  'points_expired',
  'points_outstanding',
  'visits',
  'visit_revenue',
  'vouchers_issued',
  'vouchers_issued_value',
  'vouchers_issued_redeemed_value',
  'vouchers_redeemed',
  'vouchers_redeemed_value',
  'vouchers_voided',
  'vouchers_lapsed',
  'vouchers_lapsed_value',
  'active_patients',
] as const;
type Figure = (typeof FIGURES)[number];

const ADDED = Object.fromEntries(
  FIGURES.map((f) => [
    f.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase()),
    sql.raw(`${f} + excluded.${f}`),
  ]),
);

/** The statements that count clinic `clinic.id` again from scratch; its zone's months come first. */
export function rebuildClinicFiguresStatements(db: Db, clinic: { id: string; timezone: string }) {
  // The clinic's id is bound once per statement, as the one row of `k` that every source joins (a D1
  // statement takes at most 100 parameters, and at most a few terms of a compound SELECT).
  const withClinic = sql`with k as (select ${clinic.id} as id)`;
  const month = (at: SQL) => clinicMonthSql(sql`k.id`, at);
  /** Adds what the records of `from` contribute to each month (sums of `values`, zero elsewhere). */
  const add = (at: SQL, values: Partial<Record<Figure, SQL | number>>, from: SQL) => {
    const column = (f: Figure) => {
      const v = values[f];
      return v === undefined ? sql.raw('0') : sql`sum(${typeof v === 'number' ? sql.raw(String(v)) : v})`;
    };
    return db
      .insert(clinicMonthFigures)
      .select(
        sql`${withClinic} select k.id, ${month(at)} as m, ${sql.join(FIGURES.map(column), sql`, `)}
          ${from} group by m`,
      )
      .onConflictDoUpdate({
        target: [clinicMonthFigures.clinicId, clinicMonthFigures.month],
        set: ADDED,
      });
  };
  const points = {
    points_issued: sql`case when e.txn_type in ('accrual', 'bonus', 'correction') then -e.points else 0 end`,
    points_spent: sql`case e.txn_type when 'redemption' then e.points else 0 end`,
    points_reversed: sql`case e.txn_type when 'reversal' then -e.points else 0 end`,
    points_expired: sql`case e.txn_type when 'expiry' then e.points else 0 end`,
  };
  const active = (at: SQL, patient: SQL, from: SQL) =>
    db
      .insert(clinicMonthPatients)
      .select(sql`${withClinic} select k.id, ${month(at)}, ${patient} ${from}`)
      .onConflictDoNothing();
  return {
    months: timezoneMonthsStatement(db, clinic.timezone),
    forgetPatients: db.delete(clinicMonthPatients).where(eq(clinicMonthPatients.clinicId, clinic.id)),
    forgetFigures: db.delete(clinicMonthFigures).where(eq(clinicMonthFigures.clinicId, clinic.id)),
    visits: add(
      sql`v.occurred_at`,
      { visits: 1, visit_revenue: sql`v.amount` },
      // A reversed visit counts no more (its patient stays active that month, as the triggers count).
      sql`from k join visits v on v.clinic_id = k.id
        where not exists (select 1 from visit_reversals x where x.visit_id = v.id)`,
    ),
    // The points side of every movement of the clinic's cards: its own liability and expiry accounts...
    points: add(
      sql`e.effective_at`,
      points,
      sql`from k join point_entries e on e.account in ('liability', 'expiry') and e.owner_id = k.id where 1`,
    ),
    // ... and what it owes those who honoured its points elsewhere, for spends and their reversals.
    pointsOwed: add(
      sql`e.effective_at`,
      points,
      sql`from k join point_redemptions r on r.clinic_id = k.id
        join point_entries e on e.txn_id = r.id and e.account = 'receivable' where 1`,
    ),
    pointsOwedBack: add(
      sql`e.effective_at`,
      points,
      sql`from k join point_redemptions r on r.clinic_id = k.id join point_reversals x on x.redemption_id = r.id
        join point_entries e on e.txn_id = x.id and e.account = 'receivable' where 1`,
    ),
    // The cards' balance at the end of each month: every movement up to it.
    outstanding: db
      .update(clinicMonthFigures)
      .set({
        pointsOutstanding: sql`(select sum(p.points_issued - p.points_spent + p.points_reversed - p.points_expired)
          from clinic_month_figures p where p.clinic_id = ${clinicMonthFigures.clinicId} and p.month <= ${clinicMonthFigures.month})`,
      })
      .where(eq(clinicMonthFigures.clinicId, clinic.id)),
    issued: add(
      sql`g.issued_at`,
      { vouchers_issued: 1, vouchers_issued_value: sql`g.value_amount` },
      sql`from k join vouchers g on g.clinic_id = k.id where 1`,
    ),
    voided: add(
      sql`coalesce(g.voided_at, g.updated_at)`,
      { vouchers_voided: 1 },
      sql`from k join vouchers g on g.clinic_id = k.id where g.status = 'voided' and g.lapsed_at is null`,
    ),
    lapsed: add(
      sql`g.lapsed_at`,
      { vouchers_lapsed: 1, vouchers_lapsed_value: sql`g.remaining_amount` },
      sql`from k join vouchers g on g.clinic_id = k.id where g.lapsed_at is not null`,
    ),
    redeemed: add(
      sql`r.redeemed_at`,
      { vouchers_redeemed: 1, vouchers_redeemed_value: sql`r.amount` },
      sql`from k join redemptions r on r.clinic_id = k.id where 1`,
    ),
    redeemedOfIssued: add(
      sql`g.issued_at`,
      { vouchers_issued_redeemed_value: sql`r.amount` },
      sql`from k join redemptions r on r.clinic_id = k.id join vouchers g on g.id = r.voucher_id where 1`,
    ),
    reversed: add(
      sql`x.reversed_at`,
      { vouchers_redeemed: -1, vouchers_redeemed_value: sql`-x.amount` },
      sql`from k join redemptions r on r.clinic_id = k.id join voucher_reversals x on x.redemption_id = r.id where 1`,
    ),
    reversedOfIssued: add(
      sql`g.issued_at`,
      { vouchers_issued_redeemed_value: sql`-x.amount` },
      sql`from k join redemptions r on r.clinic_id = k.id join voucher_reversals x on x.redemption_id = r.id
        join vouchers g on g.id = x.voucher_id where 1`,
    ),
    // Who was active each month; each new row counts itself in its month's row (trigger).
    activeByVisit: active(
      sql`v.occurred_at`,
      sql`v.patient_id`,
      sql`from k join visits v on v.clinic_id = k.id where 1`,
    ),
    activeBySpend: active(
      sql`r.redeemed_at`,
      sql`r.patient_id`,
      sql`from k join point_redemptions r on r.clinic_id = k.id where 1`,
    ),
    activeByGift: active(
      sql`r.redeemed_at`,
      sql`g.patient_id`,
      sql`from k join redemptions r on r.clinic_id = k.id join vouchers g on g.id = r.voucher_id where 1`,
    ),
  };
}

const BACKFILL = 'clinic_month_figures';
/** Clinics one cron run counts again (each its own batch). */
const BACKFILL_CLINICS = 10;

/**
 * Counts the figures of the clinics that existed before the report triggers, a few per cron run,
 * resuming from where the last run stopped (job_state); the cursor moves in each clinic's own batch.
 * Once it has walked every clinic it records `done` and costs one read per run from then on. Clinics
 * created since have been counted by the triggers from their first record; counting one again changes
 * nothing.
 */
export async function backfillClinicFigures(deps: Deps): Promise<number> {
  const { db } = deps;
  const [state] = await db.select().from(jobState).where(eq(jobState.name, BACKFILL));
  if (state?.cursor === 'done') return 0;
  const clinics = await db
    .select({ id: organizations.id, timezone: organizations.timezone })
    .from(organizations)
    .where(and(eq(organizations.kind, 'clinic'), gt(organizations.id, state?.cursor ?? '')))
    .orderBy(asc(organizations.id))
    .limit(BACKFILL_CLINICS + 1);
  const now = deps.clock.now();
  const cursor = (value: string) =>
    db
      .insert(jobState)
      .values({ name: BACKFILL, cursor: value, updatedAt: now })
      .onConflictDoUpdate({ target: jobState.name, set: { cursor: value, updatedAt: now } });
  const slice = clinics.slice(0, BACKFILL_CLINICS);
  const finished = clinics.length <= BACKFILL_CLINICS;
  for (const [i, clinic] of slice.entries()) {
    const last = finished && i === slice.length - 1;
    await runBatch(db, {
      ...rebuildClinicFiguresStatements(db, clinic),
      state: cursor(last ? 'done' : clinic.id),
    });
  }
  if (slice.length === 0) await runBatch(db, { state: cursor('done') });
  return slice.length;
}
