import { env } from 'cloudflare:workers';
import { fixedClock, sha256Hex } from '@gratia/core';
import type { Caller } from '@gratia/db';
import { runBirthdays } from '@gratia/loyalty';
import { recordVisit as recordVisitCase } from '@gratia/points';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import {
  createNetwork,
  createOffer,
  createPatient,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { messagesOf } from '../helpers/messages';
import { referralsOf, rewardsOf, setReferralReward } from '../helpers/referrals';

// Issue 13, the rewards' side: a reward written in a visit's batch messages its patient in that batch.
// A referral's reward: a `referral_reward` message to each rewarded side (reason `referral:<reward>`,
// none for a capped reward or a patient who cannot be reached); a voucher a reward books: a
// `voucher_issued` message (reason `voucher:<voucher>`) with the voucher's id and no url (the consumer
// signs the link when it sends). Replayed or concurrent visits still write one message per reward.

const reachable = (email: string) => ({
  email,
  consent: { email: true, sms: false, source: 'paper_form' },
});

const visit = (api: Client, key: string, patientId: string, reference?: string) =>
  api.post('/v1/visits', {
    token: key,
    body: {
      patient_id: patientId,
      amount: { amount: 10_000, currency: 'EUR' },
      ...(reference ? { reference } : {}),
    },
  });

async function referralScene(
  api: Client,
  who: { referrer?: Record<string, unknown>; referee?: Record<string, unknown> } = {},
  cap = 5,
) {
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key);
  await setReferralReward(net.clinic.id, { kind: 'points', points: 500 }, cap);
  const referrer = await createPatient(api, net.clinic.key, {
    first_name: 'Rosa',
    ...(who.referrer ?? reachable('rosa@example.com')),
  });
  const { code } = await referralsOf(api, net.clinic.key, referrer.id);
  const referee = await createPatient(api, net.clinic.key, {
    first_name: 'Emil',
    referral_code: code,
    ...(who.referee ?? reachable('emil@example.com')),
  });
  return { net, referrer, referee, code };
}

