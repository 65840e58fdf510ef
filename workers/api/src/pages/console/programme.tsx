import {
  bpsToPercent,
  formatMoney,
  minorUnitDigits,
  parseMoneyInput,
  parsePercentInput,
  toMajorUnits,
} from '@gratia/core';
import {
  accrualPoints,
  checkProgram,
  type LoyaltyRules,
  type ProgramInput,
  type ProgramVersion,
  readProgramHistory,
  setProgram,
} from '@gratia/points';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { formatTimeIn } from './format';
import { exampleSentence, PROGRAMME_SCRIPT } from './programme-script';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Programme: the clinic's bonus rules (accrual, expiry, minimum, bill share, discount tiers) with an
// example of what a visit earns under them, a form to change them (owners and managers: the area's
// roles, and setProgram's own), and the versions so far with who set each. The example is
// accrualPoints, the ledger's own formula, here and (live, as the form is typed) in the browser.

const BACK = '/console/programme';
const HISTORY_PAGE = 20;
/** Tier rows the form takes (the programme holds at most 20 tiers; checkProgram says so). */
const MAX_TIER_ROWS = 20;
/** The example visit: 500 in the clinic's currency. */
const EXAMPLE_MAJOR = 500;
const INCOMPLETE = 'Enter a rate and how many days points last to see an example.';

const FIELD_TEXT = {
  accrual_rate: 'Enter the rate as a percentage from 0 to 100, like 5 or 7.5.',
  expiry_days: 'Enter how many days points last: a whole number from 1 to 3660.',
  min_redemption_points: 'Enter the minimum as a whole number of points, 0 for none.',
  max_bill_share: 'Enter the share as a percentage from 0.01 to 100, or leave it empty for no limit.',
  tier: 'Enter both a lifetime spend (like 1000.00) and a discount from 0.01 to 100%, or leave both empty.',
  tiers:
    'Each tier starts at its own lifetime spend, and a higher spend cannot give a smaller discount (20 tiers at most).',
} as const;

type Values = Record<string, string>;
type Errors = Record<string, string>;

/** The form's fields for rules: what an owner would type to set them again. */
function valuesOf(r: LoyaltyRules): Values {
  const v: Values = {
    accrual_rate: bpsToPercent(r.accrualRateBps),
    expiry_days: String(r.expiryDays),
    min_redemption_points: String(r.minRedemptionPoints),
    max_bill_share: r.maxBillShareBps === null ? '' : bpsToPercent(r.maxBillShareBps),
  };
  r.discountTiers.forEach((t, i) => {
    v[`tier_spend_${i}`] = toMajorUnits(t.min_lifetime_spend, r.currency);
    v[`tier_discount_${i}`] = bpsToPercent(t.discount_bps);
  });
  return v;
}

/** The tier rows a form sent (JS may add rows): their indexes, in order. */
function tierRowsOf(f: Values): number[] {
  const rows = new Set<number>();
  for (const k of Object.keys(f)) {
    const m = /^tier_(?:spend|discount|remove)_(\d{1,2})$/.exec(k);
    if (m) rows.add(Number(m[1]));
  }
  return [...rows].sort((a, b) => a - b);
}

const wholeNumber = (text: string | undefined, blank?: number): number | null => {
  const s = (text ?? '').trim();
  if (s === '' && blank !== undefined) return blank;
  return /^\d{1,10}$/.test(s) ? Number(s) : null;
};

/**
 * The form as rules, checked by checkProgram (the use case's own check): the rules, or a sentence
 * for each field that is wrong.
 */
