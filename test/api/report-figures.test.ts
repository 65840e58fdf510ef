import { env } from 'cloudflare:workers';
import { DAY_MS, fixedClock, HOUR_MS, localMonth } from '@gratia/core';
import { runBatch } from '@gratia/db';
import { backfillClinicFigures, bookExpiredPoints, rebuildClinicFiguresStatements } from '@gratia/points';
import { markLapsedVouchers } from '@gratia/vouchers';
import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import {
  createClinic,
  createOffer,
  createPartner,
  createPatient,
  type OrgWithKey,
  setLoyaltyProgram,
} from '../helpers/factories';
import { seeded } from '../helpers/prng';

// The monthly figures are kept by triggers on the records (migration 0013), so no writing path can
// forget them. This proves it: a seeded random run of every operation that writes a counted record
// (visits, backdated ones too, points spent at a partner and at the clinic and given back, the expiry
// cron, vouchers issued, redeemed in parts, reversed, voided and lapsed) across month boundaries in two
// zones far from UTC, then the figures compared, column by column, with the same figures counted from
// scratch here over the records, with the months computed by Intl in TypeScript. A writing path whose
// records the triggers missed, or a month put on the wrong side of a boundary, fails it. The cron's
// rebuild of a clinic from scratch must land on the very same rows.

type Row = Record<string, number>;
const COLUMNS = [
  'points_issued',
  'points_spent',
  'points_reversed',
  'points_expired',
  'points_outstanding',
  'visits',
  'visit_revenue',
  'vouchers_issued',
  'vouchers_issued_value',
  'vouchers_issued_redeemed_value',
  'vouchers_redeemed',
  'vouchers_redeemed_value',
  'vouchers_voided',
  'vouchers_lapsed',
  'vouchers_lapsed_value',
  'active_patients',
] as const;

const all = async <T>(query: string, ...params: unknown[]) =>
  (
    await env.DB.prepare(query)
      .bind(...params)
      .all<T>()
  ).results;

/** The clinic's figures as the triggers kept them: month -> columns. */
async function keptFigures(clinicId: string) {
  const rows = await all<Row & { month: string }>(
    'select * from clinic_month_figures where clinic_id = ? order by month',
    clinicId,
  );
  return Object.fromEntries(
    rows.map((r) => [r.month, Object.fromEntries(COLUMNS.map((c) => [c, r[c]]))] as const),
  );
}

/** The same figures counted from scratch over the records, months by Intl in the clinic's zone. */
async function countedFigures(clinicId: string, timeZone: string) {
  const months = new Map<string, Row>();
  const active = new Set<string>();
  const add = (at: number, values: Partial<Row>) => {
    const month = localMonth(at, timeZone);
    const row = months.get(month) ?? Object.fromEntries(COLUMNS.map((c) => [c, 0]));
    for (const [k, v] of Object.entries(values)) row[k] = (row[k] ?? 0) + (v ?? 0);
    months.set(month, row);
    return month;
  };
  const activeIn = (at: number, patientId: string) => active.add(`${localMonth(at, timeZone)}|${patientId}`);

  for (const v of await all<{ occurred_at: number; amount: number; patient_id: string; reversed: number }>(
    `select occurred_at, amount, patient_id,
      exists (select 1 from visit_reversals x where x.visit_id = visits.id) as reversed
      from visits where clinic_id = ?`,
    clinicId,
  )) {
    // A reversed visit counts no more; its patient stays active that month.
    if (!v.reversed) add(v.occurred_at, { visits: 1, visit_revenue: v.amount });
    activeIn(v.occurred_at, v.patient_id);
  }
  for (const e of await all<{ txn_type: string; points: number; effective_at: number; patient_id: string }>(
    `select txn_type, points, effective_at, patient_id from point_entries where account <> 'patient'
      and (case when account = 'receivable' then counterparty_id else owner_id end) = ?`,
    clinicId,
  )) {
    const kind = {
      accrual: 'points_issued',
      correction: 'points_issued',
      redemption: 'points_spent',
      reversal: 'points_reversed',
      expiry: 'points_expired',
    }[e.txn_type]!;
    add(e.effective_at, {
      [kind]: kind === 'points_spent' || kind === 'points_expired' ? e.points : -e.points,
    });
  }
  for (const r of await all<{ redeemed_at: number; patient_id: string }>(
    'select redeemed_at, patient_id from point_redemptions where clinic_id = ?',
    clinicId,
  ))
    activeIn(r.redeemed_at, r.patient_id);
  const vouchers = await all<{
    id: string;
    patient_id: string;
    status: string;
    value_amount: number;
    remaining_amount: number;
    issued_at: number;
    voided_at: number | null;
    lapsed_at: number | null;
  }>('select * from vouchers where clinic_id = ?', clinicId);
  const byId = new Map(vouchers.map((v) => [v.id, v]));
  for (const v of vouchers) {
    add(v.issued_at, { vouchers_issued: 1, vouchers_issued_value: v.value_amount });
    if (v.status === 'voided' && v.lapsed_at === null) add(v.voided_at!, { vouchers_voided: 1 });
    if (v.lapsed_at !== null)
      add(v.lapsed_at, { vouchers_lapsed: 1, vouchers_lapsed_value: v.remaining_amount });
  }
  for (const r of await all<{ voucher_id: string; amount: number; redeemed_at: number }>(
    'select voucher_id, amount, redeemed_at from redemptions where clinic_id = ?',
    clinicId,
  )) {
    const v = byId.get(r.voucher_id)!;
    add(r.redeemed_at, { vouchers_redeemed: 1, vouchers_redeemed_value: r.amount });
    add(v.issued_at, { vouchers_issued_redeemed_value: r.amount });
    activeIn(r.redeemed_at, v.patient_id);
  }
  for (const x of await all<{ voucher_id: string; amount: number; reversed_at: number }>(
    `select x.voucher_id, x.amount, x.reversed_at from voucher_reversals x
      join redemptions r on r.id = x.redemption_id where r.clinic_id = ?`,
    clinicId,
  )) {
    add(x.reversed_at, { vouchers_redeemed: -1, vouchers_redeemed_value: -x.amount });
    add(byId.get(x.voucher_id)!.issued_at, { vouchers_issued_redeemed_value: -x.amount });
  }
  for (const key of active) months.get(key.slice(0, 7))!.active_patients! += 1;
  let outstanding = 0;
  const out: Record<string, Row> = {};
  for (const month of [...months.keys()].sort()) {
    const row = months.get(month)!;
    outstanding += row.points_issued! - row.points_spent! + row.points_reversed! - row.points_expired!;
    out[month] = { ...row, points_outstanding: outstanding };
  }
  return out;
}

