import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import {
  createNetwork,
  createPatient,
  type Network,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's Feedback page (owners and managers): NPS per month drawn by the reports' chart library
// with its table, the latest answers with the quotable words marked, and the suggestions board whose
// forms move a suggestion; and asking a patient for feedback from their page (after a visit, or not).

const rows = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, any>>()
  ).results;

async function scene() {
  const api = createClient();
  const net = await createNetwork(api);
  const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
  return { api, net, owner };
}

async function answer(api: Client, net: Network, score: number, body: Record<string, unknown> = {}) {
  const p = await createPatient(api, net.clinic.key, { first_name: `Pat${score}`, last_name: 'Ient' });
  const res = await api.post(`/v1/patients/${p.id}/survey_responses`, {
    token: net.clinic.key,
    body: { score, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('Feedback', () => {
  it('shows this month’s NPS, the chart with its table, the latest answers and the board', async () => {
    const { api, net, owner } = await scene();
    await answer(api, net, 10, { recommendation: 'Wonderful team', quote_permission: true });
    await answer(api, net, 3, { improvement: 'Shorter waits', recommendation: 'Ok I guess' });
    const page = await owner.get('/console/feedback');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('NPS this month <strong>0</strong>');
    expect(page.text).toContain('<figure data-chart="">');
    expect(page.text).toContain('<script src="/console/charts.js" defer="">');
    expect(page.text).toContain('<th scope="row">Nov 2026</th>');
    expect(page.text).toContain('Wonderful team<span class="tag">May be quoted</span>');
    expect(page.text).toContain('(not to be quoted)');
    expect(page.text).toContain('“Shorter waits”');
    expect(page.text).toContain('New (1)');
    // Another clinic's owner sees none of it.
    const other = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    const theirs = await other.get('/console/feedback');
    expect(theirs.text).not.toContain('Shorter waits');
    expect(theirs.text).toContain('NPS this month <strong>–</strong>');
  });

  it('moves a suggestion with a reply, once per submission, and refuses a final state', async () => {
    const { api, net, owner } = await scene();
    const a = await answer(api, net, 5, { improvement: 'Evening hours' });
    const fields = { status: 'implemented', reply: 'Open till 8', submission: 'feedback-move-key-00001' };
    const moved = await owner.post(`/console/feedback/suggestions/${a.suggestion_id}`, fields);
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe('/console/feedback?moved=1#board');
    expect((await owner.post(`/console/feedback/suggestions/${a.suggestion_id}`, fields)).status).toBe(303);
    expect(await rows('select status, reply from suggestions where id = ?', a.suggestion_id)).toEqual([
      { status: 'implemented', reply: 'Open till 8' },
    ]);
    const audit = await rows(
      "select actor_staff_id from audit_events where action = 'suggestion.move' and subject_id = ?",
      a.suggestion_id,
    );
    expect(audit).toEqual([{ actor_staff_id: owner.staffId }]);
    const page = await owner.get('/console/feedback?moved=1');
    expect(page.text).toContain('The suggestion is moved.');
    expect(page.text).toContain('Implemented (1)');
    expect(page.text).toContain('the message to them is not sent yet');
    const again = await owner.post(`/console/feedback/suggestions/${a.suggestion_id}`, {
      status: 'declined',
    });
    expect(again.headers.get('location')).toBe('/console/feedback?error=invalid_transition');
    const bad = await owner.post(`/console/feedback/suggestions/${a.suggestion_id}`, { status: 'new' });
    expect(bad.headers.get('location')).toBe('/console/feedback?error=validation_failed#board');
    const ghost = await owner.post('/console/feedback/suggestions/sug_01JD0000000000000000000000', {
      status: 'planned',
    });
    expect(ghost.headers.get('location')).toBe('/console/feedback?error=suggestion_not_found');
  });

  it('is for owners and managers', async () => {
    const { api, net } = await scene();
    const manager = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'manager',
    });
    expect((await manager.get('/console/feedback')).status).toBe(200);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/feedback')).status).toBe(403);
    const a = await answer(api, net, 5, { improvement: 'Coffee' });
    expect(
      (await desk.post(`/console/feedback/suggestions/${a.suggestion_id}`, { status: 'planned' })).status,
    ).toBe(403);
    expect((await rows('select status from suggestions where id = ?', a.suggestion_id))[0]!.status).toBe(
      'new',
    );
    expect((await api.get('/console/feedback')).status).toBe(401);
  });
});

describe('asking for feedback from the patient’s page', () => {
  it('offers a survey link after a paid visit: one per visit, shown to copy', async () => {
    const { api, net } = await scene();
    await setLoyaltyProgram(api, net.clinic.key);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const patient = await createPatient(api, net.clinic.key, { first_name: 'Vera', last_name: 'Visit' });
    const visit = await recordVisit(api, net.clinic.key, patient.id, 9_000);
    const page = await desk.get(`/console/patients/${patient.id}?visit=${visit.id}`);
    expect(page.text).toContain('Ask for feedback: survey link');
    expect(page.text).toContain(`name="visit_id" value="${visit.id}"`);
    expect(page.text).toContain('Send a survey');
    const made = await desk.post(`/console/patients/${patient.id}/survey-link`, { visit_id: visit.id });
    expect(made.status).toBe(303);
    const location = made.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/console/patients/${patient.id}/survey-links/lnk_\\w+$`));
    const again = await desk.post(`/console/patients/${patient.id}/survey-link`, { visit_id: visit.id });
    expect(again.headers.get('location')).toBe(location);
    const linkPage = await desk.get(location);
    expect(linkPage.status).toBe(200);
    const url = /id="survey-link" class="code" readonly="" value="([^"]+)"/.exec(linkPage.text)?.[1];
    expect(url).toMatch(/^https:\/\/gratia\.test\/s\/lnk_\w+\.[\w-]+$/);
    expect(linkPage.text).toContain('About the visit just recorded.');
    // The patient opens it.
    const survey = await api.get(new URL(url!).pathname);
    expect(survey.text).toContain('How did we do, Vera?');
    expect(await rows('select visit_id from patient_links where patient_id = ?', patient.id)).toEqual([
      { visit_id: visit.id },
    ]);
    // Not tied to a visit: a new link each time.
    const loose = await desk.post(`/console/patients/${patient.id}/survey-link`);
    expect(loose.headers.get('location')).not.toBe(location);
  });

  it('refuses another clinic’s patient or visit, and shows no other clinic’s link', async () => {
    const { api, net } = await scene();
    await setLoyaltyProgram(api, net.clinic.key);
    const mine = await createPatient(api, net.clinic.key);
    const theirs = await createPatient(api, net.otherClinic.key);
    await setLoyaltyProgram(api, net.otherClinic.key);
    const theirVisit = await recordVisit(api, net.otherClinic.key, theirs.id, 5_000);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const other = await desk.post(`/console/patients/${theirs.id}/survey-link`);
    expect(other.headers.get('location')).toBe(`/console/patients/${theirs.id}?error=patient_not_found`);
    const squat = await desk.post(`/console/patients/${mine.id}/survey-link`, { visit_id: theirVisit.id });
    expect(squat.headers.get('location')).toBe(`/console/patients/${mine.id}?error=patient_not_found`);
    expect(
      await rows('select count(*) as n from patient_links where patient_id in (?, ?)', mine.id, theirs.id),
    ).toEqual([{ n: 0 }]);
    const made = await desk.post(`/console/patients/${mine.id}/survey-link`);
    const location = made.headers.get('location')!;
    const otherDesk = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await otherDesk.get(location)).status).toBe(404);
    expect((await desk.get(location.replace(mine.id, theirs.id))).status).toBe(404);
  });
});
