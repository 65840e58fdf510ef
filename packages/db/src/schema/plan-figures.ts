import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { PLAN_CHANNELS } from './loyalty';
import { organizations } from './organizations';

// The plan's figures, kept by triggers on plan_items (insert, delete, and updates of status, owner,
// due date, channel or cost: see migrations/0019_plan_figures.sql), so that coverage and the budget
// read a few rows per month asked, whatever the clinic's history. A month is the month of the item's
// due date (YYYY-MM, already a date in the clinic's timezone), done items included: the budget of a
// month is what was planned for it and what of that was done.

/** Per clinic, month and channel: items planned (still open), done and skipped, and their cost. */
export const planMonthFigures = sqliteTable(
  'plan_month_figures',
  {
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    month: text('month').notNull(),
    channel: text('channel', { enum: PLAN_CHANNELS }).notNull(),
    planned: integer('planned').notNull().default(0),
    done: integer('done').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    plannedCost: integer('planned_cost').notNull().default(0),
    doneCost: integer('done_cost').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.month, t.channel] })],
);

/**
 * Per clinic, owner ('' for items without one) and month: the items still planned. A row goes when its
 * count reaches zero, so the overdue figures read only months that still hold open items.
 */
export const planOwnerOpen = sqliteTable(
  'plan_owner_open',
  {
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    ownerKey: text('owner_key').notNull(),
    month: text('month').notNull(),
    planned: integer('planned').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.ownerKey, t.month] })],
);

/** Per patient and month: the plan's items done (a patient's coverage sums their last 12 months). */
export const planPatientMonths = sqliteTable(
  'plan_patient_months',
  {
    patientId: text('patient_id').notNull(),
    month: text('month').notNull(),
    done: integer('done').notNull(),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.month] })],
);
