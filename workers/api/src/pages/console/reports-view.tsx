import { formatMoney, minorUnitDigits } from '@gratia/core';
import type { MonthlyReport, ReportMonth } from '@gratia/points';
import { CHART_LIBRARY_SOURCE } from '../../generated/chart-source';
import { CHART_SCRIPT } from './chart-script';

// The clinic console's reports: one section per subject (points, liability, gifts, breakage, active
// patients), each a figure with a chart (Chart.js, drawn by CHART_SCRIPT into the canvas) and the table
// of the same figures beside it: the table is the accessible fallback and the source of truth, and a
// page without script shows it alone. The console serves the two scripts from its own origin (the
// CSP allows scripts from 'self' only): CHART_LIBRARY_SOURCE at CHART_LIBRARY_PATH, CHART_SCRIPT at
// CHART_SCRIPT_PATH.

export { CHART_LIBRARY_SOURCE, CHART_SCRIPT };
/** Where the console serves the vendored Chart.js build, and the script that draws the figures. */
export const CHART_LIBRARY_PATH = '/console/charts.js';
export const CHART_SCRIPT_PATH = '/console/chart.js';

/** The view's own layout: charts and tables side by side where there is room, stacked on a phone. */
export const REPORTS_STYLE = `
.reports figure{margin:0;display:grid;gap:1rem;grid-template-columns:minmax(0,1fr)}
@media (min-width:60rem){.reports figure{grid-template-columns:minmax(0,3fr) minmax(0,2fr);align-items:start}}
.reports .chart{position:relative;min-width:0}.reports figure:not(.charted) .chart{display:none}
.reports figcaption{grid-column:1/-1;color:var(--muted,#5b6170)}
.reports .table-wrap{overflow-x:auto}.reports table{font-size:.9rem}.reports th[scope=row]{white-space:nowrap}
`;

type Unit = 'count' | 'points' | 'money' | 'percent';
interface Column {
  label: string;
  value: (m: ReportMonth) => number | null;
  unit: Unit;
  /** The total row's cell (none: a figure that does not add up, like a balance). */
  total?: number | null;
  /** Drawn in the chart (the table has every column). */
  charted?: boolean;
}

/** Built once: a format per call costs more than the whole page's figures. */
const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

const monthLabel = (month: string) => MONTH_FORMAT.format(new Date(`${month}-01T00:00:00Z`));