function readForm(f: Values, currency: string): { rules: ProgramInput } | { errors: Errors } {
  const errors: Errors = {};
  const rate = parsePercentInput(f.accrual_rate);
  if (typeof rate !== 'number') errors.accrual_rate = FIELD_TEXT.accrual_rate;
  const days = wholeNumber(f.expiry_days);
  if (days === null) errors.expiry_days = FIELD_TEXT.expiry_days;
  const min = wholeNumber(f.min_redemption_points, 0);
  if (min === null) errors.min_redemption_points = FIELD_TEXT.min_redemption_points;
  const share = parsePercentInput(f.max_bill_share);
  if (share === null) errors.max_bill_share = FIELD_TEXT.max_bill_share;
  const tiers: ProgramInput['discountTiers'] = [];
  const rowOfTier: number[] = [];
  for (const i of tierRowsOf(f)) {
    if (f[`tier_remove_${i}`]) continue;
    const spend = parseMoneyInput(f[`tier_spend_${i}`], currency);
    const discount = parsePercentInput(f[`tier_discount_${i}`]);
    if (spend === undefined && discount === undefined) continue;
    if (typeof spend !== 'number' || typeof discount !== 'number') {
      errors[`tier_${i}`] = FIELD_TEXT.tier;
      continue;
    }
    tiers.push({ minLifetimeSpend: { amount: spend, currency }, discountBps: discount });
    rowOfTier.push(i);
  }
  if (Object.keys(errors).length > 0) return { errors };
  const rules: ProgramInput = {
    accrualRateBps: rate as number,
    expiryDays: days as number,
    minRedemptionPoints: min as number,
    maxBillShareBps: share ?? null,
    discountTiers: tiers,
  };
  const checked = checkProgram(rules, currency);
  if (checked.ok) return { rules };
  for (const e of checked.error.errors ?? []) {
    const tier = /^discount_tiers\.(\d+)\./.exec(e.path);
    if (tier) errors[`tier_${rowOfTier[Number(tier[1])]}`] = FIELD_TEXT.tier;
    else if (e.path === 'accrual_rate_bps') errors.accrual_rate = FIELD_TEXT.accrual_rate;
    else if (e.path === 'expiry_days') errors.expiry_days = FIELD_TEXT.expiry_days;
    else if (e.path === 'min_redemption_points')
      errors.min_redemption_points = FIELD_TEXT.min_redemption_points;
    else if (e.path === 'max_bill_share_bps') errors.max_bill_share = FIELD_TEXT.max_bill_share;
    else errors.tiers = FIELD_TEXT.tiers;
  }
  if (Object.keys(errors).length === 0) errors.tiers = FIELD_TEXT.tiers;
  return { errors };
}

interface ExampleMoney {
  amount: number;
  currency: string;
  pointValue: number;
  pointCurrency: string;
}

const exampleMoney = (c: Context<AppEnv>, currency: string): ExampleMoney => ({
  amount: EXAMPLE_MAJOR * 10 ** minorUnitDigits(currency),
  currency,
  pointValue: c.var.deps.config.pointValue,
  pointCurrency: c.var.deps.config.currency,
});

/** The example sentence under a rate and an expiry: the ledger's formula, the one money formatter. */
function example(m: ExampleMoney, rateBps: number, days: number): string {
  const points = accrualPoints(m.amount, rateBps, m.pointValue);
  return exampleSentence(
    formatMoney(m.amount, m.currency),
    points,
    formatMoney(points * m.pointValue, m.pointCurrency),
    days,
  );
}

/** The example for what the form holds, if it holds a rate and an expiry the programme can take. */
function exampleOfValues(m: ExampleMoney, v: Values): string {
  const rate = parsePercentInput(v.accrual_rate);
  const days = /^\d{1,4}$/.test((v.expiry_days ?? '').trim()) ? Number(v.expiry_days) : 0;
  if (typeof rate !== 'number' || rate > 10_000 || days < 1 || days > 3660) return INCOMPLETE;
  return example(m, rate, days);
}

const percent = (bps: number) => `${bpsToPercent(bps)}%`;

const when = (ms: number | null, timeZone: string) =>
  ms === null ? 'From the start' : formatTimeIn(ms, timeZone);