describe('a referral reward messages each rewarded side, in the visit batch', () => {
  it('one referral_reward message to the referrer and one to the referee, with the reward and no url', async () => {
    const api = createClient();
    const { net, referrer, referee } = await referralScene(api);
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    const [mine] = await rewardsOf(referee.id);
    const [theirs] = await rewardsOf(referrer.id);
    const rows = await messagesOf(net.clinic.id, 'referral:');
    expect(rows.map((r) => [r.patient_id, r.reason_key, r.kind, r.purpose, r.channel]).sort()).toEqual(
      [
        [referee.id, `referral:${mine!.id}`, 'referral_reward', 'service', 'email'],
        [referrer.id, `referral:${theirs!.id}`, 'referral_reward', 'service', 'email'],
      ].sort(),
    );
    for (const r of rows) {
      const side = r.patient_id === referee.id ? 'referee' : 'referrer';
      expect(JSON.parse(r.vars)).toEqual({ reward: '500 bonus points', side });
      expect(r.created_by).toBe(net.clinic.keyId);
    }
    // A second paid visit rewards nothing and messages no one.
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    expect(await messagesOf(net.clinic.id, 'referral:')).toHaveLength(2);
  });

  it('SMS when only SMS reaches a side; none to a side who cannot be reached (still rewarded)', async () => {
    const api = createClient();
    const { net, referrer, referee } = await referralScene(api, {
      referrer: { phone: '+4915112345678', consent: { email: false, sms: true, source: 'paper_form' } },
      referee: { email: 'emil@example.com' },
    });
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    expect(await rewardsOf(referee.id)).toHaveLength(1);
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.patient_id, r.channel])).toEqual([[referrer.id, 'sms']]);
  });

  it('a capped referrer reward writes no message; the referee still gets theirs', async () => {
    const api = createClient();
    const { net, referrer, referee, code } = await referralScene(api, {}, 1);
    const second = await createPatient(api, net.clinic.key, {
      first_name: 'Ben',
      referral_code: code,
      ...reachable('ben@example.com'),
    });
    // Emil's first visit uses the referrer's cap of one; Ben's caps the referrer's reward.
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    await recordVisit(api, net.clinic.key, second.id, 10_000);
    const referrerRewards = await rewardsOf(referrer.id);
    expect(referrerRewards.map((r) => r.status)).toEqual(['granted', 'capped']);
    const rows = await messagesOf(net.clinic.id, 'referral:');
    const to = rows.map((r) => r.patient_id);
    expect(to.filter((id) => id === referrer.id)).toHaveLength(1);
    expect(to).toContain(second.id);
    expect(rows.map((r) => r.reason_key)).not.toContain(`referral:${referrerRewards[1]!.id}`);
    expect(rows).toHaveLength(3);
  });

  it('EXACTLY ONCE: 10 concurrent paid visits of the referred patient write one message per reward', async () => {
    const api = createClient();
    const { net, referrer, referee } = await referralScene(api);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => visit(api, net.clinic.key, referee.id, `INV-${i}`)),
    );
    for (const r of results) expect(r.status, r.text).toBe(201);
    // Replays of the same references write nothing more.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => visit(api, net.clinic.key, referee.id, `INV-${i}`)),
    );
    const rows = await messagesOf(net.clinic.id, 'referral:');
    expect(rows.map((r) => r.patient_id).sort()).toEqual([referee.id, referrer.id].sort());
    const rewardIds = [...(await rewardsOf(referee.id)), ...(await rewardsOf(referrer.id))].map(
      (r) => `referral:${r.id}`,
    );
    expect(rows.map((r) => r.reason_key).sort()).toEqual(rewardIds.sort());
  });

  it('a referral voucher reward: a referral_reward and a voucher_issued message to each side', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key, { title: 'Taxi home' });
    await setReferralReward(net.clinic.id, { kind: 'voucher', offerId: offer.id });
    const referrer = await createPatient(api, net.clinic.key, reachable('rosa@example.com'));
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const referee = await createPatient(api, net.clinic.key, {
      referral_code: code,
      ...reachable('emil@example.com'),
    });
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    for (const id of [referrer.id, referee.id]) {
      const [r] = await rewardsOf(id);
      const rows = (await messagesOf(net.clinic.id)).filter((m) => m.patient_id === id);
      expect(rows.map((m) => [m.kind, m.reason_key]).sort()).toEqual(
        [
          ['referral_reward', `referral:${r!.id}`],
          ['voucher_issued', `voucher:${r!.voucher_id}`],
        ].sort(),
      );
      const voucherMessage = rows.find((m) => m.kind === 'voucher_issued')!;
      expect(JSON.parse(voucherMessage.vars)).toEqual({
        gift: 'Taxi home',
        expires_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        voucher_id: r!.voucher_id,
      });
    }
  });
});

describe('a voucher a reward books messages its link', () => {
  async function nthScene(api: Client, patient: Record<string, unknown> = reachable('anna@example.com')) {
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key, { title: 'Foot massage' });
    const rule = await api.post('/v1/visit-rules', {
      token: net.clinic.key,
      body: { name: 'Every 2nd visit', every_visits: 2, reward: { kind: 'voucher', offer_id: offer.id } },
    });
    expect(rule.status, rule.text).toBe(201);
    const p = await createPatient(api, net.clinic.key, patient);
    return { net, offer, patient: p };
  }

  it('an nth-visit voucher: one voucher_issued message with voucher_id and no url, once per threshold', async () => {
    const api = createClient();
    const { net, patient } = await nthScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    expect(await messagesOf(net.clinic.id)).toHaveLength(0);
    await recordVisit(api, net.clinic.key, patient.id, 10_000, { reference: 'INV-2' });
    // The same visit again (a replayed reference) writes no second reward and no second message.
    await recordVisit(api, net.clinic.key, patient.id, 10_000, { reference: 'INV-2' });
    const [reward] = await rewardsOf(patient.id);
    expect(reward).toMatchObject({ source: 'nth_visit', voucher_id: expect.stringMatching(/^vch_/) });
    const voucher = await env.DB.prepare('select * from vouchers where id = ?')
      .bind(reward!.voucher_id)
      .first<{ expires_at: number }>();
    const rows = await messagesOf(net.clinic.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      patient_id: patient.id,
      kind: 'voucher_issued',
      purpose: 'service',
      channel: 'email',
      reason_key: `voucher:${reward!.voucher_id}`,
      created_by: net.clinic.keyId,
    });
    const vars = JSON.parse(rows[0]!.vars);
    expect(vars).toEqual({
      gift: 'Foot massage',
      // The voucher's last day in the clinic's timezone (Europe/Berlin).
      expires_date: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(
        voucher!.expires_at,
      ),
      voucher_id: reward!.voucher_id,
    });
    expect(vars).not.toHaveProperty('url');
  });

  it('no message to a patient who cannot be reached; the voucher is still booked', async () => {
    const api = createClient();
    const { net, patient } = await nthScene(api, { email: 'anna@example.com' });
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const [reward] = await rewardsOf(patient.id);
    expect(reward!.voucher_id).toMatch(/^vch_/);
    expect(await messagesOf(net.clinic.id)).toHaveLength(0);
  });

  it('the visit hands the messages it wrote to the queue after its batch (deps.dispatch)', async () => {
    const api = createClient();
    const { net, patient } = await nthScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 10_000);
    const deps = testDeps(fixedClock(T0));
    const dispatched: string[] = [];
    deps.dispatch = (ids) => dispatched.push(...ids);
    const caller: Caller = {
      resolved: false,
      key: { hash: await sha256Hex(net.clinic.key) },
      roles: ['clinic'],
    };
    const done = await recordVisitCase(deps, {
      caller,
      patientId: patient.id,
      amount: { amount: 10_000, currency: 'EUR' },
    });
    expect(done.ok).toBe(true);
    const rows = await messagesOf(net.clinic.id);
    expect(rows).toHaveLength(1);
    expect(dispatched).toEqual([rows[0]!.id]);
  });
});