function Section(props: {
  id: string;
  title: string;
  caption: string;
  chart: 'bar' | 'line';
  /** What the chart draws, for people who do not see it. */
  summary: string;
  currency: string;
  months: ReportMonth[];
  columns: Column[];
}) {
  const { id, months, columns, currency } = props;
  const cell = (v: number | null | undefined, unit: Unit) => {
    if (v === null || v === undefined) return '–';
    if (unit === 'money') return formatMoney(v, currency);
    if (unit === 'percent') return `${(v * 100).toLocaleString('en-GB', { maximumFractionDigits: 1 })}%`;
    return v.toLocaleString('en-GB');
  };
  const charted = columns.filter((c) => c.charted !== false);
  const scale = 10 ** minorUnitDigits(currency);
  const spec = {
    type: props.chart,
    unit: charted[0]?.unit ?? 'count',
    currency,
    labels: months.map((m) => monthLabel(m.month)),
    series: charted.map((c) => ({
      label: c.label,
      values: months.map((m) => {
        const v = c.value(m);
        return v !== null && c.unit === 'money' ? v / scale : v;
      }),
    })),
  };
  // JSON inside <script> is raw text: "<" is escaped so no value can close the element.
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  const hasTotals = columns.some((c) => c.total !== undefined);
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      <figure data-chart="">
        <div class="chart">
          <canvas role="img" aria-label={`${props.summary} The table has the same figures.`} />
        </div>
        {/* A table wider than a phone scrolls in its own box, which the keyboard can reach. */}
        <section class="table-wrap" aria-label={`${props.title}, month by month`} tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Month</th>
                {columns.map((c) => (
                  <th scope="col" class="num">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {months.map((m) => (
                <tr>
                  <th scope="row">{monthLabel(m.month)}</th>
                  {columns.map((c) => (
                    <td class="num">{cell(c.value(m), c.unit)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
            {hasTotals ? (
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  {columns.map((c) => (
                    <td class="num">{c.total === undefined ? '' : cell(c.total, c.unit)}</td>
                  ))}
                </tr>
              </tfoot>
            ) : null}
          </table>
        </section>
        <figcaption>{props.caption}</figcaption>
        <script type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
      </figure>
    </section>
  );
}

/**
 * A clinic's monthly report: its sections, each chart with its table, and the CSV of the same months
 * at `csvHref`. Put REPORTS_STYLE in the page's style; the view loads the two scripts itself (deferred,
 * the library first).
 */
export function ReportsView({ report, csvHref }: { report: MonthlyReport; csvHref: string }) {
  const { months, totals, currency } = report;
  const points = report.pointValue.currency;
  const range = `${monthLabel(report.from)} to ${monthLabel(report.to)}`;
  return (
    <div class="reports">
      <p>
        {range}, each month in {report.timezone} time. Points are worth{' '}
        {formatMoney(report.pointValue.amount, points)} each.{' '}
        <a href={csvHref} download>
          Download these months as CSV
        </a>
      </p>
      <Section
        id="report-points"
        title="Points"
        caption="Points issued by visits, spent anywhere in the network, and expired, each month; given back are spends that were reversed."
        chart="bar"
        summary={`Bar chart of the points issued, spent and expired each month, ${range}.`}
        currency={currency}
        months={months}
        columns={[
          { label: 'Issued', value: (m) => m.points.issued, unit: 'points', total: totals.points.issued },
          { label: 'Spent', value: (m) => m.points.spent, unit: 'points', total: totals.points.spent },
          { label: 'Expired', value: (m) => m.points.expired, unit: 'points', total: totals.points.expired },
          {
            label: 'Given back',
            value: (m) => m.points.reversed,
            unit: 'points',
            total: totals.points.reversed,
            charted: false,
          },
        ]}
      />
      <Section
        id="report-liability"
        title="Points liability"
        caption="What the points still on patients' cards are worth at the end of each month: what the clinic would owe if they were all spent."
        chart="line"
        summary={`Line chart of the points liability at the end of each month, ${range}.`}
        currency={points}
        months={months}
        columns={[
          { label: 'Liability', value: (m) => m.liability, unit: 'money' },
          { label: 'Points outstanding', value: (m) => m.points.outstanding, unit: 'points', charted: false },
        ]}
      />
      <Section
        id="report-gifts"
        title="Gifts"
        caption="Gifts issued and redeemed at partners each month (less reversed redemptions); the redemption rate is the share of the value issued in the month that has been redeemed since."
        chart="bar"
        summary={`Bar chart of the gifts issued and redeemed each month, ${range}.`}
        currency={currency}
        months={months}
        columns={[
          { label: 'Issued', value: (m) => m.gifts.issued, unit: 'count', total: totals.gifts.issued },
          { label: 'Redeemed', value: (m) => m.gifts.redeemed, unit: 'count', total: totals.gifts.redeemed },
          {
            label: 'Value issued',
            value: (m) => m.gifts.issuedValue,
            unit: 'money',
            total: totals.gifts.issuedValue,
            charted: false,
          },
          {
            label: 'Value redeemed',
            value: (m) => m.gifts.redeemedValue,
            unit: 'money',
            total: totals.gifts.redeemedValue,
            charted: false,
          },
          {
            label: 'Redemption rate',
            value: (m) => m.gifts.redemptionRate,
            unit: 'percent',
            total: totals.gifts.redemptionRate,
            charted: false,
          },
        ]}
      />
      <Section
        id="report-breakage"
        title="Breakage"
        caption="The value gifts still had when they expired unredeemed, in the month they expired; voided gifts are counted apart."
        chart="bar"
        summary={`Bar chart of the breakage each month, ${range}.`}
        currency={currency}
        months={months}
        columns={[
          { label: 'Breakage', value: (m) => m.gifts.breakage, unit: 'money', total: totals.gifts.breakage },
          {
            label: 'Gifts expired',
            value: (m) => m.gifts.lapsed,
            unit: 'count',
            total: totals.gifts.lapsed,
            charted: false,
          },
          {
            label: 'Gifts voided',
            value: (m) => m.gifts.voided,
            unit: 'count',
            total: totals.gifts.voided,
            charted: false,
          },
        ]}
      />
      <Section
        id="report-patients"
        title="Active patients"
        caption="Patients with a visit, a points spend or a gift redeemed in the month, and the month's paid visits."
        chart="bar"
        summary={`Bar chart of the active patients each month, ${range}.`}
        currency={currency}
        months={months}
        columns={[
          { label: 'Active patients', value: (m) => m.activePatients, unit: 'count' },
          { label: 'Visits', value: (m) => m.visits, unit: 'count', total: totals.visits, charted: false },
          {
            label: 'Visit revenue',
            value: (m) => m.visitRevenue,
            unit: 'money',
            total: totals.visitRevenue,
            charted: false,
          },
        ]}
      />
      <script src={CHART_LIBRARY_PATH} defer />
      <script src={CHART_SCRIPT_PATH} defer />
    </div>
  );
}
