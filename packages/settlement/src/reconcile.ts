import { newId } from '@gratia/core';
import {
  type AuditInput,
  auditEntry,
  type Deps,
  type ReconciliationFinding,
  reconciliationFindings,
  runBatch,
} from '@gratia/db';
import { desc, lt, sql } from 'drizzle-orm';

// Reconciliation: every summary the platform keeps for speed is recomputed from what it summarises,
// and any difference becomes a finding (a row the operator reads through the API, and a log line).
// - a card's balance (point_accounts.balance) against the sum of its ledger entries and against the
//   points left in its lots;
// - each settlement total (period, payer, payee, currency) against the sum of its lines;
// - each stored-value voucher's remaining value against its value, its redemptions and reversals.
// It reads the whole network, page by page (bounded statements), so it runs once a day from the cron.

// Rows of the summary per statement: at 5,000 a million cards take 200 statements, well within the
// 1,000 queries one invocation may make.
const PAGE = 5_000;

type Check = ReconciliationFinding['check'];
interface Difference {
  check: Check;
  subjectId: string;
  expected: number;
  actual: number;
  detail: string;
}

async function cards(deps: Deps, found: Difference[]): Promise<number> {
  let after = '';
  let seen = 0;
  for (;;) {
    const rows = await deps.db.all<{ id: string; balance: number; entries: number; lots: number }>(sql`
      select a.patient_id as id, a.balance,
        (select coalesce(sum(e.points), 0) from point_entries e
          where e.account = 'patient' and e.owner_id = a.patient_id) as entries,
        (select coalesce(sum(l.remaining), 0) from point_lots l
          where l.patient_id = a.patient_id and l.remaining > 0) as lots
      from point_accounts a where a.patient_id > ${after} order by a.patient_id limit ${PAGE}`);
    for (const r of rows) {
      if (r.entries !== r.balance)
        found.push({
          check: 'card_balance',
          subjectId: r.id,
          expected: r.entries,
          actual: r.balance,
          detail: `The card's balance is ${r.balance} points; its ledger entries add up to ${r.entries}`,
        });
      if (r.lots !== r.balance)
        found.push({
          check: 'card_lots',
          subjectId: r.id,
          expected: r.lots,
          actual: r.balance,
          detail: `The card's balance is ${r.balance} points; its lots hold ${r.lots}`,
        });
    }
    seen += rows.length;
    if (rows.length < PAGE) return seen;
    after = rows[rows.length - 1]!.id;
  }
}

async function settlementTotals(deps: Deps, found: Difference[]): Promise<number> {
  const periods = await deps.db.all<{ period: string }>(
    sql`select period from settlement_lines group by period union select period from settlement_totals group by period`,
  );
  let seen = 0;
  for (const { period } of periods) {
    const rows = await deps.db.all<{
      payer: string;
      payee: string;
      currency: string;
      kept: string | null;
      computed: string | null;
    }>(sql`
      with l as (
        select payer_id, payee_id, currency,
          json_array(sum(entry = 'redemption'), sum(entry = 'reversal'), sum(gross), sum(fee), sum(net)) as computed
        from settlement_lines where period = ${period} group by payer_id, payee_id, currency
      ), t as (
        select payer_id, payee_id, currency, json_array(redemptions, reversals, gross, fee, net) as kept
        from settlement_totals where period = ${period}
      )
      select t.payer_id as payer, t.payee_id as payee, t.currency, t.kept, l.computed
        from t left join l using (payer_id, payee_id, currency)
      union all
      select l.payer_id, l.payee_id, l.currency, null, l.computed
        from l where not exists (select 1 from t where t.payer_id = l.payer_id and t.payee_id = l.payee_id
          and t.currency = l.currency)`);
    for (const r of rows) {
      seen++;
      if (r.kept === r.computed) continue;
      const [, , , , keptNet = 0] = r.kept ? (JSON.parse(r.kept) as number[]) : [];
      const [, , , , computedNet = 0] = r.computed ? (JSON.parse(r.computed) as number[]) : [];
      found.push({
        check: 'settlement_total',
        subjectId: `${period}/${r.payer}/${r.payee}/${r.currency}`,
        expected: computedNet,
        actual: keptNet,
        detail: `Totals [redemptions, reversals, gross, fee, net] kept ${r.kept ?? 'none'}, from the lines ${r.computed ?? 'none'}`,
      });
    }
  }
  return seen;
}

async function vouchers(deps: Deps, found: Difference[]): Promise<number> {
  let after = '';
  let seen = 0;
  for (;;) {
    const rows = await deps.db.all<{
      id: string;
      value: number;
      remaining: number;
      redeemed: number;
      reversed: number;
    }>(sql`
      select v.id, v.value_amount as value, v.remaining_amount as remaining,
        (select coalesce(sum(r.amount), 0) from redemptions r where r.voucher_id = v.id) as redeemed,
        (select coalesce(sum(x.amount), 0) from voucher_reversals x where x.voucher_id = v.id) as reversed
      from vouchers v where v.id > ${after} and v.kind = 'value' order by v.id limit ${PAGE}`);
    for (const r of rows) {
      const expected = r.value - r.redeemed + r.reversed;
      if (expected !== r.remaining)
        found.push({
          check: 'voucher_remaining',
          subjectId: r.id,
          expected,
          actual: r.remaining,
          detail: `The voucher shows ${r.remaining} remaining; ${r.value} less ${r.redeemed} redeemed plus ${r.reversed} reversed is ${expected}`,
        });
    }
    seen += rows.length;
    if (rows.length < PAGE) return seen;
    after = rows[rows.length - 1]!.id;
  }
}

export interface ReconciliationRun {
  runId: string;
  checked: { cards: number; settlementTotals: number; vouchers: number };
  findings: number;
}

/**
 * Recomputes every summary from what it summarises; each difference is recorded and logged. A run
 * someone asked for (`by`: the operator, through the API) is on the audit trail with its findings; the
 * cron's daily run is the platform's own.
 */
export async function reconcile(
  deps: Deps,
  input: { by?: AuditInput['actor'] } = {},
): Promise<ReconciliationRun> {
  const now = deps.clock.now();
  const runId = newId('rec', now);
  const found: Difference[] = [];
  const checked = {
    cards: await cards(deps, found),
    settlementTotals: await settlementTotals(deps, found),
    vouchers: await vouchers(deps, found),
  };
  for (const { subjectId, ...f } of found)
    deps.log({
      level: 'error',
      event: 'reconciliation_difference',
      run_id: runId,
      subject_id: subjectId,
      ...f,
    });
  const findings = [];
  for (let i = 0; i < found.length; i += 50)
    findings.push(
      deps.db
        .insert(reconciliationFindings)
        .values(found.slice(i, i + 50).map((f) => ({ id: newId('fnd', now), runId, foundAt: now, ...f }))),
    );
  await runBatch(deps.db, {
    findings,
    ...(input.by && {
      audit: auditEntry(deps.db, {
        actor: input.by,
        organizationId: null,
        action: 'reconciliation.run',
        subject: { type: 'reconciliation_run', id: runId },
        detail: { findings: found.length },
        at: now,
      }),
    }),
  });
  return { runId, checked, findings: found.length };
}

/** Findings, newest first (ids are time-ordered): `limit` of them before the id `before`. */
export async function listFindings(deps: Deps, input: { limit: number; before?: string }) {
  return deps.db
    .select()
    .from(reconciliationFindings)
    .where(input.before ? lt(reconciliationFindings.id, input.before) : undefined)
    .orderBy(desc(reconciliationFindings.id))
    .limit(input.limit);
}
