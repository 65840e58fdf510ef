import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './api-keys';
import { organizations, type PartnerCategory } from './organizations';
import { patients } from './patients';

// What a clinic knows of each patient beyond their card: questionnaire answers, satisfaction surveys,
// the suggestions in them, and one pre-aggregated insight row per patient (spend, visits, engagement,
// A/B/C, loyalty quadrant, win-back) that segments, quadrant counts and gift suggestions read, so none
// of them reads the clinic's history. Clinic-wide distributions are counted apart (clinic_insight_counts)
// and month-by-month figures are snapshots (clinic_month_insight), both read in a handful of rows.

// ---------------------------------------------------------------------------------------------------
// Personal links

export const PATIENT_LINK_PURPOSES = ['questionnaire', 'survey'] as const;
export type PatientLinkPurpose = (typeof PATIENT_LINK_PURPOSES)[number];

/**
 * A personal link for one patient: `/q/<token>` (questionnaire) or `/s/<token>` (survey). The token is
 * `<id>.<signature>`, an HMAC over the id, patient, purpose and expiry, so it is good for this patient,
 * this purpose and until `expires_at` only; the row counts its opens (engagement) and says when the
 * patient completed it (a survey link takes one answer).
 */
export const patientLinks = sqliteTable(
  'patient_links',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    purpose: text('purpose', { enum: PATIENT_LINK_PURPOSES }).notNull(),
    /** The paid visit a survey asks about (null for a questionnaire, or a survey sent by staff). */
    visitId: text('visit_id'),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    opens: integer('opens').notNull().default(0),
    firstOpenedAt: integer('first_opened_at'),
    lastOpenedAt: integer('last_opened_at'),
    completedAt: integer('completed_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    index('patient_links_patient_idx').on(t.patientId, t.purpose, t.createdAt),
    uniqueIndex('patient_links_visit_idx').on(t.visitId, t.purpose),
    check('patient_links_purpose_check', sql`${t.purpose} in ('questionnaire', 'survey')`),
  ],
);
export type PatientLink = typeof patientLinks.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Questionnaires

export const QUESTION_TYPES = ['single', 'multiple', 'text', 'date', 'scale'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/**
 * What an answer tells the clinic, beyond itself: `interests` and `life_situation` options become
 * preference tags, `categories` options name partner categories the patient would enjoy, `branch`
 * options are the clinic's branch ids, `birthday` fills the patient's birth date when unknown,
 * `contact_channel` / `contact_time` their preferred way and time to be reached.
 */
export const QUESTION_ROLES = [
  'interests',
  'brands',
  'categories',
  'branch',
  'contact_channel',
  'contact_time',
  'birthday',
  'life_situation',
  'referral_source',
] as const;
export type QuestionRole = (typeof QUESTION_ROLES)[number];

export interface QuestionOption {
  value: string;
  label: string;
  /** Preference tags the patient gets when they choose this option. */
  tags?: string[];
  /** The partner category this option says the patient would enjoy. */
  category?: PartnerCategory;
}

export interface Question {
  /** Stable within the clinic's questionnaires: answers are kept by it across versions. */
  id: string;
  type: QuestionType;
  label: string;
  help?: string;
  required: boolean;
  role?: QuestionRole;
  options?: QuestionOption[];
}

/** Each version of a clinic's questionnaire, kept whole: an answer names the version it answered. */
export const questionnaires = sqliteTable(
  'questionnaires',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    intro: text('intro'),
    questions: text('questions', { mode: 'json' }).$type<Question[]>().notNull(),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('questionnaires_clinic_version_idx').on(t.clinicId, t.version)],
);
export type Questionnaire = typeof questionnaires.$inferSelect;

export type AnswerValue = string | string[] | number | null;

export const ANSWER_SOURCES = ['link', 'console', 'api'] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

/** A patient's answers to one version, appended; the latest is what the clinic knows now. */
export const questionnaireResponses = sqliteTable(
  'questionnaire_responses',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    questionnaireId: text('questionnaire_id')
      .notNull()
      .references(() => questionnaires.id),
    version: integer('version').notNull(),
    answers: text('answers', { mode: 'json' }).$type<Record<string, AnswerValue>>().notNull(),
    source: text('source', { enum: ANSWER_SOURCES }).notNull(),
    linkId: text('link_id').references(() => patientLinks.id),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    submittedAt: integer('submitted_at').notNull(),
  },
  (t) => [index('questionnaire_responses_patient_idx').on(t.patientId, t.submittedAt)],
);
export type QuestionnaireResponse = typeof questionnaireResponses.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Surveys and suggestions

