import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Client, createClient } from '../helpers/api';
import { counter, signIn } from '../helpers/counter';
import {
  createPointsScene,
  createStoredValueScene,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The query plans of the hot paths: every statement a hot request sends to D1 is captured and run
// through EXPLAIN QUERY PLAN with its own parameters. None may scan a table that grows with the
// network (a plain SCAN reads every row): each reads through an index, so its rows follow what it
// returns, not the size of the data. A new query on a hot path is checked without anyone listing it.

/** Tables whose rows grow with patients, vouchers, visits and spends. */
const GROWING = [
  'patients',
  'patient_search_terms',
  'consent_events',
  'vouchers',
  'redemptions',
  'voucher_reversals',
  'visits',
  'point_accounts',
  'point_entries',
  'point_lots',
  'point_redemptions',
  'point_redemption_lots',
  'point_reversals',
  'settlement_lines',
  'settlement_totals',
  'idempotency_keys',
  'abuse_counters',
  'page_sessions',
  'api_keys',
  'organizations',
  'call_outcomes',
  'audit_events',
  'staff_members',
  'staff_invitations',
  'staff_passkeys',
  'loyalty_programs',
  'clinic_month_figures',
  'clinic_month_patients',
  'timezone_months',
];

const SHOW = false;
type Captured = { sql: string; params: unknown[] };

/** The real D1 binding, recording every statement with its parameters. */
function recordingD1(log: Captured[]): D1Database {
  const real = env.DB;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'prepare')
        return (sql: string) => {
          const st = real.prepare(sql);
          const bind = st.bind.bind(st);
          log.push({ sql, params: [] });
          const entry = log[log.length - 1]!;
          return Object.assign(st, {
            bind: (...params: unknown[]) => {
              entry.params = params;
              return bind(...params);
            },
          });
        };
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

async function plansOf(
  api: Client,
  init: { path: string; method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
) {
  const log: Captured[] = [];
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await api.app.request(
    `https://gratia.test${init.path}`,
    {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    },
    { ...env, DB: recordingD1(log) },
  );
  expect(res.status, `${init.path}: ${await res.clone().text()}`).toBeLessThan(300);
  const plans: { sql: string; detail: string }[] = [];
  for (const q of log) {
    const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    for (const r of rows.results) plans.push({ sql: q.sql, detail: r.detail });
  }
  return plans;
}

/** The table each name of a statement stands for: tables by their own name and by their aliases. */
function tablesOf(sql: string): Map<string, string> {
  const names = new Map<string, string>();
  const KEYWORDS = /^(where|on|left|inner|join|using|order|group|limit|set|values|select|and|or)$/i;
  for (const m of sql.matchAll(/\b(?:from|join|into|update)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    const table = m[1]!;
    names.set(table, table);
    if (m[2] && !KEYWORDS.test(m[2])) names.set(m[2], table);
  }
  return names;
}

/**
 * Plan lines that read a whole growing table: a SCAN of it, with or without an index (a full index
 * scan reads every entry too). Derived tables and subqueries (bounded by their own LIMIT) and the
 * small tables (settings, periods, programmes) may be scanned.
 */
function fullScans(plans: { sql: string; detail: string }[]) {
  return plans.filter(({ sql, detail }) => {
    const m = /^SCAN (\w+)/.exec(detail);
    if (!m) return false;
    const table = tablesOf(sql).get(m[1]!) ?? m[1]!;
    return table !== undefined && GROWING.includes(table);
  });
}

describe('query plans of the hot paths', () => {
  it('read every growing table through an index', { timeout: 30_000 }, async () => {
    const api = createClient();
    const { net, voucher, patient } = await createStoredValueScene(api);
    const points = await createPointsScene(api, {}, net);
    await recordVisit(api, net.clinic.key, points.patient.id, 20_000);
    const spend = await api.post('/v1/points/redemptions', {
      token: net.partner.key,
      body: { card_number: points.patient.card_number, points: 10 },
    });
    const call = await api.post(`/v1/patients/${points.patient.id}/call_outcomes`, {
      token: net.clinic.key,
      body: { outcome: 'no_answer' },
    });
    await api.post(`/v1/patients/${points.patient.id}/call_outcomes`, {
      token: net.clinic.key,
      body: { outcome: 'left_message' },
    });
    for (let i = 0; i < 2; i++)
      await api.post('/v1/redemptions', {
        token: net.partner.key,
        body: { token: voucher.token, amount: { amount: 100, currency: 'EUR' } },
      });
    const redemptionsPage = await api.get('/v1/redemptions?limit=1', { token: net.clinic.key });
    const callsPage = await api.get(`/v1/patients/${points.patient.id}/call_outcomes?limit=1`, {
      token: net.clinic.key,
    });
    expect([call.status, redemptionsPage.body.next_cursor, callsPage.body.next_cursor]).toEqual([
      201,
      expect.any(String),
      expect.any(String),
    ]);
    const { cookie } = await signIn(api, net.partner.key);
    expect((await counter(api, cookie)).res.status).toBe(200);
    const trail = await api.get('/v1/audit-events?limit=1', { token: net.clinic.key });
    expect(trail.body.next_cursor).toBeTruthy();
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    const consoleCookie = { cookie: desk.cookie };
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
    await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: 700 });

    const hot = {
      verify: {
        path: '/v1/vouchers/verify',
        method: 'POST',
        token: net.partner.key,
        body: { token: voucher.token },
      },
      redeem: {
        path: '/v1/redemptions',
        method: 'POST',
        token: net.partner.key,
        body: { token: voucher.token, amount: { amount: 100, currency: 'EUR' } },
      },
      link: { path: `/r/${voucher.token}` },
      counterPage: { path: '/partner', headers: { cookie } },
      visit: {
        path: '/v1/visits',
        method: 'POST',
        token: net.clinic.key,
        body: { patient_id: points.patient.id, amount: { amount: 5_000, currency: 'EUR' } },
      },
      balance: { path: `/v1/patients/${points.patient.id}/points`, token: net.clinic.key },
      spend: {
        path: '/v1/points/redemptions',
        method: 'POST',
        token: net.partner.key,
        body: { card_number: points.patient.card_number, points: 5 },
      },
      reverseSpend: {
        path: `/v1/points/redemptions/${spend.body.id}/reversal`,
        method: 'POST',
        token: net.partner.key,
      },
      statement: { path: `/v1/patients/${points.patient.id}/points/entries?limit=50`, token: net.clinic.key },
      callList: { path: '/v1/points/expiring?within_days=365', token: net.clinic.key },
      callListFlagged: {
        path: '/v1/points/expiring?within_days=365&do_not_call=include',
        token: net.clinic.key,
      },
      recordCall: {
        path: `/v1/patients/${points.patient.id}/call_outcomes`,
        method: 'POST',
        token: net.clinic.key,
        body: { outcome: 'reached', note: 'Booked a visit' },
      },
      calls: { path: `/v1/patients/${points.patient.id}/call_outcomes`, token: net.clinic.key },
      callsNextPage: {
        path: `/v1/patients/${points.patient.id}/call_outcomes?limit=1&cursor=${callsPage.body.next_cursor}`,
        token: net.clinic.key,
      },
      redemptions: { path: '/v1/redemptions', token: net.clinic.key },
      redemptionsNextPage: {
        path: `/v1/redemptions?limit=1&cursor=${redemptionsPage.body.next_cursor}`,
        token: net.clinic.key,
      },
      figures: { path: '/v1/figures', token: net.clinic.key },
      searchName: { path: '/v1/patients?q=mira', token: net.clinic.key },
      searchTwoWords: { path: '/v1/patients?q=mira%20k', token: net.clinic.key },
      searchPhone: { path: '/v1/patients?q=0151%20123', token: net.clinic.key },
      searchCard: { path: `/v1/patients?q=${points.patient.card_number}`, token: net.clinic.key },
      patient: { path: `/v1/patients/${patient.id}`, token: net.clinic.key },
      vouchersByStatus: { path: '/v1/vouchers?status=voided', token: net.clinic.key },
      vouchersUsable: { path: '/v1/vouchers?status=issued', token: net.clinic.key },
      vouchersOfPatient: { path: `/v1/vouchers?patient_id=${patient.id}`, token: net.clinic.key },
      settlement: { path: '/v1/settlements', token: net.partner.key },
      auditTrail: { path: '/v1/audit-events', token: net.clinic.key },
      auditNextPage: { path: `/v1/audit-events?cursor=${trail.body.next_cursor}`, token: net.clinic.key },
      auditByPatient: { path: `/v1/audit-events?patient_id=${patient.id}`, token: net.clinic.key },
      auditByStaff: {
        path: '/v1/audit-events?staff_id=stf_01JD0000000000000000000000',
        token: net.clinic.key,
      },
      consoleSearch: { path: '/console/patients?q=mira', headers: consoleCookie },
      consolePatient: {
        path: `/console/patients/${points.patient.id}?statement_before=99&gifts_before=${voucher.id}&visits_before=${Date.now()}.vis_01JD0000000000000000000000&consent_before=9`,
        headers: consoleCookie,
      },
      consolePatientFirstPages: { path: `/console/patients/${patient.id}`, headers: consoleCookie },
      consoleCatalogue: {
        path: `/console/patients/${patient.id}/gift?category=massage`,
        headers: consoleCookie,
      },
      consoleGift: { path: `/console/gifts/${voucher.id}`, headers: consoleCookie },
      programmePage: { path: '/console/programme?before=2', headers: { cookie: owner.cookie } },
      staffPage: { path: `/console/staff?after=${owner.staffId}`, headers: { cookie: owner.cookie } },
      report: { path: '/v1/reports/monthly?from=2025-01&to=2026-12', token: net.clinic.key },
    };
    const found: string[] = [];
    let statements = 0;
    for (const [name, req] of Object.entries(hot)) {
      const plans = await plansOf(api, req);
      statements += new Set(plans.map((p) => p.sql)).size;
      if (SHOW)
        for (const p of plans)
          if (p.detail.startsWith('SCAN')) console.error(`${name}: ${p.detail} :: ${p.sql.slice(0, 400)}`);
      for (const scan of fullScans(plans))
        found.push(`${name}: ${scan.detail}\n    in ${scan.sql.slice(0, 300)}`);
    }
    expect(statements).toBeGreaterThan(40);
    expect(found, found.join('\n')).toEqual([]);
  });

  it('read the audit trail through its own index for each filter', async () => {
    const api = createClient();
    const { net, patient } = await createStoredValueScene(api);
    const trail = await api.get('/v1/audit-events?limit=1', { token: net.clinic.key });
    const uses = async (query: string, index: string) => {
      const plans = await plansOf(api, { path: `/v1/audit-events${query}`, token: net.clinic.key });
      const main = plans
        .filter((p) => /^SEARCH a USING INDEX audit_events_/.test(p.detail))
        .map((p) => p.detail);
      expect(main, query).toHaveLength(1);
      expect(main[0], query).toContain(index);
      expect(plans.map((p) => p.detail).join('\n'), query).not.toContain('TEMP B-TREE');
    };
    await uses('', 'audit_events_organization_idx');
    await uses(
      `?cursor=${trail.body.next_cursor}`,
      'audit_events_organization_idx (organization_id=? AND at<?)',
    );
    await uses(`?patient_id=${patient.id}`, 'audit_events_patient_idx');
    await uses('?staff_id=stf_01JD0000000000000000000000', 'audit_events_staff_idx');
  });

  it("read a patient's page through the patient's own indexes, not the clinic's (a new patient costs little)", async () => {
    const api = createClient();
    const { net, patient } = await createStoredValueScene(api);
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
    const plans = await plansOf(api, {
      path: `/console/patients/${patient.id}`,
      headers: { cookie: owner.cookie },
    });
    const visits = plans.filter((p) => /\bvisits\b/.test(p.sql) && /USING INDEX visits_/.test(p.detail));
    expect(visits.length).toBeGreaterThan(0);
    for (const p of visits) expect(p.detail).not.toContain('visits_clinic_idx');
    // ...in the page's own order, so a card with 10,000 visits reads a page of them, not all to sort.
    const visitPage = plans.filter((p) => /from "visits"/.test(p.sql) && /order by/i.test(p.sql));
    expect(visitPage.length).toBeGreaterThan(0);
    for (const p of visitPage)
      expect(
        p.detail,
        plans
          .filter((q) => q.sql === p.sql)
          .map((q) => q.detail)
          .join(' | '),
      ).not.toContain('TEMP B-TREE');
  });

  it('list usable vouchers from the index of live ones (lapsed vouchers are left out of it)', async () => {
    const api = createClient();
    const { net } = await createStoredValueScene(api);
    const plans = await plansOf(api, { path: '/v1/vouchers?status=issued', token: net.clinic.key });
    expect(plans.map((p) => p.detail).join('\n')).toContain('vouchers_clinic_live_idx');
  });

  it('keep the monthly figures through indexes, in every statement of their triggers', async () => {
    // EXPLAIN QUERY PLAN does not show what triggers run: each statement of the report triggers is
    // explained on its own, with the trigger row's columns as parameters.
    const { results } = await env.DB.prepare(
      "select name, sql from sqlite_schema where type = 'trigger' and name like '%report%'",
    ).all<{ name: string; sql: string }>();
    expect(results.length).toBeGreaterThanOrEqual(6);
    // The view's own names: a clinic's zone, then its months.
    const VIEW = new Map([
      ['o', 'organizations'],
      ['tm', 'timezone_months'],
    ]);
    const found: string[] = [];
    for (const trigger of results) {
      const body = trigger.sql.slice(trigger.sql.indexOf('BEGIN') + 5, trigger.sql.lastIndexOf('END'));
      for (const statement of body
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean)) {
        const explained = statement.replace(/\b(NEW|OLD)\.`?\w+`?/g, '?');
        const params = Array.from({ length: explained.split('?').length - 1 }, () => null);
        const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${explained}`)
          .bind(...params)
          .all<{ detail: string }>();
        const plans = plan.results.map((r) => ({
          sql: explained,
          detail: r.detail.replace(/^SCAN (o|tm)\b/, (_, a: string) => `SCAN ${VIEW.get(a)}`),
        }));
        for (const scan of fullScans(plans))
          found.push(`${trigger.name}: ${scan.detail}\n    in ${statement}`);
      }
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('would catch a full scan (the check itself can fail)', () => {
    expect(fullScans([{ sql: 'select * from patients', detail: 'SCAN patients' }])).toHaveLength(1);
    expect(
      fullScans([
        { sql: 'select * from point_lots l where l.x = 1', detail: 'SCAN l USING INDEX point_lots_due_idx' },
      ]),
    ).toHaveLength(1);
    expect(fullScans([{ sql: 'select * from (select 1) x', detail: 'SCAN x' }])).toHaveLength(0);
    expect(
      fullScans([{ sql: '', detail: 'SEARCH p USING INDEX patients_clinic_idx (clinic_id=?)' }]),
    ).toHaveLength(0);
  });
});
