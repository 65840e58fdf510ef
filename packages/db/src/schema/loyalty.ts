import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './api-keys';
import { offers } from './offers';
import { organizations } from './organizations';
import { patients } from './patients';
import { visits } from './points';
import { staffMembers } from './staff';
import { vouchers } from './vouchers';

// The loyalty plan and the offers that bring patients back. A plan is a document of dated
// interactions per patient (about seven a year, each with an owner, a channel and a purpose), made
// from the clinic's template for the patient's segment and adjusted by events. The offers are rules
// whose rewards are written exactly once, keyed by their reason (UNIQUE), in the same D1 batch as the
// event that earns them: a code word said at the desk, a referred patient's first paid visit, every
// Nth paid visit, a birthday.

// ---------------------------------------------------------------------------------------------------
// The plan

export const PLAN_KINDS = [
  'thank_you',
  'birthday',
  'points_expiring',
  'survey_request',
  'new_service',
  'event_invitation',
  'personal_gift',
  'recommendation_request',
  'win_back',
  'detractor_follow_up',
] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export const PLAN_CHANNELS = ['call', 'sms', 'email', 'in_person', 'gift'] as const;
export type PlanChannel = (typeof PLAN_CHANNELS)[number];

export const PLAN_ITEM_STATUSES = ['planned', 'done', 'skipped'] as const;
export type PlanItemStatus = (typeof PLAN_ITEM_STATUSES)[number];

/** One line of a template's mix: how many interactions of a kind a year, on which channel. */
export interface PlanMixLine {
  kind: PlanKind;
  channel: PlanChannel;
  count: number;
  /** For gifts: the catalogue offer planned, and its price (the plan's budget). */
  offer_id?: string | null;
  cost_amount?: number | null;
}

/**
 * How many interactions a year a segment gets, and of which kinds and channels. `segment_key` is an
 * A/B/C class (`A`, `B`, `C`) or a custom segment's id (`seg_...`); a patient in a custom segment with
 * a template takes that template (highest `priority` first), otherwise their class's.
 */
export const planTemplates = sqliteTable(
  'plan_templates',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    segmentKey: text('segment_key').notNull(),
    name: text('name').notNull(),
    priority: integer('priority').notNull().default(0),
    interactionsPerYear: integer('interactions_per_year').notNull(),
    mix: text('mix', { mode: 'json' }).$type<PlanMixLine[]>().notNull(),
    version: integer('version').notNull().default(1),
    updatedByStaffId: text('updated_by_staff_id').references(() => staffMembers.id),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('plan_templates_segment_unique').on(t.clinicId, t.segmentKey),
    check('plan_templates_count_check', sql`${t.interactionsPerYear} between 1 and 52`),
  ],
);
export type PlanTemplate = typeof planTemplates.$inferSelect;

