import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, sha256Hex } from '@gratia/core';
import { keyLookup, principalFromKey } from '@gratia/db';
import { createPatientLink, submitSurvey } from '@gratia/insight';
import { describe, expect, it } from 'vitest';
import { type Client, createClient, T0 } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { createNetwork, createPatient, type Network } from '../helpers/factories';
import { describeSecurity, expectProblem } from '../helpers/security';
import { ORIGIN } from '../helpers/staff';

// Satisfaction surveys: a patient answers once on their survey link (a forged, expired or
// other-purpose link is not found), staff record answers given to them; NPS per month from the
// trigger's counts (promoters 9-10, passives 7-8, detractors 0-6); the answers listed by band and
// quotability; suggestions moved on the board (new → planned → implemented or declined, final).

const rows = async (sql: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, any>>()
  ).results;

/** A personal link of clinic `key`'s patient, made by the use case as the API would; its token. */
async function linkOf(
  api: Client,
  clinicKey: string,
  patientId: string,
  purpose: 'survey' | 'questionnaire' = 'survey',
  visitId?: string,
) {
  const deps = testDeps(api.clock);
  const [row] = await keyLookup(deps.db, { hash: await sha256Hex(clinicKey) });
  const out = await createPatientLink(deps, { clinic: principalFromKey(row!), patientId, purpose, visitId });
  if (!out.ok) throw new Error(out.error.code);
  const path = purpose === 'survey' ? '/s/' : '/q/';
  return { id: out.value.link.id, token: out.value.url.split(path)[1]! };
}

const answerPage = (api: Client, token: string, fields: Record<string, string>, origin = ORIGIN) =>
  api.post(`/s/${token}`, {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
  });

const record = (api: Client, key: string, patientId: string, body: Record<string, unknown>) =>
  api.post(`/v1/patients/${patientId}/survey_responses`, { token: key, body });

async function scene(clock = fixedClock(T0)) {
  const api = createClient(clock);
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Helga', last_name: 'Brandt' });
  return { api, net, patient };
}

