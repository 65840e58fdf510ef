import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, newId } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  createStaffMember,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { referralRowOf, referralsOf, referredPair, rewardsOf, setReferralReward } from '../helpers/referrals';
import { describeSecurity, expectProblem } from '../helpers/security';

// Referrals (issue 12): every patient has a code; a patient registered with it (or linked before their
// first paid visit) is the referrer's referral; the referred patient's first paid visit rewards both
// once, under any concurrency, also when visits are reversed and recorded again; the referrer's rewards
// are capped per rolling year (over it: recorded as capped, the referred patient still rewarded).

async function scene(
  api: Client,
  reward: Parameters<typeof setReferralReward>[1] = { kind: 'points', points: 500 },
  cap = 5,
) {
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key);
  await setReferralReward(net.clinic.id, reward, cap);
  return net;
}

const visit = (api: Client, key: string, patientId: string, reference?: string) =>
  api.post('/v1/visits', {
    token: key,
    body: {
      patient_id: patientId,
      amount: { amount: 10_000, currency: 'EUR' },
      ...(reference ? { reference } : {}),
    },
  });

describe('registering with a referral code', () => {
  it('links the new patient to the referrer, whose referrals then list them as pending', async () => {
    const api = createClient();
    const net = await scene(api);
    const referrer = await createPatient(api, net.clinic.key, {
      first_name: 'Rosa',
      email: 'rosa@example.com',
    });
    const mine = await referralsOf(api, net.clinic.key, referrer.id);
    expect(mine.code).toMatch(/^[0-9A-F]{10}$/);
    expect(mine.invite_url).toBe(`https://gratia.test/j/${mine.code}`);
    expect(mine.member_url).toMatch(new RegExp(`^https://gratia.test/m/${referrer.id}\\.[\\w-]+$`));
    // Typed at the desk: lower case, with spaces.
    const typed = `${mine.code.slice(0, 5).toLowerCase()} ${mine.code.slice(5)}`;
    const referee = await createPatient(api, net.clinic.key, { first_name: 'Emil', referral_code: typed });
    const row = await referralRowOf(referee.id);
    expect(row).toMatchObject({ referrer_id: referrer.id, code: mine.code, qualifying_visit_id: null });
    const after = await referralsOf(api, net.clinic.key, referrer.id);
    expect(after.referred).toHaveLength(1);
    expect(after.referred[0]).toMatchObject({
      referee: { id: referee.id, first_name: 'Emil' },
      status: 'pending',
      referrer_reward: null,
    });
    const theirs = await referralsOf(api, net.clinic.key, referee.id);
    expect(theirs.referred_by).toMatchObject({ referrer: { id: referrer.id, first_name: 'Rosa' } });
    // The registration's one audit entry names the referrer.
    const audit = await env.DB.prepare(
      "select detail from audit_events where action = 'patient.register' and subject_id = ?",
    )
      .bind(referee.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit!.detail)).toEqual({ referred_by: referrer.id });
  });

  it('refuses an unknown code, and another clinic’s code, as referral_code_unknown (422), registering no one', async () => {
    const api = createClient();
    const net = await scene(api);
    const elsewhere = await createPatient(api, net.otherClinic.key);
    const { code } = await referralsOf(api, net.otherClinic.key, elsewhere.id);
    for (const referral_code of ['NOSUCHCODE', code, '!!']) {
      const res = await api.post('/v1/patients', {
        token: net.clinic.key,
        body: { first_name: 'Ida', last_name: 'Unknown', referral_code },
      });
      expectProblem(res, 422, 'referral_code_unknown');
      expect(res.body.errors).toEqual([{ path: 'referral_code', message: expect.any(String) }]);
    }
    const n = await env.DB.prepare("select count(*) as n from patients where last_name = 'Unknown'").first<{
      n: number;
    }>();
    expect(n!.n).toBe(0);
  });

  it('refuses self-referral by the same phone and by the same e-mail (422 self_referral)', async () => {
    const api = createClient();
    const net = await scene(api);
    const referrer = await createPatient(api, net.clinic.key, {
      email: 'same@example.com',
      phone: '+491701234567',
    });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const byPhone = await api.post('/v1/patients', {
      token: net.clinic.key,
      body: { first_name: 'Self', last_name: 'Phone', phone: '+491701234567', referral_code: code },
    });
    expectProblem(byPhone, 422, 'self_referral');
    expect(byPhone.body.detail).toContain('same phone number');
    const byEmail = await api.post('/v1/patients', {
      token: net.clinic.key,
      body: { first_name: 'Self', last_name: 'Mail', email: 'SAME@example.com', referral_code: code },
    });
    expectProblem(byEmail, 422, 'self_referral');
    expect(byEmail.body.detail).toContain('same e-mail address');
    // Someone else with the code is fine.
    await createPatient(api, net.clinic.key, { email: 'other@example.com', referral_code: code });
  });
});