/** A patient's plan: whose it is (the owner of its items by default), from which template, until when. */
export const patientPlans = sqliteTable(
  'patient_plans',
  {
    patientId: text('patient_id')
      .primaryKey()
      .references(() => patients.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    ownerStaffId: text('owner_staff_id').references(() => staffMembers.id),
    templateId: text('template_id').references(() => planTemplates.id),
    templateVersion: integer('template_version'),
    /** The last day the generated items reach (YYYY-MM-DD, the clinic's timezone). */
    horizonOn: text('horizon_on'),
    generation: integer('generation').notNull().default(0),
    generatedAt: integer('generated_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('patient_plans_clinic_idx').on(t.clinicId, t.patientId)],
);
export type PatientPlan = typeof patientPlans.$inferSelect;

/**
 * One dated interaction. Items from the template carry `generation` (regenerating replaces the planned
 * ones of older generations and never touches done or skipped ones); items added by an event carry
 * `event_key` (UNIQUE per patient, so an event adds its item once).
 */
export const planItems = sqliteTable(
  'plan_items',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    templateId: text('template_id').references(() => planTemplates.id),
    kind: text('kind', { enum: PLAN_KINDS }).notNull(),
    channel: text('channel', { enum: PLAN_CHANNELS }).notNull(),
    purpose: text('purpose').notNull(),
    /** The day it is due, in the clinic's timezone (YYYY-MM-DD). */
    dueOn: text('due_on').notNull(),
    ownerStaffId: text('owner_staff_id').references(() => staffMembers.id),
    offerId: text('offer_id').references(() => offers.id),
    costAmount: integer('cost_amount'),
    currency: text('currency'),
    status: text('status', { enum: PLAN_ITEM_STATUSES }).notNull().default('planned'),
    outcome: text('outcome'),
    doneAt: integer('done_at'),
    doneByStaffId: text('done_by_staff_id').references(() => staffMembers.id),
    source: text('source', { enum: ['plan', 'event', 'staff'] }).notNull(),
    eventKey: text('event_key'),
    generation: integer('generation').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('plan_items_patient_idx').on(t.patientId, t.dueOn),
    index('plan_items_owner_idx').on(t.clinicId, t.ownerStaffId, t.status, t.dueOn),
    index('plan_items_clinic_due_idx').on(t.clinicId, t.status, t.dueOn),
    uniqueIndex('plan_items_event_unique').on(t.patientId, t.eventKey),
    check('plan_items_cost_check', sql`${t.costAmount} is null or ${t.costAmount} >= 0`),
  ],
);
export type PlanItem = typeof planItems.$inferSelect;

/** A staff member's secret iCalendar feed of their items: only the hash of its token is kept. */
export const calendarFeeds = sqliteTable('calendar_feeds', {
  staffId: text('staff_id')
    .primaryKey()
    .references(() => staffMembers.id),
  clinicId: text('clinic_id')
    .notNull()
    .references(() => organizations.id),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: integer('created_at').notNull(),
  lastFetchedAt: integer('last_fetched_at'),
});

// ---------------------------------------------------------------------------------------------------
// Rewards: what every offer rule grants, once per reason

export const REWARD_SOURCES = ['referral', 'nth_visit', 'code_word', 'birthday'] as const;
export type RewardSource = (typeof REWARD_SOURCES)[number];

/**
 * What a reward gives: bonus points (a lot of their own, with the clinic's expiry), a discount in basis
 * points or a fixed amount (on today's visit, or kept `available` for the next one), or a gift voucher
 * for a catalogue offer (issued with the reward).
 */
export const REWARD_KINDS = ['points', 'discount_bps', 'discount_amount', 'voucher'] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];

/** granted: given (points, voucher, a discount applied now); available: a discount for a later visit; used; capped: earned but over a limit, so nothing given. */
export const REWARD_STATUSES = ['granted', 'available', 'used', 'capped'] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const loyaltyRewards = sqliteTable(
  'loyalty_rewards',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    source: text('source', { enum: REWARD_SOURCES }).notNull(),
    /** The rule, code word, referral or setting that earned it. */
    sourceId: text('source_id').notNull(),
    /** Why, as a key unique per clinic: e.g. `referral:<ref id>:referrer`, `nth:<rule>:<patient>:<k>`. */
    reasonKey: text('reason_key').notNull(),
    kind: text('kind', { enum: REWARD_KINDS }).notNull(),
    title: text('title').notNull(),
    points: integer('points'),
    discountBps: integer('discount_bps'),
    discountAmount: integer('discount_amount'),
    currency: text('currency').notNull(),
    offerId: text('offer_id').references(() => offers.id),
    voucherId: text('voucher_id').references(() => vouchers.id),
    /** The paid visit that earned it, if a visit did. */
    visitId: text('visit_id').references(() => visits.id),
    status: text('status', { enum: REWARD_STATUSES }).notNull(),
    grantedAt: integer('granted_at').notNull(),
    usedAt: integer('used_at'),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
  },
  (t) => [
    uniqueIndex('loyalty_rewards_reason_unique').on(t.clinicId, t.reasonKey),
    index('loyalty_rewards_patient_idx').on(t.patientId, t.grantedAt),
    index('loyalty_rewards_source_idx').on(t.clinicId, t.source, t.grantedAt),
    check(
      'loyalty_rewards_kind_check',
      sql`(${t.kind} = 'points' and ${t.points} > 0)
        or (${t.kind} = 'discount_bps' and ${t.discountBps} between 1 and 10000)
        or (${t.kind} = 'discount_amount' and ${t.discountAmount} > 0)
        or (${t.kind} = 'voucher' and ${t.offerId} is not null)`,
    ),
  ],
);
export type LoyaltyReward = typeof loyaltyRewards.$inferSelect;

/**
 * A clinic's offer settings that are one per clinic: the referral reward and its yearly cap per
 * referrer, the birthday reward, and VIP (the segment that makes a patient VIP, the perks offered to
 * VIPs, the limit on gifts a VIP may be given a year). A reward is `kind` plus the field it needs.
 */
