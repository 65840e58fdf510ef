import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { runScheduledJobs } from '../../workers/api/src/scheduled';
import { createClient, OPERATOR_TOKEN } from '../helpers/api';
import { createPointsScene, createStoredValueScene, recordVisit } from '../helpers/factories';
import { setFee } from '../helpers/settlement';

// The daily reconciliation: every summary recomputed from its records. A clean network has no findings;
// each deliberately corrupted summary row is found, recorded and shown to the operator.

async function busyNetwork() {
  const api = createClient();
  await setFee(api, 250);
  const { net, voucher } = await createStoredValueScene(api);
  await api.post('/v1/redemptions', {
    token: net.partner.key,
    body: { token: voucher.token, amount: { amount: 1_250, currency: 'EUR' } },
  });
  const { patient } = await createPointsScene(api, {}, net);
  await recordVisit(api, net.clinic.key, patient.id, 20_000);
  const spent = await api.post('/v1/points/redemptions', {
    token: net.partner.key,
    body: { card_number: patient.card_number, points: 30 },
  });
  expect(spent.status).toBe(201);
  return { api, net, voucher, patient };
}

const run = (api: ReturnType<typeof createClient>) =>
  api.post('/v1/reconciliation/runs', { token: OPERATOR_TOKEN });

describe('reconciliation', () => {
  it('finds nothing on a clean network, and finds each corrupted summary row', async () => {
    const { api, net, voucher, patient } = await busyNetwork();
    const clean = await run(api);
    expect(clean.status).toBe(200);
    expect(clean.body.findings).toBe(0);
    expect(clean.body.checked.cards).toBeGreaterThanOrEqual(1);
    expect(clean.body.checked.vouchers).toBeGreaterThanOrEqual(1);
    expect(clean.body.checked.settlement_totals).toBeGreaterThanOrEqual(1);

    // Corrupt one summary of each kind, as a bug or a hand edit would.
    await env.DB.batch([
      env.DB.prepare(
        'update point_accounts set balance = balance + 7, earned = earned + 7 where patient_id = ?',
      ).bind(patient.id),
      env.DB.prepare(
        'update settlement_totals set net = net + 1, gross = gross + 1 where payee_id = ? and rowid = (select min(rowid) from settlement_totals where payee_id = ?)',
      ).bind(net.partner.id, net.partner.id),
      env.DB.prepare('update vouchers set remaining_amount = remaining_amount - 100 where id = ?').bind(
        voucher.id,
      ),
    ]);
    const dirty = await run(api);
    expect(dirty.body.findings).toBe(4);
    const list = await api.get('/v1/reconciliation/findings?limit=10', { token: OPERATOR_TOKEN });
    expect(list.status).toBe(200);
    const byCheck = Object.fromEntries(list.body.data.map((f: any) => [f.check, f]));
    expect(Object.keys(byCheck).sort()).toEqual([
      'card_balance',
      'card_lots',
      'settlement_total',
      'voucher_remaining',
    ]);
    expect(byCheck.card_balance).toMatchObject({
      subject_id: patient.id,
      actual: byCheck.card_balance.expected + 7,
    });
    expect(byCheck.card_lots.subject_id).toBe(patient.id);
    expect(byCheck.voucher_remaining).toMatchObject({
      subject_id: voucher.id,
      expected: 3_750,
      actual: 3_650,
    });
    expect(byCheck.settlement_total.subject_id).toContain(net.partner.id);
    expect(byCheck.settlement_total.actual).toBe(byCheck.settlement_total.expected + 1);
    for (const f of list.body.data) expect(f.run_id).toBe(dirty.body.run_id);

    // Findings are the operator's: append-only, and no organisation may read or run them.
    await expect(env.DB.prepare("update reconciliation_findings set detail = 'x'").run()).rejects.toThrow(
      /append-only/,
    );
    for (const key of [net.clinic.key, net.partner.key]) {
      expect((await api.get('/v1/reconciliation/findings', { token: key })).status).toBe(403);
      expect((await run(api)).status).toBe(200);
      expect((await api.post('/v1/reconciliation/runs', { token: key })).status).toBe(403);
    }
  });

  it('runs from the cron once a day, in the network night', async () => {
    const { api, patient } = await busyNetwork();
    await env.DB.prepare(
      'update point_accounts set balance = balance + 1, earned = earned + 1 where patient_id = ?',
    )
      .bind(patient.id)
      .run();
    // 14:05 in Berlin: not the hour; 03:05 in Berlin (02:05 UTC in winter): the hour.
    const midday = await runScheduledJobs(env, Date.parse('2026-11-03T13:05:00Z'), 'test');
    expect(midday.reconcile).toBeUndefined();
    const night = await runScheduledJobs(env, Date.parse('2026-11-03T02:05:00Z'), 'test');
    expect(night.reconcile).toMatchObject({ findings: expect.any(Number) });
    // (Storage is shared by the tests of this file: the first test's corruptions are found again.)
    const list = await api.get('/v1/reconciliation/findings?limit=100', { token: OPERATOR_TOKEN });
    const mine = list.body.data.filter(
      (f: any) => f.run_id === (night.reconcile as any).runId && f.subject_id === patient.id,
    );
    expect(mine.map((f: any) => f.check).sort()).toEqual(['card_balance', 'card_lots']);
  });
});
