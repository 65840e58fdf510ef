import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import {
  createNetwork,
  createOffer,
  createPartner,
  createPatient,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// "Give a gift" with what fits first: the "Suggested for <name>" section comes before the catalogue,
// the matching partner's offer first with its reason and a one-click choose; and the patient page's
// next reward goal as a progress bar.

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const tag = Math.random().toString(36).slice(2, 8).replace(/\d/g, 'k');
  const branch = await api.post('/v1/branches', {
    token: net.clinic.key,
    body: { name: 'Downtown', latitude: 52.52, longitude: 13.405 },
  });
  await api.put('/v1/location', { token: net.partner.key, body: { latitude: 52.538, longitude: 13.405 } });
  const far = await createPartner(api, { name: `Far Spa ${tag}`, category: 'massage' });
  await api.put('/v1/location', { token: far.key, body: { latitude: 52.4, longitude: 13.05 } });
  const near = await createOffer(api, net.partner.key, { title: `Near massage ${tag}` });
  const farOffer = await createOffer(api, far.key, { title: `Far massage ${tag}` });
  const portrait = await createOffer(api, net.otherPartner.key, {
    title: `Portrait ${tag}`,
    category: 'photography',
  });
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Lena' });
  await env.DB.prepare(
    `insert into patient_insight (patient_id, clinic_id, categories, preferred_branch_id, refreshed_at)
     values (?, ?, '["massage"]', ?, ?)
     on conflict (patient_id) do update set categories = excluded.categories,
       preferred_branch_id = excluded.preferred_branch_id`,
  )
    .bind(patient.id, net.clinic.id, branch.body.id, T0)
    .run();
  const desk = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'front_desk' });
  return { api, net, patient, near, farOffer, portrait, desk };
}

describe('console: gift suggestions on "Give a gift"', () => {
  it('shows "Suggested for <first name>" first, the matching offer nearby first with its reason, one click to choose', async () => {
    const { patient, near, farOffer, desk } = await scene();
    const res = await desk.get(`/console/patients/${patient.id}/gift`);
    expect(res.status).toBe(200);
    const page = res.text;
    const suggested = page.indexOf('Suggested for Lena');
    expect(suggested).toBeGreaterThan(0);
    expect(suggested).toBeLessThan(page.indexOf('The network&#39;s catalogue'));
    const section = page.slice(suggested, page.indexOf('</section>', suggested));
    expect(section.indexOf(near.title)).toBeGreaterThan(0);
    expect(section.indexOf(near.title)).toBeLessThan(section.indexOf(farOffer.title));
    expect(section).toContain('likes massage; 2 km from the Downtown branch');
    const choose = `href="/console/patients/${patient.id}/gift?offer=${near.id}#issue-form"`;
    expect(section).toContain(choose);
    // The choice opens the same issue form as the catalogue's.
    const chosen = await desk.get(`/console/patients/${patient.id}/gift?offer=${near.id}`);
    expect(chosen.text).toContain(`name="offer_id" value="${near.id}"`);
  });

  it('leaves out what the patient was given, once given from the page', async () => {
    const { patient, near, desk } = await scene();
    const given = await desk.post(`/console/patients/${patient.id}/gifts`, {
      offer_id: near.id,
      expires_on: '2026-12-01',
    });
    expect(given.status, given.text).toBe(303);
    const page = (await desk.get(`/console/patients/${patient.id}/gift`)).text;
    const suggested = page.indexOf('Suggested for Lena');
    const section = page.slice(suggested, page.indexOf('</section>', suggested));
    expect(section).not.toContain(near.title);
  });
});

describe('console: the next reward goal on the patient page', () => {
  it('shows the next discount tier as a progress bar with what is left to spend', async () => {
    const { api, net, patient, desk } = await scene();
    await setLoyaltyProgram(api, net.clinic.key, {
      discount_tiers: [{ min_lifetime_spend: { amount: 100_000, currency: 'EUR' }, discount_bps: 500 }],
    });
    await recordVisit(api, net.clinic.key, patient.id, 25_000);
    const page = (await desk.get(`/console/patients/${patient.id}`)).text;
    expect(page).toContain('Next reward goal');
    expect(page).toContain('5% discount tier: €250.00 of €1,000.00 spent');
    expect(page).toMatch(/<progress id="tier-progress" max="100" value="25">25%<\/progress>/);
    expect(page).toContain('€750.00 more to spend for Lena');
    await recordVisit(api, net.clinic.key, patient.id, 80_000);
    const top = (await desk.get(`/console/patients/${patient.id}`)).text;
    expect(top).toContain('Lena has reached the top discount tier.');
  });
});
