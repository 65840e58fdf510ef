import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Client } from './api';
import { createPatient } from './factories';

// Referrals in tests: the clinic's referral reward written straight into loyalty_settings (the settings
// page and route are another part's), and a patient's code as the API gives it.

export async function setReferralReward(
  clinicId: string,
  reward: { kind: 'points'; points: number } | { kind: 'voucher'; offerId: string } | null,
  capPerYear = 5,
) {
  await env.DB.prepare(
    `insert into loyalty_settings (clinic_id, referral_reward_kind, referral_points, referral_offer_id,
       referral_cap_per_year, updated_at) values (?, ?, ?, ?, ?, 0)
     on conflict (clinic_id) do update set referral_reward_kind = excluded.referral_reward_kind,
       referral_points = excluded.referral_points, referral_offer_id = excluded.referral_offer_id,
       referral_cap_per_year = excluded.referral_cap_per_year`,
  )
    .bind(
      clinicId,
      reward?.kind ?? null,
      reward?.kind === 'points' ? reward.points : null,
      reward?.kind === 'voucher' ? reward.offerId : null,
      capPerYear,
    )
    .run();
}

/** A patient's referral code and links, as GET /v1/patients/{id}/referrals answers them. */
export async function referralsOf(api: Client, key: string, patientId: string) {
  const res = await api.get(`/v1/patients/${patientId}/referrals`, { token: key });
  expect(res.status, res.text).toBe(200);
  return res.body as {
    code: string;
    invite_url: string;
    member_url: string;
    referred_by: any;
    referred: any[];
    has_more: boolean;
  };
}

/** A referrer and a patient registered with their code. */
export async function referredPair(api: Client, key: string, names = { referrer: 'Rosa', referee: 'Emil' }) {
  const referrer = await createPatient(api, key, { first_name: names.referrer });
  const { code } = await referralsOf(api, key, referrer.id);
  const referee = await createPatient(api, key, { first_name: names.referee, referral_code: code });
  return { referrer, referee, code };
}

export async function rewardsOf(patientId: string) {
  return (
    await env.DB.prepare('select * from loyalty_rewards where patient_id = ? order by granted_at, rowid')
      .bind(patientId)
      .all<Record<string, any>>()
  ).results;
}

export async function referralRowOf(refereeId: string) {
  return env.DB.prepare('select * from referrals where referee_id = ?')
    .bind(refereeId)
    .first<Record<string, any>>();
}

/**
 * For the proof suites: a clinic's patient (the referrer) with their code and member token, and another
 * patient, registered with the code when `linked` (else not yet linked). Names carry `tag`.
 */
export async function referralScene(api: Client, key: string, tag: string, linked = false) {
  const referrer = await createPatient(api, key, { first_name: `Ottilie${tag}`, last_name: `Quast${tag}` });
  const mine = await referralsOf(api, key, referrer.id);
  const referee = await createPatient(api, key, {
    first_name: linked ? `Reni${tag}` : `Rudi${tag}`,
    ...(linked ? { referral_code: mine.code } : {}),
  });
  return { referrer, referee, code: mine.code, memberToken: mine.member_url.split('/m/')[1]! };
}
