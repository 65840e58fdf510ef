import { DAY_MS, err, isId, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Db,
  type Deps,
  type OrgPrincipal,
  offers,
  patients,
  runBatch,
  type StaffRole,
  staffRefusal,
  type VisitRule,
  visitRules,
} from '@gratia/db';
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { describeReward, type RewardSpec, specOf, specProblem } from './rewards';

// "The 5th visit is on us": a clinic's every-Nth-visit rules. Every `every_visits` paid visits within
// `window_days` earn the rule's reward (bonus points, a discount kept for the next visit, or a gift
// voucher), once per threshold: the punches are written and used up in the visit's own batch
// (punches.ts). Owners and managers (and API keys) write rules; every clinic role reads them. A clinic
// runs at most MAX_ACTIVE_VISIT_RULES at once, so a visit's batch stays bounded.

export const VISIT_RULE_EDITORS: readonly StaffRole[] = ['owner', 'manager'];
export const MAX_ACTIVE_VISIT_RULES = 5;
/** The longest window a rule may count over (ten years). */
export const MAX_WINDOW_DAYS = 3660;

export interface VisitRuleView extends VisitRule {
  /** The catalogue offer's title, for a voucher rule. */
  offerTitle: string | null;
  /** What the reward gives, in words. */
  rewardText: string;
}

const ruleColumns = {
  rule: visitRules,
  offerTitle: sql<string | null>`${offers.title}`.as('offer_title'),
};

const selectRules = (db: Db) =>
  db.select(ruleColumns).from(visitRules).leftJoin(offers, eq(offers.id, visitRules.offerId));

const viewOf = (r: { rule: VisitRule; offerTitle: string | null }): VisitRuleView => ({
  ...r.rule,
  offerTitle: r.offerTitle,
  rewardText: describeReward(specOf(r.rule), r.rule.currency, r.offerTitle),
});

const liveKey = (keyId: string) =>
  sql`exists (select 1 from api_keys k where k.id = ${keyId} and k.revoked_at is null)`;
const activeCount = (clinicId: string) =>
  sql`(select count(*) from visit_rules x where x.clinic_id = ${clinicId} and x.active = 1)`;
const revoked: Refusal<'unauthorized'> = {
  code: 'unauthorized',
  detail: 'The API key is unknown or revoked',
};
const notFound = (id: string): Refusal<'visit_rule_not_found'> => ({
  code: 'visit_rule_not_found',
  detail: `No visit rule ${id}`,
});
const limitReached: Refusal<'visit_rule_limit'> = {
  code: 'visit_rule_limit',
  detail: `A clinic runs at most ${MAX_ACTIVE_VISIT_RULES} active visit rules: deactivate one first`,
};

export interface VisitRuleInput {
  clinic: OrgPrincipal;
  name: string;
  everyVisits: number;
  windowDays: number | null;
  reward: RewardSpec;
  /** Visits from this instant on punch the card (default: now). */
  startsAt?: number;
}

export type VisitRuleRefusal = Refusal<
  | 'forbidden'
  | 'unauthorized'
  | 'validation_failed'
  | 'visit_rule_limit'
  | 'visit_rule_not_found'
  | 'offer_not_found'
  | 'offer_inactive'
  | 'currency_mismatch'
>;

/** What is wrong with a rule's numbers, by field (empty: nothing). */
export function visitRuleProblems(i: { name?: string; everyVisits?: number; windowDays?: number | null }) {
  const errors: { path: string; message: string }[] = [];
  if (i.name !== undefined && (i.name.trim().length === 0 || i.name.length > 80))
    errors.push({ path: 'name', message: 'from 1 to 80 characters' });
  if (
    i.everyVisits !== undefined &&
    (!Number.isInteger(i.everyVisits) || i.everyVisits < 2 || i.everyVisits > 100)
  )
    errors.push({ path: 'every_visits', message: 'a whole number from 2 to 100' });
  if (
    i.windowDays !== undefined &&
    i.windowDays !== null &&
    (!Number.isInteger(i.windowDays) || i.windowDays < 1 || i.windowDays > MAX_WINDOW_DAYS)
  )
    errors.push({
      path: 'window_days',
      message: `a whole number of days from 1 to ${MAX_WINDOW_DAYS}, or null`,
    });
  return errors;
}

/**
 * Creates a rule, with an audit entry, in one batch: written only while the clinic has fewer than
 * MAX_ACTIVE_VISIT_RULES active rules, the key is live and (for a voucher) the offer is active and
 * priced in the clinic's currency; the reads in the same batch say which of those refused it.
 */
