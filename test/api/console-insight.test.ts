import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createClient, T0 } from '../helpers/api';
import { createNetwork, createPatient } from '../helpers/factories';
import { seedInsight, seedMonth } from '../helpers/insight-seed';
import { staffSession } from '../helpers/staff';

// The console's Insight page (owners and managers) draws the distributions, the quadrant moves and
// the cohorts' engagement with the reports' Chart.js, each chart with its table; the Win-back page
// (every clinic role) lists who to call and records calls through the call list's form.

const session = (api: ReturnType<typeof createClient>, organizationId: string, role: any) =>
  staffSession(api, { organizationId, kind: 'clinic', role });

/** The JSON chart specs of a page, in order. */
const specsOf = (html: string) =>
  [...html.matchAll(/<script type="application\/json">(.*?)<\/script>/g)].map((m) => JSON.parse(m[1]!));

describe('Insight page', () => {
  it('shows the distributions, the moves and the cohorts as charts with their tables', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const [a, b, c] = [
      await createPatient(api, net.clinic.key),
      await createPatient(api, net.clinic.key),
      await createPatient(api, net.clinic.key),
    ];
    await seedInsight(net.clinic.id, a.id, { quadrant: 'apostle', abc_class: 'A', growth: 'rising' });
    await seedInsight(net.clinic.id, b.id, { quadrant: 'hostage', abc_class: 'B', growth: 'falling' });
    await seedInsight(net.clinic.id, c.id, { quadrant: 'defector', abc_class: 'C', win_back: true });
    await seedMonth(net.clinic.id, '2026-10', [
      ['quadrant', 'apostle', 2, 140],
      ['quadrant', 'hostage', 1, 50],
      ['cohort', '2026-06', 3, 180],
    ]);
    await seedMonth(net.clinic.id, '2026-11', [
      ['quadrant', 'apostle', 1, 70],
      ['quadrant', 'hostage', 1, 50],
      ['quadrant', 'defector', 1, 10],
      ['move', 'apostle>defector', 1],
      ['move', 'apostle>apostle', 1],
      ['cohort', '2026-06', 3, 130],
    ]);
    const owner = await session(api, net.clinic.id, 'owner');
    const page = await owner.get('/console/insight');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('<canvas');
    expect(page.text).toContain('/console/charts.js');
    expect(page.text).toContain('/console/chart.js');
    expect(page.text).toContain('Apostles</strong>: satisfied and loyal');
    expect(page.text).toContain('href="/console/segments"');
    expect(page.text).toContain('href="/console/insight/settings"');
    expect(page.text).toMatch(/<strong>1<\/strong> <a href="\/console\/win-back">on the win-back list/);
    expect(page.text).toContain('Moves from Oct 2026 to Nov 2026');
    expect(page.text).not.toContain('No survey answers yet');

    const specs = specsOf(page.text);
    const byType = (type: string) => specs.filter((s) => s.type === type);
    // A/B/C and growth bars, quadrants doughnut, stacked months, cohorts line.
    expect(specs[0]).toMatchObject({ type: 'bar', series: [{ values: [1, 1, 1, 0] }] });
    expect(byType('doughnut')[0]).toMatchObject({ series: [{ values: [1, 0, 1, 1, 0] }] });
    const stacked = specs.find((s) => s.stacked);
    expect(stacked.labels).toHaveLength(12);
    expect(stacked.series[0]).toMatchObject({ label: 'Apostles' });
    expect(stacked.series[0].values.slice(-2)).toEqual([2, 1]);
    const cohorts = byType('line')[0];
    expect(cohorts.series).toEqual([
      { label: 'Since Jun 2026', values: [...Array(10).fill(null), 60, 43.3] },
    ]);
    // The moves' table: from apostle, one stayed and one became a defector.
    const moves = page.text.slice(page.text.indexOf('Quadrant moves'));
    expect(moves).toMatch(/<th scope="row">Apostles<\/th><td class="num same">1<\/td><td class="num"><\/td>/);
  });

  it('says what to do while nothing is known yet', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const manager = await session(api, net.clinic.id, 'manager');
    const page = await manager.get('/console/insight');
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('No survey answers yet: send surveys from a patient&#39;s page.');
    expect(page.text).toContain('No monthly figures yet');
    expect(page.text).toContain('No cohorts yet');
    expect(page.text).not.toContain('<canvas');
  });

  it('refuses a range it cannot show, and front desk', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const owner = await session(api, net.clinic.id, 'owner');
    expect((await owner.get('/console/insight?from=2020-01&to=2026-11')).status).toBe(400);
    expect((await owner.get('/console/insight?from=2026-03&to=2026-05')).status).toBe(200);
    const desk = await session(api, net.clinic.id, 'front_desk');
    const refused = await desk.get('/console/insight');
    expect(refused.status).toBe(403);
    const today = await desk.get('/console');
    expect(today.text).toContain('href="/console/win-back"');
    expect(today.text).not.toContain('href="/console/insight"');
  });
});