describe('the patient’s survey link (/s/{token})', () => {
  it('shows the 0-10 question on a page for the patient, with the link page’s headers', async () => {
    const { api, net, patient } = await scene();
    const { token, id } = await linkOf(api, net.clinic.key, patient.id);
    const page = await api.get(`/s/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('How did we do, Helga?');
    expect(page.text).toMatch(/<legend>How likely are you to recommend .+ to a friend\?<\/legend>/);
    for (let n = 0; n <= 10; n++) expect(page.text).toContain(`name="score" value="${n}"`);
    expect(page.text).toContain('may quote my words with my first name');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const [link] = await rows('select opens from patient_links where id = ?', id);
    expect(link!.opens).toBe(1);
  });

  it('keeps one answer: the response, the suggestion, the link completed, the insight row and a patient audit entry', async () => {
    const { api, net, patient } = await scene();
    const { token, id } = await linkOf(api, net.clinic.key, patient.id);
    const res = await answerPage(api, token, {
      score: '9',
      improvement: '  Evening appointments ',
      recommendation: 'Kind and careful.',
      quote: 'yes',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Thank you!');
    const [svy, ...more] = await rows('select * from survey_responses where patient_id = ?', patient.id);
    expect(more).toEqual([]);
    expect(svy).toMatchObject({
      clinic_id: net.clinic.id,
      link_id: id,
      score: 9,
      improvement: 'Evening appointments',
      recommendation: 'Kind and careful.',
      quote_permission: 1,
      source: 'link',
      month: '2026-11',
      submitted_at: T0,
    });
    expect(
      await rows('select text, status, survey_response_id from suggestions where patient_id = ?', patient.id),
    ).toEqual([{ text: 'Evening appointments', status: 'new', survey_response_id: svy!.id }]);
    expect((await rows('select completed_at from patient_links where id = ?', id))[0]!.completed_at).toBe(T0);
    expect(
      await rows(
        'select survey_score, survey_at, survey_count from patient_insight where patient_id = ?',
        patient.id,
      ),
    ).toEqual([{ survey_score: 9, survey_at: T0, survey_count: 1 }]);
    const [audit] = await rows('select * from audit_events where subject_id = ?', svy!.id);
    expect(audit).toMatchObject({
      organization_id: net.clinic.id,
      actor_key_id: null,
      actor_staff_id: null,
      action: 'survey.answer',
      patient_id: patient.id,
    });
    expect(JSON.parse(audit!.detail)).toMatchObject({ actor: 'patient', score: 9 });
    // The clinic's audit trail names the patient as the actor.
    const trail = await api.get(`/v1/audit-events?patient_id=${patient.id}`, { token: net.clinic.key });
    expect(trail.body.data.find((e: any) => e.action === 'survey.answer').actor.kind).toBe('patient');
    expect(await rows('select * from clinic_month_nps where clinic_id = ?', net.clinic.id)).toEqual([
      expect.objectContaining({ month: '2026-11', responses: 1, promoters: 1, passives: 0, detractors: 0 }),
    ]);
  });

  it('takes one answer per link: a second is "already answered" and changes nothing', async () => {
    const { api, net, patient } = await scene();
    const { token } = await linkOf(api, net.clinic.key, patient.id);
    expect((await answerPage(api, token, { score: '3', improvement: 'Wait less' })).status).toBe(200);
    const again = await answerPage(api, token, { score: '10', improvement: 'Nothing' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('this survey has already been answered');
    expect(await rows('select score from survey_responses where patient_id = ?', patient.id)).toEqual([
      { score: 3 },
    ]);
    expect(await rows('select text from suggestions where patient_id = ?', patient.id)).toEqual([
      { text: 'Wait less' },
    ]);
    const page = await api.get(`/s/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('already been answered');
    expect(page.text).not.toContain('name="score"');
  });

  it('keeps one answer when two race (the batch guard, not the page)', async () => {
    const { api, net, patient } = await scene();
    const { token } = await linkOf(api, net.clinic.key, patient.id);
    const deps = testDeps(api.clock);
    const [a, b] = await Promise.all([
      submitSurvey(deps, { token, score: 8, quotePermission: false }),
      submitSurvey(deps, { token, score: 2, quotePermission: false }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = a.ok ? b : a;
    expect(!refused.ok && refused.error.code).toBe('survey_already_answered');
    expect(await rows('select count(*) as n from survey_responses where patient_id = ?', patient.id)).toEqual(
      [{ n: 1 }],
    );
    expect(
      (await rows('select responses from clinic_month_nps where clinic_id = ?', net.clinic.id))[0]!.responses,
    ).toBe(1);
  });

  it('refuses an expired, forged, altered or other-purpose link with a plain 404 page, writing nothing', async () => {
    const clock = fixedClock(T0);
    const { api, net, patient } = await scene(clock);
    const { token } = await linkOf(api, net.clinic.key, patient.id);
    const questionnaire = await linkOf(api, net.clinic.key, patient.id, 'questionnaire');
    const [id, sig] = token.split('.') as [string, string];
    const forged = [
      `${id}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`,
      `${id}`,
      'nonsense',
      questionnaire.token,
    ];
    for (const t of forged) {
      const page = await api.get(`/s/${encodeURIComponent(t)}`);
      expect(page.status, t).toBe(404);
      expect(page.text).toContain('This link is not valid');
      expect((await answerPage(api, encodeURIComponent(t), { score: '5' })).status).toBe(404);
    }
    // Another patient's link is theirs alone: the answer lands on the link's patient, never another.
    const other = await createPatient(api, net.clinic.key, { first_name: 'Otto' });
    const theirs = await linkOf(api, net.clinic.key, other.id);
    expect((await api.get(`/s/${theirs.token}`)).text).toContain('How did we do, Otto?');
    // Expired: 14 days.
    const late = createClient(fixedClock(T0 + 14 * DAY_MS + 1));
    expect((await late.get(`/s/${token}`)).status).toBe(404);
    expect((await answerPage(late, token, { score: '5' })).status).toBe(404);
    expect(await rows('select count(*) as n from survey_responses where patient_id = ?', patient.id)).toEqual(
      [{ n: 0 }],
    );
  });

  it('refuses a post from another origin, and asks again for a missing score', async () => {
    const { api, net, patient } = await scene();
    const { token } = await linkOf(api, net.clinic.key, patient.id);
    expect((await answerPage(api, token, { score: '7' }, 'https://evil.test')).status).toBe(403);
    const missing = await answerPage(api, token, { improvement: 'Parking' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Choose a number from 0 to 10.');
    expect(missing.text).toContain('Parking');
    expect((await answerPage(api, token, { score: '11' })).status).toBe(400);
    expect(await rows('select count(*) as n from survey_responses where patient_id = ?', patient.id)).toEqual(
      [{ n: 0 }],
    );
  });

  it('tells the patient on a survey link when their suggestion was implemented', async () => {
    const { api, net, patient } = await scene();
    const first = await linkOf(api, net.clinic.key, patient.id);
    await answerPage(api, first.token, { score: '6', improvement: 'Open on Saturdays' });
    const [sug] = await rows('select id from suggestions where patient_id = ?', patient.id);
    const moved = await api.patch(`/v1/suggestions/${sug!.id}`, {
      token: net.clinic.key,
      body: { status: 'implemented', reply: 'We open Saturdays from 10.' },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.notified_at).toBeNull();
    const next = await linkOf(api, net.clinic.key, patient.id);
    const page = await api.get(`/s/${next.token}`);
    expect(page.text).toContain('You suggested “Open on Saturdays”: we did it. We open Saturdays from 10.');
    expect((await api.get(`/s/${first.token}`)).text).toContain('we did it');
  });
});

describe('POST /v1/patients/{id}/survey_responses', () => {
  it('records an answer given to staff, with the key as the actor', async () => {
    const { api, net, patient } = await scene();
    const res = await record(api, net.clinic.key, patient.id, {
      score: 4,
      improvement: 'Shorter waits',
      recommendation: 'Nice staff',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^svy_/),
      patient_id: patient.id,
      link_id: null,
      score: 4,
      band: 'detractor',
      improvement: 'Shorter waits',
      recommendation: 'Nice staff',
      quote_permission: false,
      source: 'api',
      month: '2026-11',
      submitted_at: new Date(T0).toISOString(),
      suggestion_id: expect.stringMatching(/^sug_/),
    });
    const [audit] = await rows('select * from audit_events where subject_id = ?', res.body.id);
    expect(audit).toMatchObject({ action: 'survey.record', actor_key_id: net.clinic.keyId });
    const without = await record(api, net.clinic.key, patient.id, { score: 10, improvement: '   ' });
    expect(without.body.suggestion_id).toBeNull();
    expect(without.body.improvement).toBeNull();
  });

  it('refuses a score outside 0-10 (400) and an unknown patient (404)', async () => {
    const { api, net, patient } = await scene();
    for (const score of [-1, 11, 5.5, '7'])
      expectProblem(await record(api, net.clinic.key, patient.id, { score }), 400, 'validation_failed');
    expectProblem(
      await record(api, net.clinic.key, 'pat_01JD0000000000000000000000', { score: 5 }),
      404,
      'patient_not_found',
    );
    expect(await rows('select count(*) as n from survey_responses where patient_id = ?', patient.id)).toEqual(
      [{ n: 0 }],
    );
  });

  describeSecurity('POST /v1/patients/{id}/survey_responses', {
    method: 'POST',
    roles: ['clinic'],
    setup: (api, net) => createPatient(api, net.clinic.key),
    path: (p) => `/v1/patients/${p.id}/survey_responses`,
    body: () => ({ score: 8 }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'patient_not_found',
  });
});

/** Answers with the given scores, recorded for fresh patients of the clinic at the client's clock. */
async function answers(api: Client, net: Network, scores: number[], extra: Record<string, unknown> = {}) {
  for (const score of scores) {
    const p = await createPatient(api, net.clinic.key);
    const res = await record(api, net.clinic.key, p.id, { score, ...extra });
    expect(res.status, res.text).toBe(201);
  }
}

describe('GET /v1/nps', () => {
  it('counts promoters (9-10), passives (7-8) and detractors (0-6) per month, and over the range', async () => {
    const clock = fixedClock(Date.parse('2026-10-15T10:00:00Z'));
    const api = createClient(clock);
    const net = await createNetwork(api);
    // October: the boundaries. 2 promoters, 2 passives, 3 detractors: (2 - 3) / 7 = -14.29 → -14.
    await answers(api, net, [10, 9, 8, 7, 6, 0, 5]);
    // November (Berlin time: 23:30 UTC on 31 October is already November there).
    const nov = createClient(fixedClock(Date.parse('2026-10-31T23:30:00Z')));
    await answers(nov, net, [9, 9, 9, 6]);
    const res = await api.get('/v1/nps?from=2026-09&to=2026-11', { token: net.clinic.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.timezone).toBe('Europe/Berlin');
    expect(res.body.months).toEqual([
      { month: '2026-09', responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null, average: null },
      { month: '2026-10', responses: 7, promoters: 2, passives: 2, detractors: 3, nps: -14, average: 6.4 },
      { month: '2026-11', responses: 4, promoters: 3, passives: 0, detractors: 1, nps: 50, average: 8.3 },
    ]);
    // 5 promoters, 4 detractors of 11: 9.09 → 9.
    expect(res.body.total).toEqual({
      responses: 11,
      promoters: 5,
      passives: 2,
      detractors: 4,
      nps: 9,
      average: 7.1,
    });
    // Another clinic sees none of it.
    const theirs = await api.get('/v1/nps?from=2026-10&to=2026-10', { token: net.otherClinic.key });
    expect(theirs.body.total.responses).toBe(0);
  });

  it('defaults to the twelve months up to this one, and refuses a range that is not one', async () => {
    const { api, net } = await scene();
    const res = await api.get('/v1/nps', { token: net.clinic.key });
    expect(res.body.from).toBe('2025-12');
    expect(res.body.to).toBe('2026-11');
    expect(res.body.months).toHaveLength(12);
    for (const q of ['from=2026-11&to=2026-10', 'from=2026-13', 'to=nope', 'from=2020-01&to=2026-01'])
      expectProblem(await api.get(`/v1/nps?${q}`, { token: net.clinic.key }), 400, 'validation_failed');
  });

  describeSecurity('GET /v1/nps', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/nps',
  });
});

describe('GET /v1/survey_responses', () => {
  it('lists answers newest first, by band, only the quotable on request, page by page', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    await answers(api, net, [10], { recommendation: 'Lovely', quote_permission: true });
    clock.advance(1000);
    await answers(api, net, [8], { recommendation: 'Fine, do not quote me' });
    clock.advance(1000);
    await answers(api, net, [2]);
    // Its own millisecond: within one, the order of two answers is their random ids'.
    clock.advance(1000);
    await answers(api, net, [6]);
    const all = await api.get('/v1/survey_responses', { token: net.clinic.key });
    expect(all.status, all.text).toBe(200);
    expect(all.body.data.map((r: any) => r.score)).toEqual([6, 2, 8, 10]);
    const band = async (b: string) =>
      (await api.get(`/v1/survey_responses?band=${b}`, { token: net.clinic.key })).body.data.map(
        (r: any) => r.score,
      );
    expect(await band('promoter')).toEqual([10]);
    expect(await band('passive')).toEqual([8]);
    expect(await band('detractor')).toEqual([6, 2]);
    const quotable = await api.get('/v1/survey_responses?quotable=true', { token: net.clinic.key });
    expect(quotable.body.data.map((r: any) => r.recommendation)).toEqual(['Lovely']);
    const first = await api.get('/v1/survey_responses?limit=3', { token: net.clinic.key });
    expect(first.body.data).toHaveLength(3);
    const rest = await api.get(`/v1/survey_responses?limit=3&cursor=${first.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(rest.body.data.map((r: any) => r.score)).toEqual([10]);
    expect(rest.body.next_cursor).toBeNull();
    expect((await api.get('/v1/survey_responses', { token: net.otherClinic.key })).body.data).toEqual([]);
    expectProblem(
      await api.get('/v1/survey_responses?cursor=bad', { token: net.clinic.key }),
      400,
      'invalid_cursor',
    );
    expectProblem(
      await api.get('/v1/survey_responses?band=fan', { token: net.clinic.key }),
      400,
      'validation_failed',
    );
  });

  describeSecurity('GET /v1/survey_responses', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/survey_responses',
  });
});

async function suggestionOf(api: Client, net: Network, text = 'More parking') {
  const p = await createPatient(api, net.clinic.key);
  const res = await record(api, net.clinic.key, p.id, { score: 5, improvement: text });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.suggestion_id as string, patientId: p.id };
}

describe('suggestions', () => {
  const move = (api: Client, key: string, id: string, body: Record<string, unknown>) =>
    api.patch(`/v1/suggestions/${id}`, { token: key, body });

  it('moves new → planned → implemented with a reply and an audit entry each; final states stay', async () => {
    const { api, net } = await scene();
    const s = await suggestionOf(api, net);
    const planned = await move(api, net.clinic.key, s.id, { status: 'planned' });
    expect(planned.status, planned.text).toBe(200);
    expect(planned.body).toMatchObject({ id: s.id, status: 'planned', reply: null, text: 'More parking' });
    expectProblem(await move(api, net.clinic.key, s.id, { status: 'planned' }), 409, 'invalid_transition');
    const done = await move(api, net.clinic.key, s.id, { status: 'implemented', reply: 'Ten new spaces.' });
    expect(done.body).toMatchObject({ status: 'implemented', reply: 'Ten new spaces.', notified_at: null });
    for (const status of ['declined', 'planned', 'implemented'])
      expectProblem(await move(api, net.clinic.key, s.id, { status }), 409, 'invalid_transition');
    const trail = await rows(
      'select action, detail, patient_id, actor_key_id from audit_events where subject_id = ? order by rowid',
      s.id,
    );
    expect(trail).toEqual([
      {
        action: 'suggestion.move',
        detail: JSON.stringify({ from: 'new', to: 'planned' }),
        patient_id: s.patientId,
        actor_key_id: net.clinic.keyId,
      },
      {
        action: 'suggestion.move',
        detail: JSON.stringify({ from: 'planned', to: 'implemented' }),
        patient_id: s.patientId,
        actor_key_id: net.clinic.keyId,
      },
    ]);
    const declined = await suggestionOf(api, net, 'Music');
    expect((await move(api, net.clinic.key, declined.id, { status: 'declined' })).body.status).toBe(
      'declined',
    );
    expectProblem(
      await move(api, net.clinic.key, declined.id, { status: 'implemented' }),
      409,
      'invalid_transition',
    );
  });

  it('refuses an unknown status (400), another clinic’s or no suggestion (404)', async () => {
    const { api, net } = await scene();
    const s = await suggestionOf(api, net);
    expectProblem(await move(api, net.clinic.key, s.id, { status: 'new' }), 400, 'validation_failed');
    expectProblem(await move(api, net.clinic.key, s.id, {}), 400, 'validation_failed');
    expectProblem(
      await move(api, net.otherClinic.key, s.id, { status: 'planned' }),
      404,
      'suggestion_not_found',
    );
    expectProblem(
      await move(api, net.clinic.key, 'sug_01JD0000000000000000000000', { status: 'planned' }),
      404,
      'suggestion_not_found',
    );
    expect((await rows('select status from suggestions where id = ?', s.id))[0]!.status).toBe('new');
  });

  it('lists the board newest first, by status', async () => {
    const clock = fixedClock(T0);
    const api = createClient(clock);
    const net = await createNetwork(api);
    const a = await suggestionOf(api, net, 'A');
    clock.advance(1000);
    await suggestionOf(api, net, 'B');
    await move(api, net.clinic.key, a.id, { status: 'planned' });
    const all = await api.get('/v1/suggestions', { token: net.clinic.key });
    expect(all.body.data.map((s: any) => s.text)).toEqual(['B', 'A']);
    const planned = await api.get('/v1/suggestions?status=planned', { token: net.clinic.key });
    expect(planned.body.data.map((s: any) => s.text)).toEqual(['A']);
    const paged = await api.get('/v1/suggestions?limit=1', { token: net.clinic.key });
    const next = await api.get(`/v1/suggestions?limit=1&cursor=${paged.body.next_cursor}`, {
      token: net.clinic.key,
    });
    expect(next.body.data.map((s: any) => s.text)).toEqual(['A']);
    expect((await api.get('/v1/suggestions', { token: net.otherClinic.key })).body.data).toEqual([]);
  });

  describeSecurity('GET /v1/suggestions', {
    method: 'GET',
    roles: ['clinic'],
    setup: async () => ({}),
    path: () => '/v1/suggestions',
  });
  describeSecurity('PATCH /v1/suggestions/{id}', {
    method: 'PATCH',
    roles: ['clinic'],
    setup: (api, net) => suggestionOf(api, net),
    path: (s) => `/v1/suggestions/${s.id}`,
    body: () => ({ status: 'planned' }),
    otherTenant: (net) => net.otherClinic.key,
    otherTenantCode: 'suggestion_not_found',
  });
});
