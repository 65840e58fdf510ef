import { env } from 'cloudflare:workers';
import { newId } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { createNetwork, createOffer, createPatient, type Network } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's offer settings (owners and managers) with the VIP list; the patient page's VIP and
// Rewards sections; and "Give a gift" showing a VIP's gifts against the limit before the clinic picks,
// and refusing the gift over it (issue 12).

const session = (api: Client, organizationId: string, role: any) =>
  staffSession(api, { organizationId, kind: 'clinic', role });

async function scene(giftsPerYear = 1) {
  const api = createClient();
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Dana', last_name: 'Meyer' });
  const offer = await createOffer(api, net.partner.key, { title: 'Hot stones' });
  const perk = await createOffer(api, net.partner.key, { title: 'Taxi home' });
  const put = await api.put('/v1/loyalty/settings', {
    token: net.clinic.key,
    body: {
      referral: { reward: null, cap_per_year: 5 },
      birthday: { reward: null, days_before: 7 },
      vip: { segment_id: null, gifts_per_year: giftsPerYear, perk_offer_ids: [perk.id] },
    },
  });
  expect(put.status, put.text).toBe(200);
  return { api, net, patient, offer, perk };
}

async function availableDiscount(net: Network, patientId: string) {
  const id = newId('rwd', T0);
  await env.DB.prepare(
    `insert into loyalty_rewards (id, clinic_id, patient_id, source, source_id, reason_key, kind, title,
      discount_bps, currency, status, granted_at)
     values (?, ?, ?, 'code_word', 'cwd_x', ?, 'discount_bps', 'Spring', 1500, 'EUR', 'available', ?)`,
  )
    .bind(id, net.clinic.id, patientId, `t:${id}`, T0)
    .run();
  return id;
}