export async function createVisitRule(
  deps: Deps,
  input: VisitRuleInput,
): Promise<Result<VisitRuleView, VisitRuleRefusal>> {
  const refused = staffRefusal(input.clinic, VISIT_RULE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (input.clinic.role !== 'clinic')
    return err({ code: 'forbidden', detail: 'Only a clinic has visit rules' });
  const errors = visitRuleProblems(input);
  const problem = specProblem(input.reward);
  if (problem) errors.push({ path: `reward.${problem.path}`, message: problem.message });
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The visit rule is not valid', errors });
  const { db } = deps;
  const now = deps.clock.now();
  const id = newId('vrl', now);
  const { organizationId: clinicId, keyId } = input.clinic;
  const currency = input.clinic.organization.currency;
  const spec = input.reward;
  const offerId = spec.kind === 'voucher' ? (spec.offerId ?? null) : null;
  const offerOk = offerId
    ? sql`exists (select 1 from offers o where o.id = ${offerId} and o.active = 1 and o.currency = ${currency})`
    : sql`1`;
  const out = await runBatch(db, {
    insert: db.insert(visitRules).select(
      sql`select ${id}, ${clinicId}, ${input.name.trim()}, ${input.everyVisits}, ${input.windowDays},
        ${spec.kind}, ${spec.kind === 'points' ? (spec.points ?? null) : null},
        ${spec.kind === 'discount_bps' ? (spec.discountBps ?? null) : null},
        ${spec.kind === 'discount_amount' ? (spec.discountAmount ?? null) : null}, ${offerId}, ${currency},
        1, ${input.startsAt ?? now}, ${now}, ${now}
        where ${activeCount(clinicId)} < ${MAX_ACTIVE_VISIT_RULES} and ${offerOk} and ${liveKey(keyId)}`,
    ),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'visit_rule.create',
      subject: { type: 'visit_rule', id },
      detail: {
        name: input.name.trim(),
        every_visits: input.everyVisits,
        window_days: input.windowDays,
        reward: spec.kind,
      },
      when: sql`exists (select 1 from visit_rules r where r.id = ${id})`,
      at: now,
    }),
    after: selectRules(db).where(eq(visitRules.id, id)),
    active: db
      .select({ n: sql<number>`count(*)`.as('n') })
      .from(visitRules)
      .where(and(eq(visitRules.clinicId, clinicId), eq(visitRules.active, true))),
    offer: db
      .select({ active: offers.active, currency: offers.currency })
      .from(offers)
      .where(eq(offers.id, offerId ?? '')),
  });
  const row = out.after[0];
  if (row) return ok(viewOf(row));
  if ((out.active[0]?.n ?? 0) >= MAX_ACTIVE_VISIT_RULES) return err(limitReached);
  if (offerId) {
    const offer = out.offer[0];
    if (!offer) return err({ code: 'offer_not_found', detail: `No offer ${offerId}` });
    if (!offer.active) return err({ code: 'offer_inactive', detail: `Offer ${offerId} is not active` });
    if (offer.currency !== currency)
      return err({
        code: 'currency_mismatch',
        detail: `The offer is priced in ${offer.currency}; the clinic's rewards are in ${currency}`,
      });
  }
  return err(revoked);
}

/** The clinic's rules, active first, then newest first (one query). */
export async function listVisitRules(deps: Deps, input: { clinic: OrgPrincipal }): Promise<VisitRuleView[]> {
  const rows = await selectRules(deps.db)
    .where(eq(visitRules.clinicId, input.clinic.organizationId))
    .orderBy(desc(visitRules.active), desc(visitRules.createdAt), desc(visitRules.id))
    .limit(100);
  return rows.map(viewOf);
}

export interface VisitRuleChange {
  clinic: OrgPrincipal;
  id: string;
  name?: string;
  active?: boolean;
  windowDays?: number | null;
}

/**
 * Renames, (de)activates or re-windows one of the clinic's rules, with an audit entry, in one batch.
 * Activating one counts against the limit like creating one. Punches and rewards already earned stay.
 */