function tiersText(r: LoyaltyRules): string {
  if (r.discountTiers.length === 0) return 'None';
  return r.discountTiers
    .map((t) => `${percent(t.discount_bps)} from ${formatMoney(t.min_lifetime_spend, r.currency)}`)
    .join(', ');
}

function setByText(v: ProgramVersion): string {
  if (v.version === 0) return 'Network default';
  if (!v.setBy) return 'Not recorded';
  return v.setBy.kind === 'staff' ? v.setBy.name : `API key “${v.setBy.name}”`;
}

const FIELD_ERROR_STYLE = 'color:var(--bad);font-weight:600;margin:.25rem 0';

/** A field's error, said next to it (the input points at it with aria-describedby). */
function FieldError(props: { id: string; text?: string }) {
  return props.text ? (
    <p class="field-error" id={`${props.id}-error`} style={FIELD_ERROR_STYLE}>
      {props.text}
    </p>
  ) : null;
}

function Field(props: {
  name: string;
  label: string;
  hint?: string;
  values: Values;
  errors: Errors;
  inputmode?: 'decimal' | 'numeric';
  required?: boolean;
}) {
  const error = props.errors[props.name];
  const described = [props.hint ? `${props.name}-hint` : '', error ? `${props.name}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div>
      <label for={props.name}>{props.label}</label>
      {props.hint ? (
        <p class="muted hint" id={`${props.name}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={props.name}
        name={props.name}
        value={props.values[props.name] ?? ''}
        inputmode={props.inputmode}
        autocomplete="off"
        required={props.required}
        maxlength={20}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      <FieldError id={props.name} text={error} />
    </div>
  );
}

function TierRow(props: { i: number; n: number; values: Values; errors: Errors; currency: string }) {
  const { i, values } = props;
  const error = props.errors[`tier_${i}`];
  const existing = Boolean(values[`tier_spend_${i}`] || values[`tier_discount_${i}`]);
  // A row's own error, or the tiers' (their order) on every filled row.
  const describedBy = error ? `tier_${i}-error` : props.errors.tiers && existing ? 'tiers-error' : null;
  const invalid = describedBy ? { 'aria-invalid': 'true', 'aria-describedby': describedBy } : {};
  return (
    <fieldset class="tier" data-row={String(i)}>
      <legend>Tier {props.n}</legend>
      <div class="row">
        <div>
          <label for={`tier_spend_${i}`}>From a lifetime spend of ({props.currency})</label>
          <input
            id={`tier_spend_${i}`}
            name={`tier_spend_${i}`}
            value={values[`tier_spend_${i}`] ?? ''}
            inputmode="decimal"
            autocomplete="off"
            maxlength={20}
            {...invalid}
          />
        </div>
        <div>
          <label for={`tier_discount_${i}`}>Discount (%)</label>
          <input
            id={`tier_discount_${i}`}
            name={`tier_discount_${i}`}
            value={values[`tier_discount_${i}`] ?? ''}
            inputmode="decimal"
            autocomplete="off"
            maxlength={20}
            {...invalid}
          />
        </div>
        {existing ? (
          <label class="inline" for={`tier_remove_${i}`}>
            <input
              type="checkbox"
              id={`tier_remove_${i}`}
              name={`tier_remove_${i}`}
              value="1"
              checked={Boolean(values[`tier_remove_${i}`])}
            />
            Remove this tier
          </label>
        ) : null}
      </div>
      <FieldError id={`tier_${i}`} text={error} />
    </fieldset>
  );
}