describe('a code word whose reward is a voucher', () => {
  it('20 concurrent applies: one use, one voucher, one voucher_issued message', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const patient = await createPatient(api, net.clinic.key, reachable('anna@example.com'));
    const offer = await createOffer(api, net.partner.key, { title: 'Massage 60 min' });
    const word = await api.post('/v1/code-words', {
      token: net.clinic.key,
      body: {
        word: 'ONEGIFT',
        reward: { kind: 'voucher', offer_id: offer.id },
        valid_until: new Date(T0 + 30 * 86_400_000).toISOString(),
      },
    });
    expect(word.status, word.text).toBe(201);
    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.post(`/v1/patients/${patient.id}/code-word`, {
          token: net.clinic.key,
          body: { word: 'ONEGIFT' },
        }),
      ),
    );
    const applied = all.filter((r) => r.status === 201);
    expect(applied).toHaveLength(1);
    const voucherId = applied[0]!.body.voucher.id as string;
    const rows = await messagesOf(net.clinic.id);
    expect(rows.map((r) => [r.kind, r.reason_key, r.channel])).toEqual([
      ['voucher_issued', `voucher:${voucherId}`, 'email'],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toMatchObject({ gift: 'Massage 60 min', voucher_id: voucherId });
  });
});

describe('a birthday reward of a voucher', () => {
  it('the cron writes one voucher_issued message, dispatched after its batch; a second run writes none', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const offer = await createOffer(api, net.partner.key, { title: 'Birthday cake' });
    await env.DB.prepare(
      `insert into loyalty_settings (clinic_id, referral_cap_per_year, birthday_reward_kind, birthday_offer_id,
         birthday_days_before, updated_at) values (?, 5, 'voucher', ?, 7, 0)
       on conflict (clinic_id) do update set birthday_reward_kind = 'voucher', birthday_offer_id = excluded.birthday_offer_id`,
    )
      .bind(net.clinic.id, offer.id)
      .run();
    // T0 is 1 November (clinic time): today's birthday.
    const patient = await createPatient(api, net.clinic.key, {
      birth_date: '1985-11-01',
      ...reachable('anna@example.com'),
    });
    const deps = testDeps(fixedClock(T0));
    const dispatched: string[] = [];
    deps.dispatch = (ids) => dispatched.push(...ids);
    await runBirthdays(deps);
    await runBirthdays(deps);
    const [reward] = await rewardsOf(patient.id);
    expect(reward).toMatchObject({ source: 'birthday', voucher_id: expect.stringMatching(/^vch_/) });
    const rows = await messagesOf(net.clinic.id, 'voucher:');
    expect(rows.map((r) => [r.patient_id, r.kind, r.reason_key, r.created_by])).toEqual([
      [patient.id, 'voucher_issued', `voucher:${reward!.voucher_id}`, 'system'],
    ]);
    expect(JSON.parse(rows[0]!.vars)).toMatchObject({
      gift: 'Birthday cake',
      voucher_id: reward!.voucher_id,
    });
    expect(dispatched).toEqual([rows[0]!.id]);
  });
});
