import { toIso } from '@gratia/core';
import type { RewardStatus } from '@gratia/db';
import { referralStatus } from '@gratia/loyalty';
import type { PatientReferrals, ReferralRow } from '@gratia/points';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// Referrals (issue 12): a patient's code and links, who referred them, whom they referred, with the
// rewards each side got (or `capped`: earned over the referrer's yearly cap, so nothing given).

export const ReferralCodeSchema = z.string().trim().min(1).max(40).openapi({
  description: 'A patient’s referral code (case, spaces and dashes ignored)',
  example: '9F3A0C71BE',
});

const RewardRefSchema = z.object({
  id: z.string().openapi({ example: 'rwd_01JD0000000000000000000000' }),
  status: z.enum(['granted', 'available', 'used', 'capped']),
  title: z.string().openapi({ example: 'Thank you for recommending us: 500 bonus points' }),
});

const PersonSchema = z.object({ id: z.string(), first_name: z.string(), last_name: z.string() });

export const ReferralSchema = z
  .object({
    id: z.string().openapi({ example: 'ref_01JD0000000000000000000000' }),
    referrer: PersonSchema,
    referee: PersonSchema,
    code: z.string(),
    created_at: TimestampSchema,
    status: z.enum(['pending', 'rewarded', 'capped']).openapi({
      description:
        '`pending` until the referred patient’s first paid visit; then `rewarded`, or `capped` when the referrer was over their yearly cap (the referred patient is rewarded either way)',
    }),
    qualified_at: TimestampSchema.nullable(),
    qualifying_visit_id: z.string().nullable(),
    referrer_reward: RewardRefSchema.nullable(),
    referee_reward: RewardRefSchema.nullable(),
  })
  .openapi('Referral');

export const PatientReferralsSchema = z
  .object({
    code: z.string().nullable().openapi({ example: '9F3A0C71BE' }),
    invite_url: z.string().nullable().openapi({ example: 'https://gratia.example/j/9F3A0C71BE' }),
    member_url: z.string().openapi({
      description: 'The patient’s own page of their rewards and referrals (a signed link: send it to them)',
    }),
    referred_by: ReferralSchema.nullable(),
    referred: z.array(ReferralSchema).openapi({ description: 'The newest 50 referrals the patient made' }),
    has_more: z.boolean(),
  })
  .openapi('PatientReferrals');

const reward = (id: string | null, status: RewardStatus | null, title: string | null) =>
  id && status && title !== null ? { id, status, title } : null;

export function referralJson(r: ReferralRow): z.infer<typeof ReferralSchema> {
  return {
    id: r.referralId,
    referrer: { id: r.referrerId, first_name: r.referrerFirstName, last_name: r.referrerLastName },
    referee: { id: r.refereeId, first_name: r.refereeFirstName, last_name: r.refereeLastName },
    code: r.code,
    created_at: toIso(r.createdAt),
    status: referralStatus(r, 'referrer'),
    qualified_at: r.qualifiedAt === null ? null : toIso(r.qualifiedAt),
    qualifying_visit_id: r.qualifyingVisitId,
    referrer_reward: reward(r.referrerRewardId, r.referrerRewardStatus, r.referrerRewardTitle),
    referee_reward: reward(r.refereeRewardId, r.refereeRewardStatus, r.refereeRewardTitle),
  };
}

export function patientReferralsJson(p: PatientReferrals): z.infer<typeof PatientReferralsSchema> {
  return {
    code: p.code,
    invite_url: p.inviteUrl,
    member_url: p.memberUrl,
    referred_by: p.referredBy ? referralJson(p.referredBy) : null,
    referred: p.referred.map(referralJson),
    has_more: p.more,
  };
}