export const loyaltySettings = sqliteTable('loyalty_settings', {
  clinicId: text('clinic_id')
    .primaryKey()
    .references(() => organizations.id),
  referralRewardKind: text('referral_reward_kind', { enum: REWARD_KINDS }),
  referralPoints: integer('referral_points'),
  referralOfferId: text('referral_offer_id').references(() => offers.id),
  referralCapPerYear: integer('referral_cap_per_year').notNull().default(5),
  birthdayRewardKind: text('birthday_reward_kind', { enum: REWARD_KINDS }),
  birthdayPoints: integer('birthday_points'),
  birthdayOfferId: text('birthday_offer_id').references(() => offers.id),
  /** How many days before the birthday its plan item is due. */
  birthdayDaysBefore: integer('birthday_days_before').notNull().default(7),
  vipSegmentId: text('vip_segment_id'),
  vipGiftsPerYear: integer('vip_gifts_per_year'),
  vipPerkOfferIds: text('vip_perk_offer_ids', { mode: 'json' })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
  updatedByStaffId: text('updated_by_staff_id').references(() => staffMembers.id),
  updatedAt: integer('updated_at').notNull(),
});
export type LoyaltySettings = typeof loyaltySettings.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Code words

export const codeWords = sqliteTable(
  'code_words',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    /** Upper case, letters and digits: what staff type, matched without regard to case or spaces. */
    word: text('word').notNull(),
    description: text('description'),
    rewardKind: text('reward_kind', { enum: REWARD_KINDS }).notNull(),
    points: integer('points'),
    discountBps: integer('discount_bps'),
    discountAmount: integer('discount_amount'),
    offerId: text('offer_id').references(() => offers.id),
    currency: text('currency').notNull(),
    validFrom: integer('valid_from').notNull(),
    validUntil: integer('valid_until').notNull(),
    totalLimit: integer('total_limit'),
    perPatientLimit: integer('per_patient_limit').notNull().default(1),
    segmentId: text('segment_id'),
    /** One unique code per patient (in code_word_codes) instead of the word itself. */
    perPatientCodes: integer('per_patient_codes', { mode: 'boolean' }).notNull().default(false),
    uses: integer('uses').notNull().default(0),
    endedAt: integer('ended_at'),
    createdByStaffId: text('created_by_staff_id').references(() => staffMembers.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('code_words_word_unique').on(t.clinicId, t.word),
    check(
      'code_words_limits_check',
      sql`${t.perPatientLimit} >= 1 and (${t.totalLimit} is null or ${t.totalLimit} >= 1)`,
    ),
    check('code_words_uses_check', sql`${t.totalLimit} is null or ${t.uses} <= ${t.totalLimit}`),
    check('code_words_window_check', sql`${t.validUntil} > ${t.validFrom}`),
  ],
);
export type CodeWord = typeof codeWords.$inferSelect;

/** A campaign's unique code for one patient. */
export const codeWordCodes = sqliteTable(
  'code_word_codes',
  {
    code: text('code').notNull(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    codeWordId: text('code_word_id')
      .notNull()
      .references(() => codeWords.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clinicId, t.code] }),
    uniqueIndex('code_word_codes_patient_unique').on(t.codeWordId, t.patientId),
  ],
);

/**
 * One use of a code word by one patient: `seq` counts the patient's uses (UNIQUE with the word and the
 * patient, at most the per-patient limit) and `total_seq` the word's (UNIQUE with the word, at most the
 * total limit), so neither limit can be passed even by requests that race.
 */