/** A satisfaction survey answer: 0-10 likelihood to recommend, what to improve, a quotable word. */
export const surveyResponses = sqliteTable(
  'survey_responses',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    linkId: text('link_id').references(() => patientLinks.id),
    visitId: text('visit_id'),
    score: integer('score').notNull(),
    improvement: text('improvement'),
    recommendation: text('recommendation'),
    /** The patient's explicit permission to quote `recommendation`. */
    quotePermission: integer('quote_permission', { mode: 'boolean' }).notNull().default(false),
    source: text('source', { enum: ANSWER_SOURCES }).notNull(),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    /** The calendar month of `submitted_at` in the clinic's timezone (NPS per month). */
    month: text('month').notNull(),
    submittedAt: integer('submitted_at').notNull(),
  },
  (t) => [
    index('survey_responses_clinic_idx').on(t.clinicId, t.submittedAt),
    index('survey_responses_patient_idx').on(t.patientId, t.submittedAt),
    uniqueIndex('survey_responses_link_idx').on(t.linkId),
    check('survey_responses_score_check', sql`${t.score} between 0 and 10`),
  ],
);
export type SurveyResponse = typeof surveyResponses.$inferSelect;

export const SUGGESTION_STATUSES = ['new', 'planned', 'implemented', 'declined'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];

/** "What to improve", tracked: the patient is told when theirs is implemented (`notified_at`). */
export const suggestions = sqliteTable(
  'suggestions',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    surveyResponseId: text('survey_response_id').references(() => surveyResponses.id),
    text: text('text').notNull(),
    status: text('status', { enum: SUGGESTION_STATUSES }).notNull().default('new'),
    /** The clinic's answer to the patient (shown to them when implemented or declined). */
    reply: text('reply'),
    createdAt: integer('created_at').notNull(),
    statusChangedAt: integer('status_changed_at').notNull(),
    notifiedAt: integer('notified_at'),
  },
  (t) => [
    index('suggestions_clinic_idx').on(t.clinicId, t.status, t.createdAt),
    index('suggestions_patient_idx').on(t.patientId, t.createdAt),
    check('suggestions_status_check', sql`${t.status} in ('new', 'planned', 'implemented', 'declined')`),
  ],
);
export type Suggestion = typeof suggestions.$inferSelect;

/** NPS per clinic and month, counted by a trigger on survey_responses (migration 0015). */
export const clinicMonthNps = sqliteTable(
  'clinic_month_nps',
  {
    clinicId: text('clinic_id').notNull(),
    month: text('month').notNull(),
    responses: integer('responses').notNull().default(0),
    promoters: integer('promoters').notNull().default(0),
    passives: integer('passives').notNull().default(0),
    detractors: integer('detractors').notNull().default(0),
    scoreSum: integer('score_sum').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.month] })],
);

// ---------------------------------------------------------------------------------------------------
// Places: clinic branches and where partners are

/** A clinic's branch (location), with coordinates so partners nearby can be ranked first. */
export const clinicBranches = sqliteTable(
  'clinic_branches',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    address: text('address'),
    /** Degrees (WGS 84) times 1e6, as integers. */
    latitudeE6: integer('latitude_e6'),
    longitudeE6: integer('longitude_e6'),
    createdAt: integer('created_at').notNull(),
    archivedAt: integer('archived_at'),
  },
  (t) => [index('clinic_branches_clinic_idx').on(t.clinicId, t.name)],
);
export type ClinicBranch = typeof clinicBranches.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Per-clinic insight settings

export interface AbcThresholds {
  /** A = the patients who make the first `aBps` of trailing-12-month revenue (default 8000 = 80%). */
  aBps: number;
  /** B = the next `bBps` (default 1500 = 15%); C = the rest. */
  bBps: number;
}

export const insightSettings = sqliteTable('insight_settings', {
  clinicId: text('clinic_id')
    .primaryKey()
    .references(() => organizations.id),
  abcABps: integer('abc_a_bps').notNull().default(8000),
  abcBBps: integer('abc_b_bps').notNull().default(1500),
  /** The gift budget per A/B/C class, in the clinic's currency's minor units (null: no limit). */
  budgetA: integer('budget_a'),
  budgetB: integer('budget_b'),
  budgetC: integer('budget_c'),
  updatedAt: integer('updated_at').notNull(),
  /**
   * The clinic's usual interval between a patient's visits, in days: the mean of its patients' own
   * usual intervals (those with two visits or more), computed by the daily insight job; 90 until then.
   * A patient with fewer than two visits is measured against it.
   */
  usualIntervalDays: integer('usual_interval_days').notNull().default(90),
});
export type InsightSettings = typeof insightSettings.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// The per-patient aggregate