function ProgrammeForm(props: { csrf: string; values: Values; errors: Errors; money: ExampleMoney }) {
  const { values, errors, money } = props;
  const filled = tierRowsOf(values).filter((i) => values[`tier_spend_${i}`] || values[`tier_discount_${i}`]);
  // The tiers there are, then empty rows to add more (two without JavaScript; the script adds more).
  const next = filled.length > 0 ? Math.max(...filled) + 1 : 0;
  const rows = [...filled, ...[next, next + 1].slice(0, Math.max(0, MAX_TIER_ROWS - filled.length))];
  return (
    <form method="post" action={BACK} class="card" id="programme-form" novalidate>
      <h2>Change the rules</h2>
      <p class="muted">
        New rules apply to visits recorded from now on; points already earned keep the rules they were earned
        under.
      </p>
      {Object.keys(errors).length > 0 ? (
        <p class="status bad" role="alert">
          Please correct what is marked below: nothing was changed.
        </p>
      ) : null}
      <div class="grid two">
        <Field
          name="accrual_rate"
          label="Points earned (% of each paid visit)"
          values={values}
          errors={errors}
          inputmode="decimal"
          required
        />
        <Field
          name="expiry_days"
          label="Points last (days after the visit)"
          values={values}
          errors={errors}
          inputmode="numeric"
          required
        />
        <Field
          name="min_redemption_points"
          label="Minimum points to spend at once"
          values={values}
          errors={errors}
          inputmode="numeric"
        />
        <Field
          name="max_bill_share"
          label="Largest share of a bill points may pay (%)"
          hint="Leave empty for no limit."
          values={values}
          errors={errors}
          inputmode="decimal"
        />
      </div>
      <p
        id="programme-example"
        class="status ok"
        role="status"
        aria-live="polite"
        data-amount={String(money.amount)}
        data-currency={money.currency}
        data-digits={String(minorUnitDigits(money.currency))}
        data-point-value={String(money.pointValue)}
        data-point-currency={money.pointCurrency}
        data-point-digits={String(minorUnitDigits(money.pointCurrency))}
        data-incomplete={INCOMPLETE}
      >
        {exampleOfValues(money, values)}
      </p>
      <h3>Discount tiers</h3>
      <p class="muted">
        A patient whose lifetime spend at the clinic reaches a tier's amount gets its discount.
      </p>
      {errors.tiers ? (
        <p class="field-error" id="tiers-error" style={FIELD_ERROR_STYLE}>
          {errors.tiers}
        </p>
      ) : null}
      <div id="tier-rows" data-max={String(MAX_TIER_ROWS)}>
        {rows.map((i, n) => (
          <TierRow i={i} n={n + 1} values={values} errors={errors} currency={money.currency} />
        ))}
      </div>
      <button type="button" id="add-tier" class="secondary small" hidden>
        Add a tier
      </button>
      <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
      <button type="submit">Save the rules</button>
    </form>
  );
}