describe('Offer settings page', () => {
  it('shows the settings and saves them from the form; front desk may not', async () => {
    const { api, net, patient, perk } = await scene(2);
    const owner = await session(api, net.clinic.id, 'owner');
    await api.put(`/v1/patients/${patient.id}/vip`, { token: net.clinic.key, body: { reason: 'Founder' } });
    const page = await owner.get('/console/offers/settings');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('Offer settings');
    expect(page.text).toMatch(new RegExp(`name="perk_${perk.id}"[^>]*checked`));
    expect(page.text).toContain('Dana Meyer');
    expect(page.text).toContain('hand (Founder)');
    expect(page.text).toContain('0 of 2');

    const saved = await owner.post('/console/offers/settings', {
      referral_kind: 'points',
      referral_points: '250',
      referral_cap: '4',
      birthday_kind: 'voucher',
      birthday_offer: perk.id,
      birthday_days: '3',
      vip_segment: '',
      vip_gifts: '',
    });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/offers/settings?saved=1');
    const now = await api.get('/v1/loyalty/settings', { token: net.clinic.key });
    expect(now.body).toMatchObject({
      referral: { reward: { kind: 'points', points: 250 }, cap_per_year: 4 },
      birthday: { reward: { kind: 'voucher', offer_id: perk.id }, days_before: 3 },
      vip: { gifts_per_year: null, perk_offer_ids: [] },
    });

    const bad = await owner.post('/console/offers/settings', {
      referral_kind: 'points',
      referral_points: 'many',
      referral_cap: '4',
      birthday_kind: 'none',
      birthday_days: '99',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a whole number of points above 0.');
    expect(bad.text).toContain('Enter a whole number of days from 0 to 60.');

    const desk = await session(api, net.clinic.id, 'front_desk');
    expect((await desk.get('/console/offers/settings')).status).toBe(403);
    expect((await desk.post('/console/offers/settings', { referral_cap: '1' })).status).toBe(403);
  });
});

describe('the patient page: VIP and Rewards', () => {
  it('marks a patient VIP, gives a perk that does not count, and uses a discount once', async () => {
    const { api, net, patient, perk } = await scene(1);
    const manager = await session(api, net.clinic.id, 'manager');
    const before = await manager.get(`/console/patients/${patient.id}`);
    expect(before.status, before.text).toBe(200);
    expect(before.text).toContain('Dana is not a VIP.');
    expect(before.text).toContain('Mark as VIP');

    const marked = await manager.post(`/console/patients/${patient.id}/vip`, {
      op: 'mark',
      reason: 'Ten years',
    });
    expect(marked.status).toBe(303);
    const page = await manager.get(marked.headers.get('location')!);
    expect(page.text).toContain('Dana is marked VIP.');
    expect(page.text).toContain('<span class="tag">VIP</span>');
    expect(page.text).toContain('Gifts this year: 0 of 1');
    expect(page.text).toContain('Taxi home');

    const given = await manager.post(`/console/patients/${patient.id}/perks`, { offer_id: perk.id });
    expect(given.status, given.text).toBe(303);
    expect(given.headers.get('location')).toMatch(/^\/console\/gifts\/vch_/);
    const perkRows = await env.DB.prepare('select count(*) as n from vip_perk_vouchers where patient_id = ?')
      .bind(patient.id)
      .first<{ n: number }>();
    expect(perkRows?.n).toBe(1);
    expect((await manager.get(`/console/patients/${patient.id}`)).text).toContain('Gifts this year: 0 of 1');

    const id = await availableDiscount(net, patient.id);
    const withReward = await manager.get(`/console/patients/${patient.id}`);
    expect(withReward.text).toContain('15% off');
    expect(withReward.text).toContain('waiting for a visit');
    const used = await manager.post(`/console/rewards/${id}/use`, { patient_id: patient.id });
    expect(used.status).toBe(303);
    expect(used.headers.get('location')).toBe(`/console/patients/${patient.id}?used=1#rewards`);
    const again = await manager.post(`/console/rewards/${id}/use`, { patient_id: patient.id });
    expect(again.headers.get('location')).toBe(`/console/patients/${patient.id}?error=reward_not_available`);

    const removed = await manager.post(`/console/patients/${patient.id}/vip`, { op: 'unmark' });
    expect((await manager.get(removed.headers.get('location')!)).text).toContain('The VIP mark is removed.');
  });

  it('front desk sees the badge and rewards but may not mark; a perk for a non-VIP is refused', async () => {
    const { api, net, patient, perk } = await scene(1);
    const desk = await session(api, net.clinic.id, 'front_desk');
    const page = await desk.get(`/console/patients/${patient.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Mark as VIP');
    expect((await desk.post(`/console/patients/${patient.id}/vip`, { op: 'mark' })).status).toBe(403);
    const perkRefused = await desk.post(`/console/patients/${patient.id}/perks`, { offer_id: perk.id });
    expect(perkRefused.headers.get('location')).toBe(`/console/patients/${patient.id}?error=not_a_vip_perk`);
  });
});

describe('Give a gift: the VIP limit', () => {
  it('shows the count and the limit before the pick, and refuses the gift over it', async () => {
    const { api, net, patient, offer } = await scene(1);
    await api.put(`/v1/patients/${patient.id}/vip`, { token: net.clinic.key, body: { reason: null } });
    const desk = await session(api, net.clinic.id, 'front_desk');
    const first = await desk.get(`/console/patients/${patient.id}/gift`);
    expect(first.status, first.text).toBe(200);
    expect(first.text).toContain('VIP: Dana M. has had 0 of 1 gifts this year');
    const give = () =>
      desk.post(`/console/patients/${patient.id}/gifts`, { offer_id: offer.id, expires_on: '2026-12-31' });
    expect((await give()).headers.get('location')).toMatch(/^\/console\/gifts\/vch_/);
    const refused = await give();
    expect(refused.headers.get('location')).toContain('error=gift_limit_reached');
    const page = await desk.get(refused.headers.get('location')!);
    expect(page.text).toContain(
      'Dana M. has had 1 of 1 gifts this year (VIP limit); the next can be given from 1 January 2027.',
    );
    expect(page.text).toContain('This patient has had all the gifts a VIP may be given this year.');
  });
});