export const ABC_CLASSES = ['A', 'B', 'C'] as const;
export type AbcClass = (typeof ABC_CLASSES)[number];
export const GROWTH = ['new', 'rising', 'steady', 'falling', 'lapsed'] as const;
export type Growth = (typeof GROWTH)[number];
export const QUADRANTS = ['apostle', 'mercenary', 'hostage', 'defector', 'unknown'] as const;
export type Quadrant = (typeof QUADRANTS)[number];

/**
 * One row per patient, kept up to date with the events (visits, redemptions, link opens, answers) and
 * re-derived daily for what time alone changes (recency, trailing windows, A/B/C): everything a segment
 * rule, the quadrant counts, the win-back list and gift suggestions read about a patient.
 */
export const patientInsight = sqliteTable(
  'patient_insight',
  {
    patientId: text('patient_id')
      .primaryKey()
      .references(() => patients.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    // Behaviour
    firstVisitAt: integer('first_visit_at'),
    lastVisitAt: integer('last_visit_at'),
    visitCount: integer('visit_count').notNull().default(0),
    lifetimeSpend: integer('lifetime_spend').notNull().default(0),
    spend12m: integer('spend_12m').notNull().default(0),
    spendPrev12m: integer('spend_prev_12m').notNull().default(0),
    visits12m: integer('visits_12m').notNull().default(0),
    /** The patient's own usual interval between visits, in days (null below two visits). */
    usualIntervalDays: integer('usual_interval_days'),
    /** Gifts redeemed and points spent, all time. */
    redemptions: integer('redemptions').notNull().default(0),
    linkOpens: integer('link_opens').notNull().default(0),
    lastOpenAt: integer('last_open_at'),
    /** The month (YYYY-MM, clinic timezone) of the first visit: the patient's cohort. */
    cohortMonth: text('cohort_month'),
    // Satisfaction
    surveyScore: integer('survey_score'),
    surveyAt: integer('survey_at'),
    surveyCount: integer('survey_count').notNull().default(0),
    // What they told the clinic (from the latest questionnaire answers)
    preferenceTags: text('preference_tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    categories: text('categories', { mode: 'json' }).$type<PartnerCategory[]>().notNull().default(sql`'[]'`),
    preferredBranchId: text('preferred_branch_id'),
    preferredChannel: text('preferred_channel'),
    preferredTime: text('preferred_time'),
    /** 1-12, from the birth date (answers or the patient's record). */
    birthMonth: integer('birth_month'),
    /** The latest questionnaire answers, by question id (segment rules on answers read them here). */
    answers: text('answers', { mode: 'json' })
      .$type<Record<string, AnswerValue>>()
      .notNull()
      .default(sql`'{}'`),
    answeredAt: integer('answered_at'),
    // Derived
    abcClass: text('abc_class', { enum: ABC_CLASSES }),
    growth: text('growth', { enum: GROWTH }),
    loyal: integer('loyal', { mode: 'boolean' }),
    quadrant: text('quadrant', { enum: QUADRANTS }).notNull().default('unknown'),
    /** Why the patient is in their quadrant and (if so) on the win-back list, in short sentences. */
    reasons: text('reasons', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** 0-100. */
    engagement: integer('engagement').notNull().default(0),
    /** The engagement at the last monthly snapshot (a drop puts the patient on the win-back list). */
    engagementPrev: integer('engagement_prev'),
    winBack: integer('win_back', { mode: 'boolean' }).notNull().default(false),
    winBackReason: text('win_back_reason'),
    /** Days past the patient's own usual interval (0 when not overdue). */
    overdueDays: integer('overdue_days').notNull().default(0),
    refreshedAt: integer('refreshed_at').notNull(),
  },
  (t) => [
    index('patient_insight_clinic_idx').on(t.clinicId, t.spend12m),
    index('patient_insight_quadrant_idx').on(t.clinicId, t.quadrant),
    index('patient_insight_win_back_idx').on(t.clinicId, t.winBack, t.overdueDays),
    check(
      'patient_insight_quadrant_check',
      sql`${t.quadrant} in ('apostle', 'mercenary', 'hostage', 'defector', 'unknown')`,
    ),
    check('patient_insight_abc_check', sql`${t.abcClass} is null or ${t.abcClass} in ('A', 'B', 'C')`),
    check('patient_insight_engagement_check', sql`${t.engagement} between 0 and 100`),
  ],
);
export type PatientInsight = typeof patientInsight.$inferSelect;

/**
 * How many of a clinic's patients have each value of a dimension ('abc', 'quadrant', 'growth',
 * 'win_back'), kept by triggers on patient_insight, so a distribution is a few rows.
 */
export const clinicInsightCounts = sqliteTable(
  'clinic_insight_counts',
  {
    clinicId: text('clinic_id').notNull(),
    dimension: text('dimension').notNull(),
    value: text('value').notNull(),
    patients: integer('patients').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.dimension, t.value] })],
);

