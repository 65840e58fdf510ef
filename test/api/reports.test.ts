import { env } from 'cloudflare:workers';
import { fixedClock, toMajorUnits } from '@gratia/core';
import { bookExpiredPoints, REPORT_CSV_COLUMNS } from '@gratia/points';
import { markLapsedVouchers } from '@gratia/vouchers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../workers/api/src/app';
import {
  CHART_LIBRARY_PATH,
  CHART_LIBRARY_SOURCE,
  CHART_SCRIPT,
  CHART_SCRIPT_PATH,
  ReportsView,
} from '../../workers/api/src/pages/console/reports-view';
import { type Client, createClient } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import {
  createClinic,
  createNetwork,
  createOffer,
  createPartner,
  createPatient,
  issueVoucher,
  type OrgWithKey,
  recordVisit,
  setLoyaltyProgram,
} from '../helpers/factories';
import { sampleReport } from '../helpers/report-fixture';
import { describeSecurity } from '../helpers/security';

// GET /v1/reports/monthly and its CSV: the clinic's months, from the figures kept with every record.

const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function report(api: Client, clinic: OrgWithKey, query: string) {
  const res = await api.get(`/v1/reports/monthly?${query}`, { token: clinic.key });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function spend(api: Client, key: string, card: string, points: number) {
  const res = await api.post('/v1/points/redemptions', { token: key, body: { card_number: card, points } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function redeem(api: Client, partner: OrgWithKey, token: string, amount?: number) {
  const res = await api.post('/v1/redemptions', {
    token: partner.key,
    body: { token, ...(amount !== undefined && { amount: eur(amount) }) },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

describe('GET /v1/reports/monthly', () => {
  for (const path of ['/v1/reports/monthly', '/v1/reports/monthly.csv'])
    describeSecurity(`GET ${path}`, {
      method: 'GET',
      roles: ['clinic'],
      setup: async () => ({}),
      path: () => `${path}?from=2026-01&to=2026-03`,
    });

  it('adds up exactly what happened, month by month', async () => {
    const clock = fixedClock('2026-11-10T10:00:00Z');
    const api = createClient(clock);
    const deps = testDeps(clock);
    const net = await createNetwork(api);
    // 10% back in points, lapsing at the end of the 20th day: November's lots lapse on 1 December.
    await setLoyaltyProgram(api, net.clinic.key, { accrual_rate_bps: 1000, expiry_days: 20 });
    const ada = await createPatient(api, net.clinic.key);
    const ben = await createPatient(api, net.clinic.key);
    const offer = await createOffer(api, net.partner.key, { price: eur(4_000) });

    // November (Berlin): two visits, 3,000 points.
    await recordVisit(api, net.clinic.key, ada.id, 20_000);
    await recordVisit(api, net.clinic.key, ben.id, 10_000);
    // 300 points at the partner (then given back), 100 at the clinic itself.
    const atPartner = await spend(api, net.partner.key, ada.card_number, 300);
    await spend(api, net.clinic.key, ben.card_number, 100);
    clock.advance(3_600_000);
    const back = await api.post(`/v1/points/redemptions/${atPartner.id}/reversal`, {
      token: net.partner.key,
    });
    expect(back.status, back.text).toBe(200);
    // Three gifts: an offer (redeemed), stored value (1,000 redeemed, then reversed; lapses on 5
    // December with all 5,000 left), and one voided.
    const gift = await issueVoucher(api, net.clinic.key, { patient_id: ada.id, offer_id: offer.id });
    const credit = await issueVoucher(api, net.clinic.key, {
      patient_id: ben.id,
      value: eur(5_000),
      partner_id: net.partner.id,
      expires_at: '2026-12-05T12:00:00Z',
    });
    const voided = await issueVoucher(api, net.clinic.key, {
      patient_id: ben.id,
      value: eur(3_000),
      partner_id: net.partner.id,
    });
    await redeem(api, net.partner, gift.token);
    const part = await redeem(api, net.partner, credit.token, 1_000);
    const undone = await api.post(`/v1/redemptions/${part.id}/reversal`, { token: net.partner.key });
    expect(undone.status, undone.text).toBeLessThan(300);
    const v = await api.post(`/v1/vouchers/${voided.id}/void`, {
      token: net.clinic.key,
      body: { reason: 'Issued in error' },
    });
    expect(v.status, v.text).toBe(200);

    // December: the cron books November's lapsed points and marks the lapsed gift; one visit.
    clock.set(Date.parse('2026-12-06T10:00:00Z'));
    await bookExpiredPoints(deps);
    await markLapsedVouchers(deps);
    await recordVisit(api, net.clinic.key, ben.id, 5_000);

    const body = await report(api, net.clinic, 'from=2026-10&to=2027-01');
    expect(body).toMatchObject({
      clinic_id: net.clinic.id,
      timezone: 'Europe/Berlin',
      from: '2026-10',
      to: '2027-01',
    });
    expect(body.currency).toBe('EUR');
    expect(body.point_value).toEqual(eur(1));
    const zeroGifts = {
      issued: 0,
      issued_value: eur(0),
      issued_value_redeemed: eur(0),
      redemption_rate: null,
      redeemed: 0,
      redeemed_value: eur(0),
      voided: 0,
      lapsed: 0,
      breakage: eur(0),
    };
    expect(body.months).toEqual([
      {
        month: '2026-10',
        points: { issued: 0, spent: 0, reversed: 0, expired: 0, outstanding: 0 },
        liability: eur(0),
        visits: { count: 0, revenue: eur(0) },
        gifts: zeroGifts,
        active_patients: 0,
      },
      {
        month: '2026-11',
        points: { issued: 3_000, spent: 400, reversed: 300, expired: 0, outstanding: 2_900 },
        liability: eur(2_900),
        visits: { count: 2, revenue: eur(30_000) },
        gifts: {
          issued: 3,
          issued_value: eur(12_000),
          issued_value_redeemed: eur(4_000),
          redemption_rate: 0.3333,
          redeemed: 1,
          redeemed_value: eur(4_000),
          voided: 1,
          lapsed: 0,
          breakage: eur(0),
        },
        active_patients: 2,
      },
      {
        month: '2026-12',
        points: { issued: 500, spent: 0, reversed: 0, expired: 2_900, outstanding: 500 },
        liability: eur(500),
        visits: { count: 1, revenue: eur(5_000) },
        gifts: { ...zeroGifts, lapsed: 1, breakage: eur(5_000) },
        active_patients: 1,
      },
      {
        // Nothing happened: zeros, and the balance carried.
        month: '2027-01',
        points: { issued: 0, spent: 0, reversed: 0, expired: 0, outstanding: 500 },
        liability: eur(500),
        visits: { count: 0, revenue: eur(0) },
        gifts: zeroGifts,
        active_patients: 0,
      },
    ]);
    expect(body.totals).toEqual({
      points: { issued: 3_500, spent: 400, reversed: 300, expired: 2_900 },
      visits: { count: 3, revenue: eur(35_000) },
      gifts: {
        issued: 3,
        issued_value: eur(12_000),
        issued_value_redeemed: eur(4_000),
        redemption_rate: 0.3333,
        redeemed: 1,
        redeemed_value: eur(4_000),
        voided: 1,
        lapsed: 1,
        breakage: eur(5_000),
      },
    });
    // A range that starts after the activity still knows the balance it starts from.
    const later = await report(api, net.clinic, 'from=2027-02&to=2027-02');
    expect(later.months[0].points.outstanding).toBe(500);

    // The CSV says the same, row for row.
    const csv = await api.get('/v1/reports/monthly.csv?from=2026-10&to=2027-01', { token: net.clinic.key });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('report-2026-10-2027-01.csv');
    const [header, ...rows] = csv.text.split('\r\n').filter(Boolean);
    expect(header).toBe(REPORT_CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(body.months.length);
    for (const [i, row] of rows.entries()) {
      const m = body.months[i];
      const cells = Object.fromEntries(row!.split(',').map((v, j) => [REPORT_CSV_COLUMNS[j], v]));
      const major = (x: { amount: number }) => toMajorUnits(x.amount, 'EUR');
      expect(cells).toEqual({
        month: m.month,
        points_issued: String(m.points.issued),
        points_spent: String(m.points.spent),
        points_reversed: String(m.points.reversed),
        points_expired: String(m.points.expired),
        points_outstanding: String(m.points.outstanding),
        liability: major(m.liability),
        points_currency: 'EUR',
        visits: String(m.visits.count),
        visit_revenue: major(m.visits.revenue),
        gifts_issued: String(m.gifts.issued),
        gifts_issued_value: major(m.gifts.issued_value),
        gifts_issued_value_redeemed: major(m.gifts.issued_value_redeemed),
        redemption_rate: m.gifts.redemption_rate === null ? '' : String(m.gifts.redemption_rate),
        gifts_redeemed: String(m.gifts.redeemed),
        gifts_redeemed_value: major(m.gifts.redeemed_value),
        gifts_voided: String(m.gifts.voided),
        gifts_lapsed: String(m.gifts.lapsed),
        breakage: major(m.gifts.breakage),
        currency: 'EUR',
        active_patients: String(m.active_patients),
      });
    }
    expect(rows[1]).toBe(
      '2026-11,3000,400,300,0,2900,29.00,EUR,2,300.00,3,120.00,40.00,0.3333,1,40.00,1,0,0.00,EUR,2',
    );
  });

  it('counts each record in the month of the clinic’s own timezone, on both sides of midnight', async () => {
    // Auckland is 13 hours ahead in November: its December starts at 11:00 UTC on 30 November.
    const clock = fixedClock('2026-11-30T10:30:00Z');
    const api = createClient(clock);
    const clinic = await createClinic(api, { timezone: 'Pacific/Auckland' });
    const partner = await createPartner(api);
    await setLoyaltyProgram(api, clinic.key, { accrual_rate_bps: 1000 });
    const patient = await createPatient(api, clinic.key);
    await recordVisit(api, clinic.key, patient.id, 10_000);
    // Spent at a partner: the issuing clinic, and so its zone, is only known inside the database.
    await spend(api, partner.key, patient.card_number, 10);
    clock.set(Date.parse('2026-11-30T11:30:00Z'));
    await recordVisit(api, clinic.key, patient.id, 20_000);
    await spend(api, partner.key, patient.card_number, 20);
    // A visit recorded later but backdated to the last minutes of November, Auckland time.
    await recordVisit(api, clinic.key, patient.id, 30_000, { occurred_at: '2026-11-30T10:59:00Z' });

    const body = await report(api, clinic, 'from=2026-11&to=2026-12');
    const [nov, dec] = body.months;
    expect(nov.visits).toEqual({ count: 2, revenue: eur(40_000) });
    expect(nov.points).toEqual({ issued: 4_000, spent: 10, reversed: 0, expired: 0, outstanding: 3_990 });
    expect(dec.visits).toEqual({ count: 1, revenue: eur(20_000) });
    expect(dec.points).toEqual({ issued: 2_000, spent: 20, reversed: 0, expired: 0, outstanding: 5_970 });
    // The current month by default is Auckland's December, not UTC's November.
    const current = await report(api, clinic, '');
    expect(current.to).toBe('2026-12');
    expect(current.from).toBe('2026-01');
    expect(current.months).toHaveLength(12);
  });

  it('never counts another clinic’s records', async () => {
    const clock = fixedClock('2026-11-10T10:00:00Z');
    const api = createClient(clock);
    const net = await createNetwork(api);
    for (const c of [net.clinic, net.otherClinic])
      await setLoyaltyProgram(api, c.key, { accrual_rate_bps: 1000 });
    const mine = await createPatient(api, net.clinic.key);
    const theirs = await createPatient(api, net.otherClinic.key);
    await recordVisit(api, net.clinic.key, mine.id, 10_000);
    await recordVisit(api, net.otherClinic.key, theirs.id, 70_000);
    await recordVisit(api, net.otherClinic.key, theirs.id, 70_000);
    // The other clinic's points spent at this clinic are the other clinic's figures.
    await spend(api, net.clinic.key, theirs.card_number, 500);
    const credit = await issueVoucher(api, net.otherClinic.key, {
      patient_id: theirs.id,
      value: eur(9_000),
      partner_id: net.partner.id,
    });
    await redeem(api, net.partner, credit.token, 2_000);

    const a = (await report(api, net.clinic, 'from=2026-11&to=2026-11')).months[0];
    expect(a.visits).toEqual({ count: 1, revenue: eur(10_000) });
    expect(a.points).toEqual({ issued: 1_000, spent: 0, reversed: 0, expired: 0, outstanding: 1_000 });
    expect(a.gifts.issued).toBe(0);
    expect(a.gifts.redeemed).toBe(0);
    expect(a.active_patients).toBe(1);
    const b = (await report(api, net.otherClinic, 'from=2026-11&to=2026-11')).months[0];
    expect(b.visits).toEqual({ count: 2, revenue: eur(140_000) });
    expect(b.points).toEqual({ issued: 14_000, spent: 500, reversed: 0, expired: 0, outstanding: 13_500 });
    expect(b.gifts).toMatchObject({ issued: 1, redeemed: 1, redeemed_value: eur(2_000) });
    expect(b.active_patients).toBe(1);
  });

  it('refuses months it cannot read with 400 validation_failed', async () => {
    const api = createClient();
    const clinic = await createClinic(api);
    for (const query of [
      'from=2026-13',
      'to=2026-1',
      'from=26-01',
      'from=2026-01-01',
      'from=2027-01&to=2026-12',
      'from=2024-12&to=2026-12',
      'from=garbage&to=2026-12',
    ]) {
      for (const path of ['/v1/reports/monthly', '/v1/reports/monthly.csv']) {
        const res = await api.get(`${path}?${query}`, { token: clinic.key });
        expect(res.status, `${path}?${query}: ${res.text}`).toBe(400);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors?.length).toBeGreaterThan(0);
      }
    }
    // 24 months is the most: fine.
    expect((await report(api, clinic, 'from=2025-01&to=2026-12')).months).toHaveLength(24);
  });

  it('reads one row per month asked, however long the clinic’s history', async () => {
    const clock = fixedClock('2026-11-01T10:00:00Z');
    const api = createClient(clock);
    const clinic = await createClinic(api);
    const patient = await createPatient(api, clinic.key);
    const app = createApp({ clock });
    const rowsRead = async () => {
      const get = () =>
        app.request(
          'https://gratia.test/v1/reports/monthly?from=2024-03&to=2024-06',
          { headers: { authorization: `Bearer ${clinic.key}`, 'x-debug-d1': '1' } },
          { ...env, EXPOSE_D1_METRICS: '1' },
        );
      // The first call in a while also refreshes the key's last use: the second is the report alone.
      await get();
      const res = await get();
      expect(res.status).toBe(200);
      return Number(/rows_read=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1]);
    };
    const visits = async (months: number, at: number) => {
      for (let i = 0; i < months; i++) {
        await recordVisit(api, clinic.key, patient.id, 1_000, {
          occurred_at: new Date(at + i * 31 * 86_400_000).toISOString(),
        });
      }
    };
    // A visit in each of the eight months from January 2024.
    await visits(8, Date.parse('2024-01-05T10:00:00Z'));
    const short = await rowsRead();
    // Years more history, before and after the months asked.
    await visits(24, Date.parse('2024-09-05T10:00:00Z'));
    await visits(24, Date.parse('2021-01-05T10:00:00Z'));
    const long = await rowsRead();
    expect(long).toBe(short);
    // The key's lookup, the four months and the one before them.
    expect(long).toBeLessThanOrEqual(12);
  });
});

describe('ReportsView', () => {
  const report = sampleReport();
  const html = String(ReportsView({ report, csvHref: '/console/reports.csv?from=2026-01&to=2026-12' }));

  it('draws each subject as a chart with the table of its figures beside it, and links the CSV', () => {
    expect(html.match(/<figure data-chart/g)).toHaveLength(5);
    expect(html.match(/<canvas role="img" aria-label="[^"]+"/g)).toHaveLength(5);
    expect(html.match(/<table>/g)).toHaveLength(5);
    // Headers name their column or row.
    expect(html.match(/<th scope="col"/g)!.length).toBeGreaterThanOrEqual(5 * 3);
    expect(html.match(/<th scope="row">Jan 2026<\/th>/g)).toHaveLength(5);
    expect(html).not.toMatch(/<th(?=[\s>])(?![^>]*scope=)/);
    expect(html).toContain('href="/console/reports.csv?from=2026-01&amp;to=2026-12" download');
    // The figures in the table, formatted; the chart's data as JSON, money in major units.
    expect(html).toContain(`<td class="num">${report.months[0]!.points.issued.toLocaleString('en-GB')}</td>`);
    const specs = [...html.matchAll(/<script type="application\/json">([^<]*)<\/script>/g)].map((m) =>
      JSON.parse(m[1]!),
    );
    expect(specs.map((s) => s.type)).toEqual(['bar', 'line', 'bar', 'bar', 'bar']);
    expect(specs[0].labels).toHaveLength(12);
    expect(specs[0].series.map((s: { label: string }) => s.label)).toEqual(['Issued', 'Spent', 'Expired']);
    expect(specs[1]).toMatchObject({ unit: 'money', currency: 'EUR' });
    expect(specs[1].series[0].values[0]).toBe(report.months[0]!.liability / 100);
    // The library, then the drawing script, both from this origin.
    expect(html.indexOf(`<script src="${CHART_LIBRARY_PATH}" defer`)).toBeLessThan(
      html.indexOf(`<script src="${CHART_SCRIPT_PATH}" defer`),
    );
  });

  it('exports the vendored Chart.js build and the drawing script for the console to serve', () => {
    expect(CHART_LIBRARY_SOURCE).toMatch(/^\/\*!\n \* Chart\.js v4\./);
    expect(CHART_SCRIPT).toContain("querySelectorAll('figure[data-chart]')");
  });
});
