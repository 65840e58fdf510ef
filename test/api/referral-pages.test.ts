import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import {
  createClinic,
  createNetwork,
  createPatient,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { referralRowOf, referralsOf, referredPair, setReferralReward } from '../helpers/referrals';
import { staffSession } from '../helpers/staff';

// The referral pages: /j/{code} for the person invited (the referrer's first name and how to reach the
// clinic, nothing else about the referrer), /m/{token} for the patient (their code and invite link,
// whom they referred, their rewards), the patient page's referral section with its link form, the
// "Referred by (code)" field of the registration form, and the clinic's tree for owners and managers.

describe('/j/{code}: the invite page', () => {
  it("shows the referrer's first name, the clinic and how to reach it, and the code; nothing else of the referrer", async () => {
    const api = createClient();
    const clinic = await createClinic(api, {
      name: 'Lindenhof Clinic',
      address: 'Lindenstraße 5, Berlin',
      phone: '+493012345678',
      booking_url: 'https://book.example/lindenhof',
    });
    const p = await createPatient(api, clinic.key, {
      first_name: 'Rosa',
      last_name: 'Secretname',
      email: 'rosa@example.com',
      phone: '+491709999999',
    });
    const { code } = await referralsOf(api, clinic.key, p.id);
    const res = await api.get(`/j/${code.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Rosa invites you to Lindenhof Clinic');
    expect(res.text).toContain('Lindenstraße 5, Berlin');
    expect(res.text).toContain('tel:+493012345678');
    expect(res.text).toContain('https://book.example/lindenhof');
    expect(res.text).toContain('Mention this code when you book or register');
    expect(res.text).toContain(code);
    for (const secret of ['Secretname', 'rosa@example.com', '+491709999999', p.id])
      expect(res.text).not.toContain(secret);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('an unknown code is a 404 page', async () => {
    const api = createClient();
    const res = await api.get('/j/NOSUCHCODE');
    expect(res.status).toBe(404);
    expect(res.text).toContain('This invitation is not valid');
  });
});

describe('/m/{token}: the patient’s page of their rewards', () => {
  it('shows their code and invite link, the people they referred (first name and initial) and their rewards', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key);
    await setReferralReward(net.clinic.id, { kind: 'points', points: 250 });
    const { referrer, referee } = await referredPair(api, net.clinic.key, {
      referrer: 'Rosa',
      referee: 'Emil',
    });
    const pending = await createPatient(api, net.clinic.key, {
      first_name: 'Paula',
      last_name: 'Pending',
      referral_code: (await referralsOf(api, net.clinic.key, referrer.id)).code,
    });
    await recordVisit(api, net.clinic.key, referee.id, 10_000);
    const view = await referralsOf(api, net.clinic.key, referrer.id);
    const res = await api.get(new URL(view.member_url).pathname);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Your rewards at Aesthetics Clinic');
    expect(res.text).toContain(view.code);
    expect(res.text).toContain(view.invite_url);
    expect(res.text).toContain('Share by SMS');
    expect(res.text).toContain(`Emil ${referee.last_name.slice(0, 1)}.`);
    expect(res.text).toContain('Paula P.');
    expect(res.text).not.toContain('Pending<');
    expect(res.text).not.toContain(referee.last_name);
    expect(res.text).toContain('rewarded');
    expect(res.text).toContain('waiting for their first visit');
    expect(res.text).toContain('Thank you for recommending us: 250 bonus points');
    expect(pending.id).toMatch(/^pat_/);
  });

  it('shows the patient their punch cards: visits so far, and what the Nth brings', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    await setLoyaltyProgram(api, net.clinic.key);
    const rule = await api.post('/v1/visit-rules', {
      token: net.clinic.key,
      body: { name: 'Every third', every_visits: 3, reward: { kind: 'points', points: 100 } },
    });
    expect(rule.status, rule.text).toBe(201);
    const patient = await createPatient(api, net.clinic.key, { first_name: 'Vera' });
    await recordVisit(api, net.clinic.key, patient.id, 5_000);
    const view = await referralsOf(api, net.clinic.key, patient.id);
    const res = await api.get(new URL(view.member_url).pathname);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Your visit rewards');
    expect(res.text).toContain('1 of 3 visits');
    expect(res.text).toContain('100 bonus points');
  });

  it('a forged or altered token is a 404 page', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const a = await createPatient(api, net.clinic.key);
    const b = await createPatient(api, net.clinic.key);
    const { member_url } = await referralsOf(api, net.clinic.key, a.id);
    const sig = member_url.split('.').pop();
    for (const path of [`/m/${b.id}.${sig}`, `/m/${a.id}.forged`, '/m/nothing'])
      expect((await api.get(path)).status, path).toBe(404);
  });
});

describe('console: referrals', () => {
  it('the patient page shows the code, the invite link with a copy button, the member link and who referred whom', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const { referrer, referee, code } = await referredPair(api, net.clinic.key);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const page = await desk.get(`/console/patients/${referrer.id}`);
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain(code);
    expect(page.text).toContain(`https://gratia.test/j/${code}`);
    expect(page.text).toContain('data-copy="invite-link"');
    expect(page.text).toContain('/console/copy.js');
    expect(page.text).toContain(`https://gratia.test/m/${referrer.id}.`);
    expect(page.text).toContain(`href="/console/patients/${referee.id}"`);
    const theirs = await desk.get(`/console/patients/${referee.id}`);
    expect(theirs.text).toContain(`href="/console/patients/${referrer.id}"`);
    expect(theirs.text).not.toContain('Link the referral');
  });

  it('links a referral from the patient page before the first visit; refusals come back with their sentence', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const referrer = await createPatient(api, net.clinic.key, { first_name: 'Rosa' });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const late = await createPatient(api, net.clinic.key, { first_name: 'Lea' });
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const form = await desk.get(`/console/patients/${late.id}`);
    expect(form.text).toContain('Referred by (code)');
    const bad = await desk.post(`/console/patients/${late.id}/referral`, { code: 'NOSUCHCODE' });
    expect(bad.status).toBe(303);
    expect(bad.headers.get('location')).toBe(`/console/patients/${late.id}?error=referral_code_unknown`);
    const shown = await desk.get(bad.headers.get('location')!);
    expect(shown.text).toContain('No patient of this clinic has that referral code');
    const done = await desk.post(`/console/patients/${late.id}/referral`, { code });
    expect(done.headers.get('location')).toBe(`/console/patients/${late.id}?referred=1`);
    expect((await desk.get(done.headers.get('location')!)).text).toContain('The referral is linked.');
    expect(await referralRowOf(late.id)).toMatchObject({ referrer_id: referrer.id });
    // Without CSRF: refused, nothing linked.
    const other = await createPatient(api, net.clinic.key);
    const forged = await api.post(`/console/patients/${other.id}/referral`, {
      rawBody: new URLSearchParams({ code, submission: 'x'.repeat(24) }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: desk.cookie,
        origin: 'https://gratia.test',
      },
    });
    expect(forged.status).toBe(403);
    expect(await referralRowOf(other.id)).toBeNull();
  });

  it('registers a patient with a "Referred by (code)"; an unknown code says why', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const referrer = await createPatient(api, net.clinic.key, { first_name: 'Rosa' });
    const { code } = await referralsOf(api, net.clinic.key, referrer.id);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/patients/new')).text).toContain('name="referral_code"');
    const refused = await desk.post('/console/patients', {
      first_name: 'Ida',
      last_name: 'Nope',
      referral_code: 'ZZZZZZZZ',
    });
    expect(refused.headers.get('location')).toBe('/console/patients/new?error=referral_code_unknown');
    const res = await desk.post('/console/patients', {
      first_name: 'Noa',
      last_name: 'Neu',
      referral_code: code,
    });
    expect(res.status, res.text).toBe(303);
    const id = /\/console\/patients\/(pat_\w+)/.exec(res.headers.get('location') ?? '')![1]!;
    expect(await referralRowOf(id)).toMatchObject({ referrer_id: referrer.id });
  });

  it('/console/offers/referrals: the tree as nested lists for owners and managers; front desk is refused', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const { referrer, referee } = await referredPair(api, net.clinic.key, {
      referrer: 'Rosa',
      referee: 'Emil',
    });
    await referredPair(api, net.otherClinic.key, { referrer: 'Zora', referee: 'Zeno' });
    const manager = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'manager',
    });
    const res = await manager.get('/console/offers/referrals');
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Referral tree');
    expect(res.text).toContain(`id="referrer-${referrer.id}"`);
    expect(res.text).toContain(`aria-label="Referred by Rosa ${referrer.last_name}"`);
    expect(res.text).toContain(`href="/console/patients/${referee.id}"`);
    expect(res.text).toContain('referred 1: 0 rewarded, 1 pending');
    expect(res.text).not.toContain('Zora');
    expect((await manager.get('/console/offers/referrals?after=bad')).status).toBe(400);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/offers/referrals')).status).toBe(403);
    expect((await api.get('/console/offers/referrals')).status).toBe(401);
    const n = await env.DB.prepare('select count(*) as n from referrals').first<{ n: number }>();
    expect(n!.n).toBeGreaterThan(0);
  });
});