describe('Win-back page', () => {
  it('lists who to win back, and records a call back to the list', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const overdue = await createPatient(api, net.clinic.key, {
      first_name: 'Wilma',
      phone: '+491701234567',
    });
    const dropped = await createPatient(api, net.clinic.key, { first_name: 'Walter' });
    const fine = await createPatient(api, net.clinic.key, { first_name: 'Frieda' });
    await seedInsight(net.clinic.id, overdue.id, {
      win_back: true,
      overdue_days: 42,
      usual_interval_days: 30,
      last_visit_at: T0 - 72 * 86_400_000,
      win_back_reason: 'Overdue: 42 days past their usual 30-day interval',
      engagement: 20,
      quadrant: 'defector',
    });
    await seedInsight(net.clinic.id, dropped.id, {
      win_back: true,
      win_back_reason: 'Engagement dropped from 80 to 35',
      engagement: 35,
      engagement_prev: 80,
    });
    await seedInsight(net.clinic.id, fine.id, { win_back: false });

    const desk = await session(api, net.clinic.id, 'front_desk');
    const page = await desk.get('/console/win-back');
    expect(page.status, page.text).toBe(200);
    const wilma = page.text.indexOf('Wilma');
    const walter = page.text.indexOf('Walter');
    expect(wilma).toBeGreaterThan(0);
    expect(walter).toBeGreaterThan(wilma);
    expect(page.text).not.toContain('Frieda');
    expect(page.text).toContain('Overdue: 42 days past their usual 30-day interval');
    expect(page.text).toContain('42 days overdue · usually every 30 days');
    expect(page.text).toContain('engagement 35 (was 80)');
    expect(page.text).toContain('Not called yet');
    expect(page.text).toContain('name="back" value="win-back"');

    const res = await desk.post('/console/calls', {
      patient_id: overdue.id,
      outcome: 'reached',
      note: 'Comes Friday',
      back: 'win-back',
    });
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/win-back?called=${overdue.id}#win-back-${overdue.id}`);
    const after = await desk.get(res.headers.get('location')!);
    expect(after.text).toContain('The call is recorded.');
    expect(after.text).toContain('Last call: <strong>Reached</strong>');
    expect(after.text).toContain('“Comes Friday”');

    // A refused call goes back to the list with the reason.
    const refused = await desk.post('/console/calls', {
      patient_id: 'pat_01JD0000000000000000000000',
      outcome: 'reached',
      back: 'win-back',
    });
    expect(refused.headers.get('location')).toBe('/console/win-back?error=patient_not_found');

    const theirs = await session(api, net.otherClinic.id, 'owner');
    const other = await theirs.get('/console/win-back');
    expect(other.status).toBe(200);
    expect(other.text).not.toContain('Wilma');
    expect(other.text).toContain('No one to win back');
  });

  it('pages the list, most overdue first', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    for (let i = 0; i < 26; i++) {
      const p = await createPatient(api, net.clinic.key, { first_name: `Pat${String(i).padStart(2, '0')}x` });
      await seedInsight(net.clinic.id, p.id, { win_back: true, overdue_days: 100 - i });
    }
    const owner = await session(api, net.clinic.id, 'owner');
    const first = await owner.get('/console/win-back');
    expect(first.text).toContain('Pat00x');
    expect(first.text).toContain('Pat24x');
    expect(first.text).not.toContain('Pat25x');
    const next = first.text.match(/href="(\/console\/win-back\?after=[^"]+)"/)?.[1];
    expect(next).toBeDefined();
    const second = await owner.get(next!.replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect(second.text).toContain('Pat25x');
    expect(second.text).not.toContain('Pat24x');
    expect(second.text).toContain('First page');
    // A cursor it did not give out shows the first page.
    const bogus = await owner.get('/console/win-back?after=nonsense');
    expect(bogus.status).toBe(200);
    expect(bogus.text).toContain('Pat00x');
  });
});

describe('Round trips', () => {
  it('each page costs the session check and one batch; the API reads one, months two', async () => {
    const api = createClient();
    const net = await createNetwork(api);
    const p = await createPatient(api, net.clinic.key);
    await seedInsight(net.clinic.id, p.id, { win_back: true, overdue_days: 3, quadrant: 'apostle' });
    await seedMonth(net.clinic.id, '2026-11', [['quadrant', 'apostle', 1, 50]]);
    const owner = await session(api, net.clinic.id, 'owner');
    const trips = async (path: string, headers: Record<string, string>) => {
      const res = await api.app.request(
        `https://gratia.test${path}`,
        { headers: { ...headers, 'x-debug-d1': '1' } },
        { ...env, EXPOSE_D1_METRICS: '1' },
      );
      const n = Number(/round_trips=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);
      return { path, status: res.status, trips: n };
    };
    for (const path of ['/console/insight', '/console/win-back'])
      expect(await trips(path, { cookie: owner.cookie })).toEqual({ path, status: 200, trips: 2 });
    const key = { authorization: `Bearer ${net.clinic.key}` };
    await trips('/v1/insight/summary', key); // the key's first use refreshes its last use
    // The key's check goes into the read's own batch...
    for (const path of ['/v1/insight/summary', '/v1/win_back'])
      expect(await trips(path, key)).toEqual({ path, status: 200, trips: 1 });
    // ...except where the clinic's timezone decides the default months (as the monthly report).
    const path = '/v1/insight/months';
    expect(await trips(path, key)).toEqual({ path, status: 200, trips: 2 });
  });
});