describe('the reward on the referred patient’s first paid visit', () => {
  it('points: both get the bonus once; the second visit gives nothing more', async () => {
    const api = createClient();
    const net = await scene(api);
    const { referrer, referee } = await referredPair(api, net.clinic.key);
    const first = await recordVisit(api, net.clinic.key, referee.id, 10_000);
    const row = await referralRowOf(referee.id);
    expect(row).toMatchObject({ qualifying_visit_id: first.id, qualified_at: T0 });
    const [mine] = await rewardsOf(referee.id);
    const [theirs] = await rewardsOf(referrer.id);
    expect(mine).toMatchObject({
      source: 'referral',
      reason_key: `referral:${row!.id}:referee`,
      kind: 'points',
      points: 500,
      status: 'granted',
      visit_id: first.id,
    });
    expect(theirs).toMatchObject({
      reason_key: `referral:${row!.id}:referrer`,
      points: 500,
      status: 'granted',
    });
    // 10% of 100.00 = 1,000 points for the visit, plus the 500 bonus; the referrer has only the bonus.
    const bal = (id: string) => api.get(`/v1/patients/${id}/points`, { token: net.clinic.key });
    expect((await bal(referee.id)).body.balance).toBe(1500);
    expect((await bal(referrer.id)).body.balance).toBe(500);

    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    expect(await rewardsOf(referee.id)).toHaveLength(1);
    expect(await rewardsOf(referrer.id)).toHaveLength(1);
    const view = await referralsOf(api, net.clinic.key, referrer.id);
    expect(view.referred[0]).toMatchObject({
      status: 'rewarded',
      qualifying_visit_id: first.id,
      referrer_reward: { status: 'granted', title: expect.stringContaining('500 bonus points') },
      referee_reward: { status: 'granted' },
    });
  });

  it('a gift voucher: each gets a voucher for the clinic’s offer', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key, { title: 'Taxi home' });
    await setReferralReward(net.clinic.id, { kind: 'voucher', offerId: offer.id });
    const { referrer, referee } = await referredPair(api, net.clinic.key);
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    for (const id of [referrer.id, referee.id]) {
      const [r] = await rewardsOf(id);
      expect(r).toMatchObject({
        kind: 'voucher',
        offer_id: offer.id,
        voucher_id: expect.stringMatching(/^vch_/),
      });
      const v = await env.DB.prepare('select * from vouchers where id = ?').bind(r!.voucher_id).first<any>();
      expect(v).toMatchObject({ patient_id: id, offer_id: offer.id, status: 'issued' });
    }
  });

  it('no reward configured: the visit qualifies nothing and the referral stays pending', async () => {
    const api = createClient();
    const net = await scene(api, null);
    const { referrer, referee } = await referredPair(api, net.clinic.key);
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    expect(await referralRowOf(referee.id)).toMatchObject({ qualifying_visit_id: null });
    expect(await rewardsOf(referrer.id)).toHaveLength(0);
  });

  it('EXACTLY ONCE: 50 concurrent paid visits of the referred patient qualify once and reward each side once', async () => {
    const api = createClient();
    const net = await scene(api);
    const { referrer, referee } = await referredPair(api, net.clinic.key);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => visit(api, net.clinic.key, referee.id, `INV-${i}`)),
    );
    for (const r of results) expect(r.status, r.text).toBe(201);
    const row = await referralRowOf(referee.id);
    expect(results.map((r) => r.body.id)).toContain(row!.qualifying_visit_id);
    const rewards = (
      await env.DB.prepare("select * from loyalty_rewards where source = 'referral' and source_id = ?")
        .bind(row!.id)
        .all<any>()
    ).results;
    expect(rewards.map((r) => r.patient_id).sort()).toEqual([referee.id, referrer.id].sort());
    const lots = await env.DB.prepare(
      'select count(*) as n from point_lots where reward_id is not null and patient_id in (?, ?)',
    )
      .bind(referee.id, referrer.id)
      .first<{ n: number }>();
    expect(lots!.n).toBe(2);
    const bal = await api.get(`/v1/patients/${referrer.id}/points`, { token: net.clinic.key });
    expect(bal.body.balance).toBe(500);
  });

  it('a reversed first visit recorded again rewards nothing new (the reasons are written once)', async () => {
    const api = createClient();
    const net = await scene(api);
    const { referrer, referee } = await referredPair(api, net.clinic.key);
    const first = await recordVisit(api, net.clinic.key, referee.id, 10_000, { reference: 'INV-1' });
    // The visit reversed (as the visits part records it), then recorded again under a new reference.
    await env.DB.prepare(
      'insert into visit_reversals (id, visit_id, clinic_id, patient_id, points, amount, reason, api_key_id, reversed_at) values (?, ?, ?, ?, 0, 10000, ?, null, ?)',
    )
      .bind(newId('vrv', T0), first.id, net.clinic.id, referee.id, 'entered twice', T0)
      .run();
    await recordVisit(api, net.clinic.key, referee.id, 10_000, { reference: 'INV-1b' });
    expect(await rewardsOf(referee.id)).toHaveLength(1);
    expect(await rewardsOf(referrer.id)).toHaveLength(1);
  });

  it('the referrer’s cap: over it the reward is recorded as capped (nothing given), the referred patient still rewarded', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await scene(api, { kind: 'points', points: 300 }, 1);
    const referrer = await createPatient(api, net.clinic.key, { first_name: 'Rosa' });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const a = await createPatient(api, net.clinic.key, { first_name: 'Ann', referral_code: code });
    const b = await createPatient(api, net.clinic.key, { first_name: 'Ben', referral_code: code });
    await recordVisit(api, net.clinic.key, a.id, 10_000);
    await recordVisit(api, net.clinic.key, b.id, 10_000);
    const mine = await rewardsOf(referrer.id);
    expect(mine.map((r) => r.status)).toEqual(['granted', 'capped']);
    expect((await rewardsOf(b.id)).map((r) => r.status)).toEqual(['granted']);
    const bal = await api.get(`/v1/patients/${referrer.id}/points`, { token: net.clinic.key });
    expect(bal.body.balance).toBe(300);
    const view = await referralsOf(api, net.clinic.key, referrer.id);
    expect(view.referred.map((r: any) => r.status).sort()).toEqual(['capped', 'rewarded']);
    // A year on, the first reward no longer counts: the next referral rewards the referrer again.
    clock.set?.(T0 + 366 * DAY_MS);
    const c = await createPatient(api, net.clinic.key, { first_name: 'Cem', referral_code: code });
    await recordVisit(api, net.clinic.key, c.id, 10_000);
    expect((await rewardsOf(referrer.id)).map((r) => r.status)).toEqual(['granted', 'capped', 'granted']);
  });
});