describe('monthly figures kept by triggers', () => {
  it('equal the figures counted from scratch after a random run of every writing path', async () => {
    const clock = fixedClock('2026-10-20T08:00:00Z');
    const api = createClient(clock);
    const deps = testDeps(clock);
    const rng = seeded(20_261_020);
    // Far from UTC on both sides, with DST: a month starts hours before or after it does in UTC.
    const zones = ['Pacific/Auckland', 'America/Los_Angeles'];
    const clinics: (OrgWithKey & { timezone: string })[] = [];
    for (const timezone of zones) clinics.push({ ...(await createClinic(api, { timezone })), timezone });
    const partner = await createPartner(api, { category: 'massage' });
    const offer = await createOffer(api, partner.key, { price: { amount: 4_000, currency: 'EUR' } });
    const patients: { id: string; card: string; clinic: OrgWithKey }[] = [];
    for (const clinic of clinics) {
      await setLoyaltyProgram(api, clinic.key, { accrual_rate_bps: 1000, expiry_days: 25 });
      for (let i = 0; i < 3; i++) {
        const p = await createPatient(api, clinic.key);
        patients.push({ id: p.id, card: p.card_number, clinic });
      }
    }
    const spends: { id: string; key: string; at: number }[] = [];
    const visits: { id: string; key: string; at: number }[] = [];
    const vouchers: { id: string; token: string; clinic: OrgWithKey; kind: 'offer' | 'value' }[] = [];
    const redemptions: { id: string; at: number }[] = [];
    const done: Record<string, number> = {};
    const count = (op: string, status: number) => {
      if (status < 300) done[op] = (done[op] ?? 0) + 1;
    };

    for (let step = 0; step < 300; step++) {
      // Mostly hours, sometimes days: the run crosses several month boundaries of both zones.
      clock.advance(rng.next() < 0.8 ? rng.int(10) * HOUR_MS + rng.int(60) * 60_000 : rng.int(4) * DAY_MS);
      const now = clock.now();
      const p = rng.pick(patients);
      const op = rng.pick([
        'visit',
        'visit',
        'backdated visit',
        'spend at partner',
        'spend at clinic',
        'reverse spend',
        'reverse spend',
        'issue voucher',
        'issue voucher',
        'redeem voucher',
        'redeem voucher',
        'reverse redemption',
        'reverse redemption',
        'void voucher',
        'reverse visit',
        'cron',
      ] as const);
      if (op === 'visit' || op === 'backdated visit') {
        const res = await api.post('/v1/visits', {
          token: p.clinic.key,
          body: {
            patient_id: p.id,
            amount: { amount: 2_000 + rng.int(30_000), currency: 'EUR' },
            ...(op === 'backdated visit' && {
              occurred_at: new Date(now - rng.int(50) * DAY_MS - rng.int(24) * HOUR_MS).toISOString(),
            }),
          },
        });
        if (res.status === 201) visits.push({ id: res.body.id, key: p.clinic.key, at: now });
        count(op, res.status);
      } else if (op === 'reverse visit') {
        const recent = visits.filter((v) => v.at > now - DAY_MS);
        if (recent.length === 0) continue;
        const v = rng.pick(recent);
        const res = await api.post(`/v1/visits/${v.id}/reverse`, { token: v.key, body: { reason: 'test' } });
        count(op, res.status);
      } else if (op === 'spend at partner' || op === 'spend at clinic') {
        const key = op === 'spend at partner' ? partner.key : p.clinic.key;
        const res = await api.post('/v1/points/redemptions', {
          token: key,
          body: { card_number: p.card, points: 1 + rng.int(400) },
        });
        if (res.status === 201) spends.push({ id: res.body.id, key, at: now });
        count(op, res.status);
      } else if (op === 'reverse spend') {
        const recent = spends.filter((s) => s.at > now - DAY_MS);
        if (recent.length === 0) continue;
        const s = rng.pick(recent);
        count(op, (await api.post(`/v1/points/redemptions/${s.id}/reversal`, { token: s.key })).status);
      } else if (op === 'issue voucher') {
        const kind = rng.pick(['offer', 'value'] as const);
        const res = await api.post('/v1/vouchers', {
          token: p.clinic.key,
          body: {
            patient_id: p.id,
            ...(kind === 'offer'
              ? { offer_id: offer.id }
              : { value: { amount: 1_000 + rng.int(9_000), currency: 'EUR' }, partner_id: partner.id }),
            expires_at: new Date(now + (1 + rng.int(20)) * DAY_MS + rng.int(24) * HOUR_MS).toISOString(),
          },
        });
        if (res.status === 201)
          vouchers.push({ id: res.body.id, token: res.body.token, clinic: p.clinic, kind });
        count(op, res.status);
      } else if (op === 'redeem voucher' && vouchers.length > 0) {
        const v = rng.pick(vouchers);
        const res = await api.post('/v1/redemptions', {
          token: partner.key,
          body: {
            token: v.token,
            ...(v.kind === 'value' &&
              rng.next() < 0.7 && { amount: { amount: 1 + rng.int(3_000), currency: 'EUR' } }),
          },
        });
        if (res.status === 201) redemptions.push({ id: res.body.id, at: now });
        count(op, res.status);
      } else if (op === 'reverse redemption') {
        const recent = redemptions.filter((r) => r.at > now - DAY_MS);
        if (recent.length === 0) continue;
        const r = rng.pick(recent);
        count(op, (await api.post(`/v1/redemptions/${r.id}/reversal`, { token: partner.key })).status);
      } else if (op === 'void voucher' && vouchers.length > 0) {
        const v = rng.pick(vouchers);
        const res = await api.post(`/v1/vouchers/${v.id}/void`, {
          token: v.clinic.key,
          body: { reason: 'test' },
        });
        count(op, res.status);
      } else if (op === 'cron') {
        const booked = await bookExpiredPoints(deps);
        const lapsed = await markLapsedVouchers(deps);
        done['lots booked'] = (done['lots booked'] ?? 0) + booked.lots;
        done['vouchers lapsed'] = (done['vouchers lapsed'] ?? 0) + lapsed;
      }
    }
    // Every path ran, and more than once.
    for (const op of [
      'visit',
      'backdated visit',
      'spend at partner',
      'spend at clinic',
      'reverse spend',
      'issue voucher',
      'redeem voucher',
      'reverse redemption',
      'void voucher',
      'reverse visit',
      'lots booked',
      'vouchers lapsed',
    ])
      expect(done[op] ?? 0, `${op} ran: ${JSON.stringify(done)}`).toBeGreaterThan(1);

    for (const clinic of clinics) {
      const counted = await countedFigures(clinic.id, clinic.timezone);
      expect(Object.keys(counted).length).toBeGreaterThan(2);
      expect(await keptFigures(clinic.id)).toEqual(counted);
      // The cron's rebuild from scratch lands on the very same rows.
      await runBatch(deps.db, rebuildClinicFiguresStatements(deps.db, clinic));
      expect(await keptFigures(clinic.id)).toEqual(counted);
    }

    // Clinics from before the triggers: no figures, their zone's months never written. The cron's
    // backfill counts every clinic again, a slice per run, until it is done; then it does nothing.
    for (const clinic of clinics) {
      await env.DB.batch([
        env.DB.prepare('delete from clinic_month_figures where clinic_id = ?').bind(clinic.id),
        env.DB.prepare('delete from clinic_month_patients where clinic_id = ?').bind(clinic.id),
      ]);
    }
    await env.DB.prepare("delete from timezone_months where timezone = 'Pacific/Auckland'").run();
    let runs = 0;
    while ((await backfillClinicFigures(deps)) > 0) runs++;
    expect(runs).toBeGreaterThan(0);
    expect(await backfillClinicFigures(deps)).toBe(0);
    for (const clinic of clinics)
      expect(await keptFigures(clinic.id)).toEqual(await countedFigures(clinic.id, clinic.timezone));
  }, 90_000);
});
