import { formatMoney, parseMoneyInput, toMajorUnits } from '@gratia/core';
import { SEGMENT_FIELDS, SEGMENT_OPS, type SegmentField, type SegmentOp, type SegmentRule } from '@gratia/db';
import {
  ruleInWords,
  SEGMENT_FIELD_SPECS,
  SEGMENT_OP_WORDS,
  type SegmentMember,
  type SegmentMonth,
  type SegmentView,
} from '@gratia/insight';
import { RulesSchema } from '../../routes/segments/schema';
import { formatWhen, TableWrap } from './patient-views';
import { CHART_LIBRARY_PATH, CHART_SCRIPT_PATH } from './reports-view';

// The segments pages' parts: the rule rows of the form (plain selects and inputs: blank rows are
// ignored, so it works without script), how a row's text becomes a rule, the member table and the
// engagement chart, drawn by the reports' Chart.js script from the JSON beside its table.

/** Rule rows the form always offers (more when a segment has more rules, up to the limit). */
export const BLANK_ROWS = 6;

export interface RuleRow {
  field: string;
  op: string;
  key: string;
  value: string;
}

const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthLabel = (month: string) => MONTH_FORMAT.format(new Date(`${month}-01T00:00:00Z`));

/** A saved rule as the form shows it (money in major units, lists comma-separated). */
export function rowOf(rule: SegmentRule, currency: string): RuleRow {
  const kind = SEGMENT_FIELD_SPECS[rule.field]?.kind;
  const value = Array.isArray(rule.value)
    ? rule.value.join(', ')
    : kind === 'money' && typeof rule.value === 'number'
      ? toMajorUnits(rule.value, currency)
      : String(rule.value);
  return { field: rule.field, op: rule.op, key: rule.key ?? '', value };
}

/** The rows a form posted (`field_0`, `op_0`, `key_0`, `value_0`, ...); rows without a field are ignored. */
export function rowsOf(f: Record<string, string>): RuleRow[] {
  const rows: RuleRow[] = [];
  for (let i = 0; i < 40; i++) {
    if (!(`field_${i}` in f)) continue;
    rows.push({
      field: f[`field_${i}`]?.trim() ?? '',
      op: f[`op_${i}`]?.trim() ?? '',
      key: f[`key_${i}`]?.trim() ?? '',
      value: f[`value_${i}`]?.trim() ?? '',
    });
  }
  return rows;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** A row's value in the type its field takes (what zod then checks). */
function typedValue(row: RuleRow, currency: string): unknown {
  const spec = SEGMENT_FIELD_SPECS[row.field as SegmentField];
  const v = row.value;
  if (!spec) return v;
  const list = v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  switch (spec.kind) {
    case 'money': {
      const minor = parseMoneyInput(v, currency);
      return minor ?? v;
    }
    case 'days':
    case 'count':
    case 'points':
    case 'score':
      return NUMBER.test(v) ? Number(v) : v;
    case 'month':
      return row.op === 'in'
        ? list.map((x) => (NUMBER.test(x) ? Number(x) : x))
        : NUMBER.test(v)
          ? Number(v)
          : v;
    case 'boolean':
      return v === 'true' || v === 'yes' ? true : v === 'false' || v === 'no' ? false : v;
    case 'answer':
      return NUMBER.test(v) ? Number(v) : v;
    default:
      return row.op === 'in' ? list : v;
  }
}

/** Rows into rules (blank rows dropped), or each row's error, by row index. */
export function rulesFromRows(
  rows: RuleRow[],
  currency: string,
): { ok: true; rules: SegmentRule[] } | { ok: false; errors: Map<number, string> } {
  const used = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.field !== '');
  const raw = used.map(({ r }) => ({
    field: r.field,
    op: r.op,
    ...(SEGMENT_FIELD_SPECS[r.field as SegmentField]?.key ? { key: r.key } : {}),
    value: typedValue(r, currency),
  }));
  const parsed = RulesSchema.safeParse(raw);
  if (parsed.success) return { ok: true, rules: parsed.data as SegmentRule[] };
  const errors = new Map<number, string>();
  for (const issue of parsed.error.issues) {
    const at = typeof issue.path[0] === 'number' ? issue.path[0] : -1;
    const row = used[at]?.i ?? -1;
    if (errors.has(row)) continue;
    const spec = SEGMENT_FIELD_SPECS[used[at]?.r.field as SegmentField];
    errors.set(
      row,
      spec
        ? `${spec.label} takes ${spec.ops.map((o) => `“${SEGMENT_OP_WORDS[o]}”`).join(', ')}${
            spec.key === 'question'
              ? ' with a question id'
              : spec.key === 'channel'
                ? ' with e-mail or sms'
                : ''
          } and ${valueHint(spec.kind)}.`
        : 'Choose what the rule tests.',
    );
  }
  return { ok: false, errors };
}

function valueHint(kind: string): string {
  switch (kind) {
    case 'money':
      return 'an amount such as 500.00';
    case 'days':
      return 'a number of days';
    case 'count':
    case 'points':
      return 'a whole number';
    case 'score':
      return 'a number from 0 to 100';
    case 'month':
      return 'a month number 1-12 (several, comma-separated, for “is one of”)';
    case 'boolean':
      return 'yes or no';
    case 'abc':
      return 'A, B or C (several, comma-separated, for “is one of”)';
    case 'growth':
      return 'new, rising, steady, falling or lapsed';
    case 'quadrant':
      return 'apostle, mercenary, hostage, defector or unknown';
    case 'branch':
      return 'a branch id (brn_...)';
    default:
      return 'a value';
  }
}

