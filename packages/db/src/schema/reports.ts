import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from './organizations';

// The clinic's monthly reports read pre-aggregated figures: one row per clinic and month, kept by
// triggers on the records themselves (visits, the points ledger, vouchers, redemptions and their
// reversals: see migrations/0013_reports.sql), so no writing path can forget them and a report reads
// one row per month asked, whatever the clinic's history. A month is a calendar month in the clinic's
// own timezone, which SQL cannot compute: timezone_months holds when each month starts in each zone a
// clinic uses, and the triggers look the month of an instant up there.

/** When each calendar month starts in a timezone (2000 to 2099), for the triggers' month lookup. */
export const timezoneMonths = sqliteTable(
  'timezone_months',
  {
    timezone: text('timezone').notNull(),
    month: text('month').notNull(),
    /** The first instant of the month in the zone (ms UTC), and the first instant of the next. */
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.timezone, t.startsAt] })],
);

/**
 * One clinic's figures for one month. Points are counted in the month of the ledger entry's effective
 * time (a visit's time, a spend, a reversal, the instant a lot lapsed); `points_outstanding` is the
 * cards' balance at the end of the month (every movement up to it). Gift values and visit revenue are
 * in the clinic's currency, points are valued at the network's point value when reported.
 */
export const clinicMonthFigures = sqliteTable(
  'clinic_month_figures',
  {
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    month: text('month').notNull(),
    pointsIssued: integer('points_issued').notNull().default(0),
    pointsSpent: integer('points_spent').notNull().default(0),
    /** Points given back by reversed spends. */
    pointsReversed: integer('points_reversed').notNull().default(0),
    pointsExpired: integer('points_expired').notNull().default(0),
    pointsOutstanding: integer('points_outstanding').notNull().default(0),
    visits: integer('visits').notNull().default(0),
    visitRevenue: integer('visit_revenue').notNull().default(0),
    vouchersIssued: integer('vouchers_issued').notNull().default(0),
    vouchersIssuedValue: integer('vouchers_issued_value').notNull().default(0),
    /** Of the value issued this month, what has been redeemed since (net of reversals): the redemption rate. */
    vouchersIssuedRedeemedValue: integer('vouchers_issued_redeemed_value').notNull().default(0),
    /** Redemptions at partners this month, less the reversals made this month. */
    vouchersRedeemed: integer('vouchers_redeemed').notNull().default(0),
    vouchersRedeemedValue: integer('vouchers_redeemed_value').notNull().default(0),
    /** Voided before they lapsed. */
    vouchersVoided: integer('vouchers_voided').notNull().default(0),
    /** Lapsed with value left (in the month they expired), and that value left: the breakage. */
    vouchersLapsed: integer('vouchers_lapsed').notNull().default(0),
    vouchersLapsedValue: integer('vouchers_lapsed_value').notNull().default(0),
    /** Patients with a visit, a points spend or a gift redeemed this month (clinic_month_patients). */
    activePatients: integer('active_patients').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.month] })],
);
export type ClinicMonthFigures = typeof clinicMonthFigures.$inferSelect;

/** Who was active in a clinic's month, once each: inserting a new one counts it (trigger). */
export const clinicMonthPatients = sqliteTable(
  'clinic_month_patients',
  {
    clinicId: text('clinic_id').notNull(),
    month: text('month').notNull(),
    patientId: text('patient_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.patientId] })],
);
