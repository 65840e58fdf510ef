import { env } from 'cloudflare:workers';
import { fixedClock } from '@gratia/core';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPatient,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's every-Nth-visit offers (owners and managers), the punch cards on the patient's page and
// the Reverse button on visits recorded within 24 hours (every clinic role).

async function scene() {
  const clock = fixedClock(T0);
  const api = createClient(clock);
  const net = await createNetwork(api);
  await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: 1000 });
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Petra' });
  const manager = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'manager' });
  const desk = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'front_desk' });
  return { api, clock, net, patient, manager, desk };
}

const count = async (query: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...params)
      .first<{ n: number }>()
  )?.n;

describe('console: every-Nth-visit offers', () => {
  it('starts an offer once, lists it, ends it; front desk is not let in', async () => {
    const { api, net, manager, desk } = await scene();
    const offer = await createOffer(api, net.partner.key, { title: 'Hand massage' });
    const blank = await manager.get('/console/offers/visit-rules');
    expect(blank.status).toBe(200);
    expect(blank.text).toContain('No offer yet.');
    expect(blank.text).toContain('Hand massage');
    const fields = {
      name: 'Fifth visit gift',
      every_visits: '5',
      window_days: '365',
      reward_kind: 'voucher',
      offer_id: offer.id,
      submission: 'visit-rule-submission-0001',
    };
    const saved = await manager.post('/console/offers/visit-rules', fields);
    expect(saved.status, saved.text).toBe(303);
    expect(saved.headers.get('location')).toBe('/console/offers/visit-rules?created=1');
    const again = await manager.post('/console/offers/visit-rules', fields);
    expect(again.headers.get('location')).toBe('/console/offers/visit-rules?created=1');
    expect(await count('select count(*) n from visit_rules where clinic_id = ?', net.clinic.id)).toBe(1);
    const list = await manager.get('/console/offers/visit-rules?created=1');
    expect(list.text).toContain('The offer is running.');
    expect(list.text).toContain('Fifth visit gift');
    expect(list.text).toContain('5th visit');
    expect(list.text).toContain('Gift: Hand massage');
    const id = /visit-rules\/(vrl_\w+)\/active/.exec(list.text)?.[1];
    const ended = await manager.post(`/console/offers/visit-rules/${id}/active`, { active: 'no' });
    expect(ended.headers.get('location')).toBe('/console/offers/visit-rules?ended=1');
    expect(await count('select count(*) n from visit_rules where active = 0 and id = ?', id)).toBe(1);

    const bad = await manager.post('/console/offers/visit-rules', {
      ...fields,
      every_visits: 'x',
      submission: '',
    });
    expect(bad.headers.get('location')).toBe('/console/offers/visit-rules?error=validation_failed');
    const tooFew = await manager.post('/console/offers/visit-rules', {
      ...fields,
      every_visits: '1',
      submission: 'visit-rule-submission-0002',
    });
    expect(tooFew.headers.get('location')).toBe('/console/offers/visit-rules?error=validation_failed');

    expect((await desk.get('/console/offers/visit-rules')).status).toBe(403);
    expect((await desk.post('/console/offers/visit-rules', fields)).status).toBe(403);
  });

  it('shows the punch card on the patient page, and the front desk reverses a visit once', async () => {
    const { api, clock, net, patient, manager, desk } = await scene();
    await manager.post('/console/offers/visit-rules', {
      name: 'Every 3rd',
      every_visits: '3',
      window_days: '',
      reward_kind: 'points',
      points: '250',
    });
    await recordVisit(api, net.clinic.key, patient.id, 2_000);
    const visit = await recordVisit(api, net.clinic.key, patient.id, 3_000);
    const page = await desk.get(`/console/patients/${patient.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Punch cards');
    expect(page.text).toContain('2 of 3 visits — the 3rd brings 250 bonus points');
    expect(page.text).toMatch(/<progress max="3" value="2" aria-labelledby="card-vrl_\w+">/);
    expect(page.text).toContain(`/console/patients/${patient.id}/visits/${visit.id}/reverse`);

    clock.advance(10 * 60_000);
    const form = { reason: 'Recorded twice', submission: 'reverse-submission-00001' };
    const reversed = await desk.post(`/console/patients/${patient.id}/visits/${visit.id}/reverse`, form);
    expect(reversed.status, reversed.text).toBe(303);
    expect(reversed.headers.get('location')).toBe(`/console/patients/${patient.id}?reversed=1#visit-rewards`);
    const replay = await desk.post(`/console/patients/${patient.id}/visits/${visit.id}/reverse`, form);
    expect(replay.headers.get('location')).toBe(reversed.headers.get('location'));
    expect(await count('select count(*) n from visit_reversals where visit_id = ?', visit.id)).toBe(1);
    const after = await desk.get(`/console/patients/${patient.id}?reversed=1`);
    expect(after.text).toContain('The visit is reversed');
    expect(after.text).toContain('1 of 3 visits');
    expect(after.text).not.toContain(`/visits/${visit.id}/reverse`);
    const twice = await desk.post(`/console/patients/${patient.id}/visits/${visit.id}/reverse`, {
      reason: 'again',
    });
    expect(twice.headers.get('location')).toBe(
      `/console/patients/${patient.id}?error=visit_already_reversed`,
    );
    const empty = await desk.post(`/console/patients/${patient.id}/visits/${visit.id}/reverse`, {
      reason: ' ',
    });
    expect(empty.headers.get('location')).toBe(
      `/console/patients/${patient.id}?error=validation_failed#visit-rewards`,
    );
    // Another clinic's staff cannot reverse it.
    const other = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    const refused = await other.post(`/console/patients/${patient.id}/visits/${visit.id}/reverse`, {
      reason: 'x',
    });
    expect(refused.headers.get('location')).toBe(`/console/patients/${patient.id}?error=visit_not_found`);
  });
});