export function RuleRows(props: { rows: RuleRow[]; errors?: Map<number, string> }) {
  return (
    <fieldset>
      <legend>Rules (a member meets all of them; leave a row empty to skip it)</legend>
      {props.rows.map((r, i) => {
        const error = props.errors?.get(i);
        const n = i + 1;
        return (
          <div class="row rule" aria-invalid={error ? 'true' : undefined}>
            <div>
              <label for={`field_${i}`}>Rule {n}: what</label>
              <select id={`field_${i}`} name={`field_${i}`}>
                <option value="">(none)</option>
                {SEGMENT_FIELDS.map((field) => (
                  <option value={field} selected={r.field === field}>
                    {SEGMENT_FIELD_SPECS[field].label}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for={`op_${i}`}>Rule {n}: how</label>
              <select id={`op_${i}`} name={`op_${i}`}>
                {SEGMENT_OPS.map((op: SegmentOp) => (
                  <option value={op} selected={r.op === op}>
                    {SEGMENT_OP_WORDS[op]}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for={`key_${i}`}>Rule {n}: question or channel</label>
              <input id={`key_${i}`} name={`key_${i}`} value={r.key} maxlength={64} />
            </div>
            <div>
              <label for={`value_${i}`}>Rule {n}: value</label>
              <input id={`value_${i}`} name={`value_${i}`} value={r.value} maxlength={400} />
            </div>
            {error ? (
              <p class="field-error" role="alert" style="flex-basis:100%">
                Rule {n}: {error}
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}

export function RulesInWords(props: {
  rules: SegmentRule[];
  currency: string;
  branches: { id: string; name: string }[];
}) {
  if (props.rules.length === 0) return <p>Every patient of the clinic (no rules).</p>;
  const names = new Map(props.branches.map((b) => [b.id, b.name]));
  return (
    <ul class="rules">
      {props.rules.map((r) => (
        <li>{ruleInWords(r, { currency: props.currency, branchName: (id) => names.get(id) })}</li>
      ))}
    </ul>
  );
}

export function MembersTable(props: { members: SegmentMember[]; currency: string; timezone: string }) {
  if (props.members.length === 0) return <p class="muted">No patient meets these rules now.</p>;
  return (
    <TableWrap label="Members">
      <table>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            <th scope="col">A/B/C</th>
            <th scope="col">Quadrant</th>
            <th scope="col" class="num">
              Spend, 12 months
            </th>
            <th scope="col">Last visit</th>
            <th scope="col" class="num">
              Engagement
            </th>
            <th scope="col">Consent</th>
          </tr>
        </thead>
        <tbody>
          {props.members.map((m) => (
            <tr>
              <th scope="row">
                <a href={`/console/patients/${m.patientId}`}>
                  {m.firstName} {m.lastName}
                </a>
              </th>
              <td>{m.abcClass ?? '–'}</td>
              <td>{m.quadrant}</td>
              <td class="num">{formatMoney(m.spend12m, props.currency)}</td>
              <td>{m.lastVisitAt === null ? 'never' : formatWhen(m.lastVisitAt, props.timezone)}</td>
              <td class="num">{m.engagement}</td>
              <td>
                {[m.consentEmail ? 'e-mail' : null, m.consentSms ? 'SMS' : null].filter(Boolean).join(', ') ||
                  'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Members and average engagement per month: two figures drawn as the reports' charts are. */
export function EngagementChart(props: { segment: SegmentView; months: SegmentMonth[] }) {
  const labels = props.months.map((m) => monthLabel(m.month));
  const figure = (
    id: string,
    title: string,
    type: 'bar' | 'line',
    values: (number | null)[],
    summary: string,
  ) => {
    const json = JSON.stringify({
      type,
      unit: 'count',
      currency: 'EUR',
      labels,
      series: [{ label: title, values }],
    })
      // JSON inside <script> is raw text: "<" is escaped so no value can close the element.
      .replace(/</g, '\\u003c');
    return (
      <section class="card" aria-labelledby={id}>
        <h2 id={id}>{title}</h2>
        <figure data-chart="">
          <div class="chart">
            <canvas role="img" aria-label={`${summary} The table has the same figures.`} />
          </div>
          <TableWrap label={`${title}, month by month`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col" class="num">
                    {title}
                  </th>
                </tr>
              </thead>
              <tbody>
                {labels.map((label, i) => (
                  <tr>
                    <th scope="row">{label}</th>
                    <td class="num">{values[i] ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <figcaption>Taken daily; a past month shows its last day.</figcaption>
          <script type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
        </figure>
      </section>
    );
  };
  return (
    <div class="reports">
      {figure(
        'segment-members',
        'Members',
        'bar',
        props.months.map((m) => m.patients),
        'Bar chart of the members of the segment each month.',
      )}
      {figure(
        'segment-engagement',
        'Average engagement',
        'line',
        props.months.map((m) => m.engagement),
        'Line chart of the members’ average engagement (0-100) each month.',
      )}
      <script src={CHART_LIBRARY_PATH} defer />
      <script src={CHART_SCRIPT_PATH} defer />
    </div>
  );
}