export async function updateVisitRule(
  deps: Deps,
  input: VisitRuleChange,
): Promise<Result<VisitRuleView, VisitRuleRefusal>> {
  const refused = staffRefusal(input.clinic, VISIT_RULE_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  if (!isId('vrl', input.id)) return err(notFound(input.id));
  const errors = visitRuleProblems({ name: input.name, windowDays: input.windowDays });
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The visit rule is not valid', errors });
  const { db } = deps;
  const now = deps.clock.now();
  const { organizationId: clinicId, keyId } = input.clinic;
  const set: Partial<typeof visitRules.$inferInsert> = { updatedAt: now };
  const changed: string[] = [];
  if (input.name !== undefined) {
    set.name = input.name.trim();
    changed.push('name');
  }
  if (input.active !== undefined) {
    set.active = input.active;
    changed.push('active');
  }
  if (input.windowDays !== undefined) {
    set.windowDays = input.windowDays;
    changed.push('window_days');
  }
  const own = and(eq(visitRules.id, input.id), eq(visitRules.clinicId, clinicId)) as SQL;
  // A rule that becomes active takes a place under the limit; one already active keeps its own.
  const room =
    input.active === true
      ? sql`(${visitRules.active} = 1 or ${activeCount(clinicId)} < ${MAX_ACTIVE_VISIT_RULES})`
      : sql`1`;
  const guard = sql`${own} and ${room} and ${liveKey(keyId)}`;
  const out = await runBatch(db, {
    // Before the update, under its guard: the entry exists exactly when the update applies.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'visit_rule.update',
      subject: { type: 'visit_rule', id: input.id },
      detail: { changed, ...(input.active !== undefined && { active: input.active }) },
      when: sql`exists (select 1 from visit_rules where ${guard})`,
      at: now,
    }),
    // Read before the update, under the same guard: a row here means the update applies.
    applies: db.select({ id: visitRules.id }).from(visitRules).where(guard),
    update: db.update(visitRules).set(set).where(guard),
    after: selectRules(db).where(own),
    exists: db.select({ active: visitRules.active }).from(visitRules).where(own),
  });
  const row = out.after[0];
  if (row && out.applies.length > 0) return ok(viewOf(row));
  const existing = out.exists[0];
  if (!existing) return err(notFound(input.id));
  if (input.active === true && !existing.active) return err(limitReached);
  return err(revoked);
}

/** A patient's progress on one active rule. */
export interface PunchCard {
  ruleId: string;
  name: string;
  everyVisits: number;
  windowDays: number | null;
  /** Paid visits that count towards the next reward now. */
  punches: number;
  /** Visits before the next reward (at least 1: the reward comes with the visit that completes it). */
  toGo: number;
  /** Rewards this rule has given the patient. */
  rewardsEarned: number;
  rewardText: string;
}

/** The statement reading a patient's cards on the clinic's active rules (batchable; one row per rule). */
export function punchCardsStatement(db: Db, clinicId: string | SQL, patientId: string, now: number) {
  const open = sql<number>`(select count(*) from visit_punches p where p.rule_id = ${visitRules.id}
    and p.patient_id = ${patientId} and p.reward_id is null and p.voided_at is null
    and (${visitRules.windowDays} is null or p.occurred_at >= ${now} - ${visitRules.windowDays} * ${DAY_MS}))`;
  const earned = sql<number>`(select count(*) from loyalty_rewards w where w.clinic_id = ${visitRules.clinicId}
    and w.patient_id = ${patientId} and w.source = 'nth_visit' and w.source_id = ${visitRules.id})`;
  return db
    .select({ ...ruleColumns, punches: open.as('punches'), earned: earned.as('earned') })
    .from(visitRules)
    .leftJoin(offers, eq(offers.id, visitRules.offerId))
    .where(and(sql`${visitRules.clinicId} = ${clinicId}`, eq(visitRules.active, true)))
    .orderBy(asc(visitRules.createdAt), asc(visitRules.id));
}

export const punchCardOf = (r: {
  rule: VisitRule;
  offerTitle: string | null;
  punches: number;
  earned: number;
}): PunchCard => {
  const view = viewOf(r);
  const punches = Math.min(r.punches, r.rule.everyVisits - 1);
  return {
    ruleId: r.rule.id,
    name: r.rule.name,
    everyVisits: r.rule.everyVisits,
    windowDays: r.rule.windowDays,
    punches,
    toGo: r.rule.everyVisits - punches,
    rewardsEarned: r.earned,
    rewardText: view.rewardText,
  };
};

/** A patient's punch cards (only the clinic's own patient): one round trip. */
export async function readPunchCards(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string },
): Promise<Result<PunchCard[], Refusal<'patient_not_found'>>> {
  const notFoundPatient = err({
    code: 'patient_not_found' as const,
    detail: `No patient ${input.patientId}`,
  });
  if (!isId('pat', input.patientId)) return notFoundPatient;
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const out = await runBatch(db, {
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, input.patientId), eq(patients.clinicId, clinicId))),
    cards: punchCardsStatement(db, clinicId, input.patientId, deps.clock.now()),
  });
  if (out.patient.length === 0) return notFoundPatient;
  return ok(out.cards.map(punchCardOf));
}

/** What the console's rules page shows: the rules, and the catalogue offers a voucher rule may give. */
export async function readVisitRulesPage(deps: Deps, input: { clinic: OrgPrincipal }) {
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const out = await runBatch(db, {
    rules: selectRules(db)
      .where(eq(visitRules.clinicId, clinicId))
      .orderBy(desc(visitRules.active), desc(visitRules.createdAt), desc(visitRules.id))
      .limit(100),
    offers: db
      .select({ id: offers.id, title: offers.title, price: offers.priceAmount })
      .from(offers)
      .where(and(eq(offers.active, true), eq(offers.currency, input.clinic.organization.currency)))
      .orderBy(asc(offers.title))
      .limit(200),
  });
  return { rules: out.rules.map(viewOf), offers: out.offers };
}