/**
 * Month-end snapshots for the charts: per clinic and month, for a dimension and value (quadrant
 * 'apostle'; cohort '2026-03'; segment '<segment id>'; move 'apostle>defector'), how many patients and
 * the sum of their engagement. Written by the monthly snapshot job; a chart reads a row per bar.
 */
export const clinicMonthInsight = sqliteTable(
  'clinic_month_insight',
  {
    clinicId: text('clinic_id').notNull(),
    month: text('month').notNull(),
    dimension: text('dimension').notNull(),
    value: text('value').notNull(),
    patients: integer('patients').notNull().default(0),
    engagementSum: integer('engagement_sum').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.clinicId, t.dimension, t.month, t.value] })],
);

/**
 * Each patient's quadrant (and engagement) at each month's snapshot: the moves between months. The
 * current month's row is rewritten by every daily refresh ("this month so far"), so a past month's row
 * holds its last day: `engagement` there is the next month's `engagement_prev`.
 */
export const patientQuadrantMonths = sqliteTable(
  'patient_quadrant_months',
  {
    patientId: text('patient_id').notNull(),
    month: text('month').notNull(),
    clinicId: text('clinic_id').notNull(),
    quadrant: text('quadrant', { enum: QUADRANTS }).notNull(),
    engagement: integer('engagement').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.month] })],
);

/**
 * A patient's activity per calendar month (clinic timezone), kept by triggers on visits, gift
 * redemptions and points spends (net of their reversals, in the month of the redemption they undo):
 * a trailing 12- or 24-month window reads at most 24 rows of one patient, whatever their history.
 */
export const patientMonthActivity = sqliteTable(
  'patient_month_activity',
  {
    patientId: text('patient_id').notNull(),
    month: text('month').notNull(),
    clinicId: text('clinic_id').notNull(),
    /** Paid visits' amounts, minor units of the clinic's currency. */
    spend: integer('spend').notNull().default(0),
    visits: integer('visits').notNull().default(0),
    /** Gifts redeemed at partners plus points spends, less reversals. */
    redemptions: integer('redemptions').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.month] })],
);

// ---------------------------------------------------------------------------------------------------
// Saved segments

export const SEGMENT_FIELDS = [
  'tag',
  'answer',
  'lifetime_spend',
  'spend_12m',
  'last_visit_days',
  'visits_12m',
  'points_balance',
  'points_expiring_days',
  'abc',
  'growth',
  'quadrant',
  'branch',
  'birth_month',
  'consent',
  'engagement',
  'win_back',
] as const;
export type SegmentField = (typeof SEGMENT_FIELDS)[number];
export const SEGMENT_OPS = ['is', 'is_not', 'gte', 'lte', 'in', 'has', 'lacks'] as const;
export type SegmentOp = (typeof SEGMENT_OPS)[number];

export interface SegmentRule {
  field: SegmentField;
  op: SegmentOp;
  /** The answer's question id (field 'answer') or the channel (field 'consent'). */
  key?: string;
  value: string | number | boolean | string[] | number[];
}

/** A clinic's saved segment: rules, all of which a member meets. With a description, a persona. */
export const segments = sqliteTable(
  'segments',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    description: text('description'),
    rules: text('rules', { mode: 'json' }).$type<SegmentRule[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    archivedAt: integer('archived_at'),
    /** When the daily job last wrote this month's members and engagement (clinic_month_insight). */
    snapshotAt: integer('snapshot_at'),
  },
  (t) => [
    index('segments_clinic_idx').on(t.clinicId, t.archivedAt, t.name),
    // The daily snapshot job's slice: live segments, the longest unsnapshotted first.
    index('segments_snapshot_idx').on(t.snapshotAt).where(sql`${t.archivedAt} is null`),
  ],
);
export type Segment = typeof segments.$inferSelect;