export const codeWordUses = sqliteTable(
  'code_word_uses',
  {
    id: text('id').primaryKey(),
    codeWordId: text('code_word_id')
      .notNull()
      .references(() => codeWords.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    seq: integer('seq').notNull(),
    totalSeq: integer('total_seq').notNull(),
    rewardId: text('reward_id').references(() => loyaltyRewards.id),
    staffId: text('staff_id').references(() => staffMembers.id),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    usedAt: integer('used_at').notNull(),
  },
  (t) => [
    uniqueIndex('code_word_uses_patient_unique').on(t.codeWordId, t.patientId, t.seq),
    uniqueIndex('code_word_uses_total_unique').on(t.codeWordId, t.totalSeq),
    index('code_word_uses_patient_idx').on(t.patientId, t.usedAt),
  ],
);
export type CodeWordUse = typeof codeWordUses.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Referrals

/** Every patient's referral code (written by a trigger when the patient is registered). */
export const referralCodes = sqliteTable('referral_codes', {
  patientId: text('patient_id')
    .primaryKey()
    .references(() => patients.id),
  clinicId: text('clinic_id')
    .notNull()
    .references(() => organizations.id),
  code: text('code').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

/** A new patient registered with a referrer's code: one referral per referred patient (UNIQUE). */
export const referrals = sqliteTable(
  'referrals',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    referrerId: text('referrer_id')
      .notNull()
      .references(() => patients.id),
    refereeId: text('referee_id')
      .notNull()
      .references(() => patients.id),
    code: text('code').notNull(),
    createdAt: integer('created_at').notNull(),
    /** The referred patient's first paid visit, which earned both rewards. */
    qualifyingVisitId: text('qualifying_visit_id').references(() => visits.id),
    qualifiedAt: integer('qualified_at'),
  },
  (t) => [
    uniqueIndex('referrals_referee_unique').on(t.refereeId),
    index('referrals_referrer_idx').on(t.referrerId, t.createdAt),
    index('referrals_clinic_idx').on(t.clinicId, t.createdAt),
    // The clinic's referral tree, a page of referrers at a time (issue 12: referrals).
    index('referrals_clinic_referrer_idx').on(t.clinicId, t.referrerId, t.createdAt),
    check('referrals_self_check', sql`${t.referrerId} <> ${t.refereeId}`),
  ],
);
export type Referral = typeof referrals.$inferSelect;

// ---------------------------------------------------------------------------------------------------
// Every Nth visit

/** "The 5th visit is on us": every `every_visits` paid visits within `window_days` earn the reward. */
export const visitRules = sqliteTable(
  'visit_rules',
  {
    id: text('id').primaryKey(),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name').notNull(),
    everyVisits: integer('every_visits').notNull(),
    /** Punches older than this many days (before the visit being recorded) no longer count. */
    windowDays: integer('window_days'),
    rewardKind: text('reward_kind', { enum: REWARD_KINDS }).notNull(),
    points: integer('points'),
    discountBps: integer('discount_bps'),
    discountAmount: integer('discount_amount'),
    offerId: text('offer_id').references(() => offers.id),
    currency: text('currency').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    startsAt: integer('starts_at').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('visit_rules_clinic_idx').on(t.clinicId, t.active),
    check('visit_rules_every_check', sql`${t.everyVisits} between 2 and 100`),
    check('visit_rules_window_check', sql`${t.windowDays} is null or ${t.windowDays} >= 1`),
  ],
);
export type VisitRule = typeof visitRules.$inferSelect;

/** A paid visit's punch on an active rule's card; `reward_id` once a reward used it up. */
export const visitPunches = sqliteTable(
  'visit_punches',
  {
    visitId: text('visit_id')
      .notNull()
      .references(() => visits.id),
    ruleId: text('rule_id')
      .notNull()
      .references(() => visitRules.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    occurredAt: integer('occurred_at').notNull(),
    rewardId: text('reward_id').references(() => loyaltyRewards.id),
    /** The visit was reversed before a reward used the punch: it no longer counts. */
    voidedAt: integer('voided_at'),
  },
  (t) => [
    primaryKey({ columns: [t.visitId, t.ruleId] }),
    index('visit_punches_open_idx')
      .on(t.ruleId, t.patientId, t.occurredAt)
      .where(sql`${t.rewardId} is null and ${t.voidedAt} is null`),
    index('visit_punches_patient_idx').on(t.patientId, t.ruleId, t.occurredAt),
  ],
);

// ---------------------------------------------------------------------------------------------------
// Visit reversals and VIP

/** The undoing of a paid visit recorded in error (at most once: UNIQUE): its unspent points go back. */
export const visitReversals = sqliteTable(
  'visit_reversals',
  {
    id: text('id').primaryKey(),
    visitId: text('visit_id')
      .notNull()
      .references(() => visits.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    /** The points taken back from the visit's lot (what was left of them). */
    points: integer('points').notNull(),
    amount: integer('amount').notNull(),
    reason: text('reason'),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    reversedAt: integer('reversed_at').notNull(),
  },
  (t) => [
    uniqueIndex('visit_reversals_visit_unique').on(t.visitId),
    index('visit_reversals_patient_idx').on(t.patientId, t.reversedAt),
  ],
);
export type VisitReversal = typeof visitReversals.$inferSelect;

/** A patient marked VIP by hand (VIP by segment is read from the clinic's VIP segment). */
export const vipMarks = sqliteTable('vip_marks', {
  patientId: text('patient_id')
    .primaryKey()
    .references(() => patients.id),
  clinicId: text('clinic_id')
    .notNull()
    .references(() => organizations.id),
  reason: text('reason'),
  markedByStaffId: text('marked_by_staff_id').references(() => staffMembers.id),
  markedAt: integer('marked_at').notNull(),
});

/**
 * A gift voucher given as a VIP perk (issue 12, VIP): perks are offered to VIPs on top of gifts, so the
 * yearly VIP gift limit does not count them. Written by issueVoucher in the voucher's own batch.
 */
export const vipPerkVouchers = sqliteTable(
  'vip_perk_vouchers',
  {
    voucherId: text('voucher_id')
      .primaryKey()
      .references(() => vouchers.id),
    clinicId: text('clinic_id')
      .notNull()
      .references(() => organizations.id),
    patientId: text('patient_id')
      .notNull()
      .references(() => patients.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('vip_perk_vouchers_patient_idx').on(t.patientId)],
);
