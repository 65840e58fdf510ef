import { err, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type LoyaltyReward,
  loyaltyRewards,
  type OrgPrincipal,
  patients,
  runBatch,
  vouchers,
} from '@gratia/db';
import { describeReward, specOf } from '@gratia/points';
import { withLink } from '@gratia/vouchers';
import { and, desc, eq, lt, sql } from 'drizzle-orm';

// A patient's rewards (what every offer rule gave them: referrals, every Nth visit, code words,
// birthdays), newest first, and using a discount kept `available` for a later visit: exactly once, by a
// guarded UPDATE (status 'available' -> 'used').

export const REWARDS_PAGE = 50;

export interface RewardLine {
  reward: LoyaltyReward;
  /** What it gives, in words ("150 bonus points", "10% off", "Gift: Taxi home"). */
  gives: string;
  /** The patient's link to the reward's voucher, if it gave one and it can still be signed. */
  voucherUrl: string | null;
}

const describe = (r: LoyaltyReward) =>
  describeReward(specOf({ ...r, rewardKind: r.kind }), r.currency, r.kind === 'voucher' ? r.title : null);

/** What a reward gives, in words. */
export const rewardGives = (r: LoyaltyReward) => (r.kind === 'voucher' ? r.title : describe(r));

/**
 * The patient's rewards, newest first (ids are time-ordered), a page at a time (`before`: the last id
 * of the previous page), with the patient links of the vouchers they gave: one round trip.
 */
export async function listPatientRewards(
  deps: Deps,
  input: { clinic: OrgPrincipal; patientId: string; before?: string; limit?: number },
): Promise<Result<{ items: RewardLine[]; next: string | null }, Refusal<'patient_not_found'>>> {
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const patientId = isId('pat', input.patientId) ? input.patientId : '';
  const limit = Math.min(Math.max(input.limit ?? REWARDS_PAGE, 1), 100);
  const read = await runBatch(db, {
    patient: db
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, patientId), eq(patients.clinicId, clinicId))),
    rewards: db
      .select()
      .from(loyaltyRewards)
      .where(
        and(
          eq(loyaltyRewards.patientId, patientId),
          eq(loyaltyRewards.clinicId, clinicId),
          input.before ? lt(loyaltyRewards.id, input.before) : undefined,
        ),
      )
      .orderBy(desc(loyaltyRewards.id))
      .limit(limit + 1),
    // The vouchers rewards gave the patient (few: one per voucher reward), for their links.
    vouchers: db
      .select()
      .from(vouchers)
      .where(
        and(
          eq(vouchers.patientId, patientId),
          eq(vouchers.clinicId, clinicId),
          sql`${vouchers.id} in (select r.voucher_id from loyalty_rewards r where r.patient_id = ${patientId}
            and r.voucher_id is not null)`,
        ),
      ),
  });
  if (!read.patient[0]) return err({ code: 'patient_not_found', detail: `No patient ${input.patientId}` });
  const more = read.rewards.length > limit;
  const rows = more ? read.rewards.slice(0, limit) : read.rewards;
  const onPage = new Set(rows.flatMap((r) => (r.voucherId ? [r.voucherId] : [])));
  const given = read.vouchers.filter((v) => onPage.has(v.id));
  const links = new Map<string, string | null>();
  for (const v of given) links.set(v.id, v.status === 'issued' ? (await withLink(deps, v)).url : null);
  return ok({
    items: rows.map((r) => ({
      reward: r,
      gives: rewardGives(r),
      voucherUrl: r.voucherId ? (links.get(r.voucherId) ?? null) : null,
    })),
    next: more ? rows[rows.length - 1]!.id : null,
  });
}

/**
 * Uses an `available` discount on today's visit: exactly once, however many requests race (a guarded
 * UPDATE), with an audit entry. Every clinic role may (the front desk applies it at the desk).
 */
export async function useReward(
  deps: Deps,
  input: { clinic: OrgPrincipal; rewardId: string },
): Promise<Result<RewardLine, Refusal<'reward_not_found' | 'reward_not_available'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const rewardId = isId('rwd', input.rewardId) ? input.rewardId : '';
  const guard = and(
    eq(loyaltyRewards.id, rewardId),
    eq(loyaltyRewards.clinicId, clinicId),
    eq(loyaltyRewards.status, 'available'),
  );
  const done = await runBatch(db, {
    // Before the update, under its own guard: an entry exactly when this request used the reward.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'reward.use',
      subject: { type: 'reward', id: rewardId },
      patientId: sql`(select r.patient_id from loyalty_rewards r where r.id = ${rewardId})`,
      detail: sql`(select json_object('kind', r.kind, 'source', r.source) from loyalty_rewards r where r.id = ${rewardId})`,
      at: now,
      when: sql`exists (select 1 from loyalty_rewards r where r.id = ${rewardId} and r.clinic_id = ${clinicId}
        and r.status = 'available')`,
    }),
    use: db.update(loyaltyRewards).set({ status: 'used', usedAt: now }).where(guard).returning(),
    after: db
      .select()
      .from(loyaltyRewards)
      .where(and(eq(loyaltyRewards.id, rewardId), eq(loyaltyRewards.clinicId, clinicId))),
  });
  const reward = done.after[0];
  if (!reward) return err({ code: 'reward_not_found', detail: `No reward ${input.rewardId}` });
  if (!done.use[0])
    return err({
      code: 'reward_not_available',
      detail:
        reward.status === 'used'
          ? `This reward was used already (${new Date(reward.usedAt ?? now).toISOString()})`
          : `This reward is ${reward.status}: only a discount waiting for a later visit can be used`,
    });
  return ok({ reward, gives: rewardGives(reward), voucherUrl: null });
}