function History(props: {
  versions: ProgramVersion[];
  nextBefore: number | null;
  paged: boolean;
  timeZone: string;
}) {
  return (
    <section class="card" aria-labelledby="history">
      <h2 id="history">History</h2>
      {/* Focusable: on a phone the table scrolls sideways, and a keyboard must reach it too. */}
      <section class="table-wrap" tabindex={0} aria-label="The versions">
        <table>
          <caption class="muted">Every version of the rules, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">In force from</th>
              <th scope="col">Set by</th>
              <th scope="col" class="num">
                Earned
              </th>
              <th scope="col" class="num">
                Lasts
              </th>
              <th scope="col" class="num">
                Minimum
              </th>
              <th scope="col" class="num">
                Bill share
              </th>
              <th scope="col">Tiers</th>
            </tr>
          </thead>
          <tbody>
            {props.versions.map((v) => (
              <tr>
                <th scope="row">{v.version}</th>
                <td>{when(v.createdAt, props.timeZone)}</td>
                <td>{setByText(v)}</td>
                <td class="num">{percent(v.accrualRateBps)}</td>
                <td class="num">{v.expiryDays} days</td>
                <td class="num">{v.minRedemptionPoints.toLocaleString('en-GB')}</td>
                <td class="num">{v.maxBillShareBps === null ? 'No limit' : percent(v.maxBillShareBps)}</td>
                <td>{tiersText(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <nav class="pager" aria-label="History pages">
        {props.paged ? <a href={BACK}>Newest versions</a> : null}
        {props.nextBefore !== null ? <a href={`${BACK}?before=${props.nextBefore}`}>Older versions</a> : null}
      </nav>
    </section>
  );
}

type HistoryPage = Awaited<ReturnType<typeof readProgramHistory>>;

function ProgrammePage(props: {
  c: Context<AppEnv>;
  s: Signed;
  history: HistoryPage;
  paged: boolean;
  values: Values;
  errors: Errors;
}) {
  const { c, s, history } = props;
  const p = s.principal;
  const current = history.current;
  const money = exampleMoney(c, p.organization.currency);
  const q = c.req.query();
  const saved = /^\d{1,9}$/.test(q.saved ?? '')
    ? `Saved. Version ${q.saved} of the rules applies to visits from now on.`
    : undefined;
  return (
    <ConsolePage
      title="Programme"
      principal={p}
      csrf={s.session.csrf}
      area="programme"
      scripts={['/console/programme.js']}
    >
      <h1>Programme</h1>
      <Flash q={q} ok={saved} />
      <p>
        <a href="/console/branches">Branches</a>: where the clinic is, so gifts from partners nearby are
        suggested first.
      </p>
      <section class="card" aria-labelledby="in-force">
        <h2 id="in-force">
          In force: version {current.version}
          {current.version === 0 ? ' (the network default)' : ''}
        </h2>
        <p>{example(money, current.accrualRateBps, current.expiryDays)}</p>
        <dl>
          <dt>Points earned</dt>
          <dd>{percent(current.accrualRateBps)} of each paid visit</dd>
          <dt>Points last</dt>
          <dd>{current.expiryDays} days after the visit</dd>
          <dt>Minimum to spend at once</dt>
          <dd>
            {current.minRedemptionPoints === 0
              ? 'None'
              : `${current.minRedemptionPoints.toLocaleString('en-GB')} points`}
          </dd>
          <dt>Largest share of a bill points may pay</dt>
          <dd>{current.maxBillShareBps === null ? 'No limit' : percent(current.maxBillShareBps)}</dd>
          <dt>Discount tiers</dt>
          <dd>{tiersText(current)}</dd>
        </dl>
      </section>
      <ProgrammeForm csrf={s.session.csrf} values={props.values} errors={props.errors} money={money} />
      <History
        versions={history.versions}
        nextBefore={history.nextBefore}
        paged={props.paged}
        timeZone={p.organization.timezone}
      />
    </ConsolePage>
  );
}

/** `?before=<version>`: a page of older versions; anything else is the newest page. */
const beforeOf = (text: string | undefined) => (/^[1-9]\d{0,8}$/.test(text ?? '') ? Number(text) : undefined);

export function registerConsoleProgramme(app: Hono<AppEnv>) {
  app.get(
    BACK,
    page('programme', async (c, s) => {
      const before = beforeOf(c.req.query('before'));
      const history = await readProgramHistory(c.var.deps, {
        clinic: s.principal,
        before,
        limit: HISTORY_PAGE,
      });
      return html(
        c,
        <ProgrammePage
          c={c}
          s={s}
          history={history}
          paged={before !== undefined}
          values={valuesOf(history.current)}
          errors={{}}
        />,
      );
    }),
  );

  app.post(
    BACK,
    action('programme', async (c, s, f) => {
      const form = readForm(f, s.principal.organization.currency);
      if ('errors' in form) {
        const history = await readProgramHistory(c.var.deps, { clinic: s.principal, limit: HISTORY_PAGE });
        return html(
          c,
          <ProgrammePage c={c} s={s} history={history} paged={false} values={f} errors={form.errors} />,
          422,
        );
      }
      return exactlyOnce(c, s, f, BACK, async () => {
        const out = await setProgram(c.var.deps, { clinic: s.principal, rules: form.rules });
        return out.ok ? { location: `${BACK}?saved=${out.value.version}` } : outcome(BACK, out.error);
      });
    }),
  );

  app.get('/console/programme.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=300');
    return c.body(PROGRAMME_SCRIPT);
  });
}
