import { DAY_MS } from '@gratia/core';
import { type Db, offers, type RewardKind, visitPunches, visitRules } from '@gratia/db';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { prefixed, type RewardBooking, rewardStatements } from './rewards';
import type { VisitRewardContext, VisitRewardHook } from './visit-rewards';

// Every Nth paid visit within a window earns a rule's reward once per threshold, in the visit's own
// batch (so the visit and what it earns are one transaction, and concurrent visits are serialised):
//
// 1. a punch on each active rule's card, from the visit row written now (a replayed reference writes
//    no visit, so no punch), if the visit occurred on or after the rule's start;
// 2. the reward, written only while the patient's open punches on the rule (not used by a reward, not
//    voided by a reversal) from the window's start on (`window_days` before this visit's occurred_at;
//    every open punch when the rule has no window) number at least `every_visits`; its reason key is
//    `nth:<rule>:<patient>:<k>`, k = the rewards this rule gave the patient + 1, and UNIQUE: each
//    threshold rewards exactly once;
// 3. the oldest `every_visits` of those punches marked with the reward's id, only if the reward row
//    was written now.
//
// A reversed visit's open punch is voided (visit-reversal.ts); a punch a reward already used stays used,
// and the reward stands.

export interface PunchRuleRow {
  id: string;
  name: string;
  everyVisits: number;
  windowDays: number | null;
  rewardKind: RewardKind;
  points: number | null;
  discountBps: number | null;
  discountAmount: number | null;
  offerId: string | null;
  startsAt: number;
  offerTitle: string | null;
}

export interface PunchReads extends Record<string, unknown> {
  punchRules: PunchRuleRow[];
}

/** The clinic's active rules, read in the visit's first round trip (at most MAX_ACTIVE_VISIT_RULES). */
const activeRules = (db: Db, clinicId: SQL) =>
  db
    .select({
      id: visitRules.id,
      name: visitRules.name,
      everyVisits: visitRules.everyVisits,
      windowDays: visitRules.windowDays,
      rewardKind: visitRules.rewardKind,
      points: visitRules.points,
      discountBps: visitRules.discountBps,
      discountAmount: visitRules.discountAmount,
      offerId: visitRules.offerId,
      startsAt: visitRules.startsAt,
      offerTitle: sql<string | null>`${offers.title}`.as('offer_title'),
    })
    .from(visitRules)
    .leftJoin(offers, eq(offers.id, visitRules.offerId))
    .where(and(sql`${visitRules.clinicId} = ${clinicId}`, eq(visitRules.active, true)));

/** Open punches of a rule and patient from the window's start before the visit `s` on (SQL over `p`). */
const openPunches = (rule: PunchRuleRow, patientId: string) =>
  sql`p.rule_id = ${rule.id} and p.patient_id = ${patientId} and p.reward_id is null and p.voided_at is null
    ${rule.windowDays === null ? sql`` : sql`and p.occurred_at >= s.occurred_at - ${rule.windowDays * DAY_MS}`}`;

// `satisfies`, not a type annotation: the visit's batch keeps the type of the rows it reads.
export const punchHook = {
  reads: (db: Db, clinicId: SQL, _patientId: string) => ({ punchRules: activeRules(db, clinicId) }),
  active: (read: PunchReads) => read.punchRules.length > 0,
  statements: (db: Db, ctx: VisitRewardContext, read: PunchReads, booking: RewardBooking) => {
    const out: ReturnType<VisitRewardHook<PunchReads>['statements']> = {};
    const fromVisit = sql`from visits s where s.id = ${ctx.visitId}`;
    read.punchRules.forEach((rule, i) => {
      const name = `punch${i}`;
      // The rule may have been deactivated between the two round trips: it punches only while active.
      out[`${name}.punch`] = db.insert(visitPunches).select(
        sql`select s.id, ${rule.id}, s.clinic_id, s.patient_id, s.occurred_at, null, null ${fromVisit}
          and s.occurred_at >= ${rule.startsAt}
          and exists (select 1 from visit_rules r where r.id = ${rule.id} and r.active = 1)`,
      );
      const reward = rewardStatements(
        db,
        {
          clinicId: ctx.clinicId,
          patientId: ctx.patientId,
          source: 'nth_visit',
          sourceId: rule.id,
          reasonKey: sql`'nth:' || ${rule.id} || ':' || s.patient_id || ':' || ((select count(*)
            from loyalty_rewards w where w.clinic_id = s.clinic_id and w.patient_id = s.patient_id
            and w.source = 'nth_visit' and w.source_id = ${rule.id}) + 1)`,
          spec: {
            kind: rule.rewardKind,
            points: rule.points,
            discountBps: rule.discountBps,
            discountAmount: rule.discountAmount,
            offerId: rule.offerId,
          },
          title: rule.name,
          currency: ctx.currency,
          visitId: ctx.visitId,
          apiKeyId: ctx.apiKeyId,
          guard: sql`${fromVisit}
            and exists (select 1 from visit_punches p where p.visit_id = s.id and p.rule_id = ${rule.id})
            and (select count(*) from visit_punches p where ${openPunches(rule, ctx.patientId)}) >= ${rule.everyVisits}`,
        },
        booking,
      );
      Object.assign(out, prefixed(name, reward.statements));
      out[`${name}.use`] = db
        .update(visitPunches)
        .set({ rewardId: sql`${reward.rewardId}` })
        .where(
          sql`rowid in (select p.rowid from visit_punches p, visits s where s.id = ${ctx.visitId}
              and ${openPunches(rule, ctx.patientId)} order by p.occurred_at, p.visit_id limit ${rule.everyVisits})
            and exists (select 1 from loyalty_rewards r where r.id = ${reward.rewardId})`,
        );
    });
    return out;
  },
} satisfies VisitRewardHook<PunchReads>;