describe('PUT /v1/patients/{id}/referral', () => {
  const link = (api: Client, key: string, id: string, code: string) =>
    api.put(`/v1/patients/${id}/referral`, { token: key, body: { code } });

  it('links a patient before their first paid visit, once; the same code again changes nothing', async () => {
    const api = createClient();
    const net = await scene(api);
    const referrer = await createPatient(api, net.clinic.key, { first_name: 'Rosa' });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const late = await createPatient(api, net.clinic.key, { first_name: 'Lea' });
    const res = await link(api, net.clinic.key, late.id, code.toLowerCase());
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      referrer: { id: referrer.id },
      referee: { id: late.id },
      status: 'pending',
    });
    const again = await link(api, net.clinic.key, late.id, code);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    const n = await env.DB.prepare(
      "select count(*) as n from audit_events where action = 'referral.link' and patient_id = ?",
    )
      .bind(late.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
    // Someone else's code now: already referred.
    const other = await createPatient(api, net.clinic.key);
    const { code: otherCode } = await referralsOf(api, net.clinic.key, other.id);
    expectProblem(await link(api, net.clinic.key, late.id, otherCode), 409, 'already_referred');
    // The first paid visit rewards both, as for a registration with the code.
    await recordVisit(api, net.clinic.key, late.id, 10_000);
    expect(await rewardsOf(referrer.id)).toHaveLength(1);
  });

  it('refuses after a paid visit, an unknown code, the patient’s own code or contact, and another clinic’s patient', async () => {
    const api = createClient();
    const net = await scene(api);
    const referrer = await createPatient(api, net.clinic.key, { email: 'twin@example.com' });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const visited = await createPatient(api, net.clinic.key);
    await recordVisit(api, net.clinic.key, visited.id, 5_000);
    expectProblem(await link(api, net.clinic.key, visited.id, code), 409, 'referral_too_late');
    const fresh = await createPatient(api, net.clinic.key);
    const unknown = await link(api, net.clinic.key, fresh.id, 'NOSUCHCODE');
    expectProblem(unknown, 422, 'referral_code_unknown');
    expect(unknown.body.errors).toEqual([{ path: 'code', message: expect.any(String) }]);
    const own = await referralsOf(api, net.clinic.key, fresh.id);
    expectProblem(await link(api, net.clinic.key, fresh.id, own.code), 422, 'self_referral');
    const twin = await createPatient(api, net.clinic.key, { email: 'twin@example.com' });
    expectProblem(await link(api, net.clinic.key, twin.id, code), 422, 'self_referral');
    expectProblem(await link(api, net.otherClinic.key, fresh.id, code), 404, 'patient_not_found');
    expectProblem(
      await link(api, net.clinic.key, 'pat_01JD0000000000000000000000', code),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.put(`/v1/patients/${fresh.id}/referral`, { token: net.clinic.key, body: { code: '' } }),
      400,
      'validation_failed',
    );
    expect(await referralRowOf(fresh.id)).toBeNull();
  });

  describeSecurity('PUT /v1/patients/{id}/referral', {
    method: 'PUT',
    roles: ['clinic'],
    setup: async (api, net) => {
      const r = await createPatient(api, net.clinic.key);
      const { code } = await referralsOf(api, net.clinic.key, r.id);
      return { patient: await createPatient(api, net.clinic.key), code };
    },
    path: (c) => `/v1/patients/${c.patient.id}/referral`,
    body: (c) => ({ code: c.code }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('GET /v1/patients/{id}/referrals', () => {
  it('another clinic’s patient, or none, is not found', async () => {
    const api = createClient();
    const net = await scene(api);
    const p = await createPatient(api, net.clinic.key);
    expectProblem(
      await api.get(`/v1/patients/${p.id}/referrals`, { token: net.otherClinic.key }),
      404,
      'patient_not_found',
    );
    expectProblem(
      await api.get('/v1/patients/nope/referrals', { token: net.clinic.key }),
      404,
      'patient_not_found',
    );
  });

  it('makes a code for a patient left without one (a collision of the trigger’s random code)', async () => {
    const api = createClient();
    const net = await scene(api);
    const p = await createPatient(api, net.clinic.key);
    await env.DB.prepare('delete from referral_codes where patient_id = ?').bind(p.id).run();
    const view = await referralsOf(api, net.clinic.key, p.id);
    expect(view.code).toMatch(/^[0-9A-F]{10}$/);
    expect((await referralsOf(api, net.clinic.key, p.id)).code).toBe(view.code);
  });

  describeSecurity('GET /v1/patients/{id}/referrals', {
    method: 'GET',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}/referrals`,
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

describe('GET /v1/referrals', () => {
  it('the clinic’s tree, a page of referrers at a time, with counts, rewards and who referred the referrer', async () => {
    const api = createClient();
    const net = await scene(api, { kind: 'points', points: 100 }, 1);
    const { referrer, referee } = await referredPair(api, net.clinic.key);
    const { code: refereeCode } = await referralsOf(api, net.clinic.key, referee.id);
    const grandchild = await createPatient(api, net.clinic.key, {
      first_name: 'Gus',
      referral_code: refereeCode,
    });
    const second = await createPatient(api, net.clinic.key, {
      first_name: 'Sam',
      referral_code: (await referralsOf(api, net.clinic.key, referrer.id)).code,
    });
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    await recordVisit(api, net.clinic.key, second.id, 10_000);
    // Another clinic's referrals never show.
    await referredPair(api, net.otherClinic.key, { referrer: 'Zora', referee: 'Zeno' });

    const first = await api.get('/v1/referrals?limit=1', { token: net.clinic.key });
    expect(first.status, first.text).toBe(200);
    expect(first.body.data).toHaveLength(1);
    const rest = await api.get(`/v1/referrals?limit=1&cursor=${first.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(rest.body.next_cursor).toBeNull();
    const all = [...first.body.data, ...rest.body.data];
    expect(all.map((b: any) => b.patient.id).sort()).toEqual([referee.id, referrer.id].sort());
    const top = all.find((b: any) => b.patient.id === referrer.id);
    expect(top.counts).toEqual({ referred: 2, pending: 0, rewarded: 1, capped: 1 });
    expect(top.referred_by_id).toBeNull();
    const mid = all.find((b: any) => b.patient.id === referee.id);
    expect(mid.referred_by_id).toBe(referrer.id);
    expect(mid.referrals.map((r: any) => r.referee.id)).toEqual([grandchild.id]);
    expect(JSON.stringify(all)).not.toContain('Zora');
    expectProblem(
      await api.get('/v1/referrals?cursor=bad', { token: net.clinic.key }),
      400,
      'invalid_cursor',
    );
  });

  it('shows a referrer’s newest 100 referrals, oldest of them first', async () => {
    const api = createClient();
    const net = await scene(api);
    const referrer = await createPatient(api, net.clinic.key, { first_name: 'Rosa' });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const referred: string[] = [];
    for (let i = 0; i < 102; i++) {
      api.clock.advance?.(1_000);
      referred.push(
        (await createPatient(api, net.clinic.key, { first_name: `R${i}`, referral_code: code })).id,
      );
    }
    const tree = await api.get('/v1/referrals', { token: net.clinic.key });
    expect(tree.status, tree.text).toBe(200);
    const branch = tree.body.data.find((b: any) => b.patient.id === referrer.id);
    expect(branch.referrals.map((r: any) => r.referee.id)).toEqual(referred.slice(2));
    expect(branch.counts).toEqual({ referred: 100, pending: 100, rewarded: 0, capped: 0 });
  });

  it('is for owners and managers: a front-desk member’s key is refused (403)', async () => {
    const api = createClient();
    const net = await scene(api);
    const desk = await createStaffMember(api, net.clinic.id, { name: 'Fay Desk', role: 'front_desk' });
    expectProblem(await api.get('/v1/referrals', { token: desk.key }), 403, 'forbidden');
    const manager = await createStaffMember(api, net.clinic.id, { name: 'Max Manager', role: 'manager' });
    expect((await api.get('/v1/referrals', { token: manager.key })).status).toBe(200);
  });

  describeSecurity('GET /v1/referrals', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/referrals',
  });
});
