import { formatMoney, parseMoneyInput, parsePercentInput, toMajorUnits } from '@gratia/core';
import { type InsightSettingsView, readInsightSettings, saveInsightSettings } from '@gratia/insight';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field } from './patient-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Insight settings (owners and managers: the 'insight' area): the A/B/C thresholds as shares of the
// trailing 12 months' revenue, and the gift budget per class. Saving classifies the patients again.

const BACK = '/console/insight/settings';
const TEXT = {
  abc_a: 'Enter the A share as a percentage from 0.01 to 100, like 80.',
  abc_b: 'Enter the B share as a percentage from 0 to 100; A and B together at most 100.',
  budget: 'Enter a budget like 50.00, or leave it empty for no limit.',
} as const;

type Values = Record<string, string>;

const pct = (bps: number) => String(bps / 100);

function valuesOf(s: InsightSettingsView, currency: string): Values {
  const money = (v: number | null) => (v === null ? '' : toMajorUnits(v, currency));
  return {
    abc_a: pct(s.abcABps),
    abc_b: pct(s.abcBBps),
    budget_a: money(s.budgetA),
    budget_b: money(s.budgetB),
    budget_c: money(s.budgetC),
  };
}

function SettingsPage(props: {
  s: Signed;
  settings: InsightSettingsView;
  values: Values;
  errors: Values;
  q: Values;
}) {
  const { s, settings, values, errors } = props;
  const currency = s.principal.organization.currency;
  const budget = (v: number | null) => (v === null ? 'no limit' : formatMoney(v, currency));
  return (
    <ConsolePage title="Insight settings" principal={s.principal} csrf={s.session.csrf} area="insight">
      <h1>Insight settings</h1>
      <Flash
        q={props.q}
        ok={props.q.saved ? 'Saved. Patients are classified again under the new thresholds.' : undefined}
      />
      <section class="card" aria-labelledby="now">
        <h2 id="now">In force</h2>
        <p>
          A: the patients who make the first {pct(settings.abcABps)}% of the last 12 months’ revenue (gift
          budget {budget(settings.budgetA)}). B: the next {pct(settings.abcBBps)}% ({budget(settings.budgetB)}
          ). C: the rest ({budget(settings.budgetC)}). The usual interval between visits here:{' '}
          {settings.usualIntervalDays} days.
        </p>
      </section>
      <section class="card" aria-labelledby="change">
        <h2 id="change">Change</h2>
        <form method="post" action={BACK}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <Field
            name="abc_a"
            label="A share of revenue (%)"
            value={values.abc_a}
            error={errors.abc_a}
            inputmode="decimal"
            required
          />
          <Field
            name="abc_b"
            label="B share of revenue (%)"
            value={values.abc_b}
            error={errors.abc_b}
            inputmode="decimal"
            required
          />
          <Field
            name="budget_a"
            label={`Gift budget for A (${currency})`}
            value={values.budget_a}
            error={errors.budget_a}
            inputmode="decimal"
          />
          <Field
            name="budget_b"
            label={`Gift budget for B (${currency})`}
            value={values.budget_b}
            error={errors.budget_b}
            inputmode="decimal"
          />
          <Field
            name="budget_c"
            label={`Gift budget for C (${currency})`}
            value={values.budget_c}
            error={errors.budget_c}
            inputmode="decimal"
          />
          <button type="submit">Save</button>
        </form>
      </section>
    </ConsolePage>
  );
}

function readForm(
  f: Values,
  currency: string,
):
  | { errors: Values }
  | { abcABps: number; abcBBps: number; budgets: [number | null, number | null, number | null] } {
  const errors: Values = {};
  const a = parsePercentInput(f.abc_a);
  const b = parsePercentInput(f.abc_b);
  if (typeof a !== 'number' || a < 1 || a > 10_000) errors.abc_a = TEXT.abc_a;
  if (typeof b !== 'number' || (typeof a === 'number' && a + b > 10_000)) errors.abc_b = TEXT.abc_b;
  const budgets: (number | null)[] = [];
  for (const k of ['budget_a', 'budget_b', 'budget_c']) {
    const v = parseMoneyInput(f[k], currency);
    if (v === undefined) budgets.push(null);
    else if (typeof v !== 'number') errors[k] = TEXT.budget;
    else budgets.push(v);
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    abcABps: a as number,
    abcBBps: b as number,
    budgets: budgets as [number | null, number | null, number | null],
  };
}

export function registerConsoleInsightSettings(app: Hono<AppEnv>) {
  app.get(
    BACK,
    page('insight', async (c, s) => {
      const settings = await readInsightSettings(c.var.deps, { clinic: s.principal });
      const values = valuesOf(settings, s.principal.organization.currency);
      return html(
        c,
        <SettingsPage s={s} settings={settings} values={values} errors={{}} q={c.req.query()} />,
      );
    }),
  );
  app.post(
    BACK,
    action('insight', async (c, s, f) => {
      const form = readForm(f, s.principal.organization.currency);
      if ('errors' in form) {
        const settings = await readInsightSettings(c.var.deps, { clinic: s.principal });
        return html(
          c,
          <SettingsPage s={s} settings={settings} values={f} errors={form.errors} q={{}} />,
          422,
        );
      }
      return exactlyOnce(c, s, f, BACK, async () => {
        const [budgetA, budgetB, budgetC] = form.budgets;
        const out = await saveInsightSettings(c.var.deps, {
          clinic: s.principal,
          abcABps: form.abcABps,
          abcBBps: form.abcBBps,
          budgetA,
          budgetB,
          budgetC,
        });
        return out.ok ? { location: `${BACK}?saved=1` } : outcome(BACK, out.error);
      });
    }),
  );
}
