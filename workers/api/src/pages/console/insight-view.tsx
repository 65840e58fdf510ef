import { QUADRANTS, type Quadrant } from '@gratia/db';
import {
  ABC_VALUES,
  type AbcValue,
  GROWTH_VALUES,
  type GrowthValue,
  type InsightMonth,
  type InsightOverview,
  MOVE_FROM,
  type MoveFrom,
} from '@gratia/insight';
import type { Child } from 'hono/jsx';
import { TableWrap } from './patient-views';
import { CHART_LIBRARY_PATH, CHART_SCRIPT_PATH } from './reports-view';

// The console's Insight view: each subject a figure with its chart (drawn by the reports' chart script
// from the JSON beside it, with the same Chart.js) and the table of the same figures under it: the
// table is what screen readers and pages without script get, and the source of truth.

export const QUADRANT_TEXT: Record<Quadrant, { name: string; explained: string }> = {
  apostle: { name: 'Apostles', explained: 'satisfied and loyal: they come back and recommend you' },
  mercenary: {
    name: 'Mercenaries',
    explained: 'satisfied but not loyal: they like you, yet come rarely or go elsewhere',
  },
  hostage: {
    name: 'Hostages',
    explained: 'loyal but not satisfied: they keep coming without liking it; listen to them',
  },
  defector: { name: 'Defectors', explained: 'neither satisfied nor loyal: likely to leave' },
  unknown: { name: 'Unknown', explained: 'no survey answer yet' },
};
const MOVE_FROM_TEXT = (from: MoveFrom) => (from === 'none' ? 'New this month' : QUADRANT_TEXT[from].name);

const ABC_TEXT: Record<AbcValue, string> = {
  // Short: the shares are the clinic's own thresholds (its settings), not always 80% and 15%.
  A: 'A: most revenue',
  B: 'B: the next share',
  C: 'C: the rest',
  none: 'No revenue in 12 months',
};
const GROWTH_TEXT: Record<GrowthValue, string> = {
  new: 'New (first year)',
  rising: 'Spending more',
  steady: 'Steady',
  falling: 'Spending less',
  lapsed: 'Lapsed (nothing this year)',
  none: 'Not known yet',
};

const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
export const monthLabel = (month: string) => MONTH_FORMAT.format(new Date(`${month}-01T00:00:00Z`));

const share = (n: number, whole: number) =>
  whole > 0 ? `${((n / whole) * 100).toLocaleString('en-GB', { maximumFractionDigits: 1 })}%` : '–';

interface Spec {
  type: 'bar' | 'line' | 'doughnut';
  stacked?: boolean;
  labels: string[];
  series: { label: string; values: (number | null)[] }[];
}

/** A chart (its spec as JSON for the chart script) with its table under it. */
function ChartFigure(props: { id: string; title: string; summary: string; spec: Spec; children: Child }) {
  // JSON inside <script> is raw text: "<" is escaped so no value can close the element.
  const json = JSON.stringify({ unit: 'count', ...props.spec }).replace(/</g, '\\u003c');
  return (
    <figure data-chart="">
      <div class="chart">
        <canvas role="img" aria-label={`${props.summary} The table has the same figures.`} />
      </div>
      <section class="table-wrap" aria-label={props.title} tabindex={0}>
        {props.children}
      </section>
      <script type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
    </figure>
  );
}

function Empty(props: { children: Child }) {
  return <p class="muted empty">{props.children}</p>;
}

function CountTable(props: { caption: string; rows: { label: string; n: number }[]; total: number }) {
  return (
    <TableWrap label={props.caption}>
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.caption}</th>
            <th scope="col" class="num">
              Patients
            </th>
            <th scope="col" class="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td class="num">{r.n.toLocaleString('en-GB')}</td>
              <td class="num">{share(r.n, props.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function MovesTable(props: { month: InsightMonth; previous: string }) {
  const { moves } = props.month;
  const cell = (from: MoveFrom, to: Quadrant) =>
    moves.find((m) => m.from === from && m.to === to)?.patients ?? 0;
  const froms = MOVE_FROM.filter((f) => moves.some((m) => m.from === f));
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">
            From {monthLabel(props.previous)} ↓ / to {monthLabel(props.month.month)} →
          </th>
          {QUADRANTS.map((q) => (
            <th scope="col" class="num">
              {QUADRANT_TEXT[q].name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {froms.map((f) => (
          <tr>
            <th scope="row">{MOVE_FROM_TEXT(f)}</th>
            {QUADRANTS.map((q) => {
              const n = cell(f, q);
              return <td class={f === q ? 'num same' : 'num'}>{n === 0 ? '' : n.toLocaleString('en-GB')}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The last `n` cohorts seen in the months, oldest first. */
const latestCohorts = (months: InsightMonth[], n: number) =>
  [...new Set(months.flatMap((m) => m.cohorts.map((c) => c.cohort)))].sort().slice(-n);

export const INSIGHT_STYLE = `
.insight .empty{background:#fff;border-radius:10px;padding:.75rem}
.insight td.same{font-weight:600}.insight ul.quadrants li{display:block;border:0;padding:.15rem 0}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

export function InsightView({ overview, links }: { overview: InsightOverview; links: Child }) {
  const { summary, months } = overview;
  const range = `${monthLabel(overview.from)} to ${monthLabel(overview.to)}`;
  const known = summary.patients;
  const answered = known - summary.quadrant.unknown;
  const last = months[months.length - 1]!;
  const previous = months.length > 1 ? months[months.length - 2]!.month : last.month;
  const snapshots = months.some((m) => m.snapshot);
  const cohorts = latestCohorts(months, 6);
  const abcRows = ABC_VALUES.map((v) => ({ label: ABC_TEXT[v], n: summary.abc[v] }));
  const growthRows = GROWTH_VALUES.map((v) => ({ label: GROWTH_TEXT[v], n: summary.growth[v] }));
  return (
    <div class="insight reports">
      <div class="figures">
        <div class="figure">
          <strong>{known.toLocaleString('en-GB')}</strong> patients known
        </div>
        <div class="figure">
          <strong>{answered.toLocaleString('en-GB')}</strong> with a survey answer
        </div>
        <div class="figure">
          <strong>{summary.winBack.toLocaleString('en-GB')}</strong>{' '}
          <a href="/console/win-back">on the win-back list</a>
        </div>
      </div>
      {links}

      <section class="card" aria-labelledby="insight-abc">
        <h2 id="insight-abc">A/B/C by revenue</h2>
        {known === 0 ? (
          <Empty>No patients yet: the classes appear as visits are recorded.</Empty>
        ) : (
          <ChartFigure
            id="abc"
            title="Patients per A/B/C class"
            summary="Bar chart of the patients in each A/B/C class by their revenue over the last 12 months."
            spec={{
              type: 'bar',
              labels: ABC_VALUES.map((v) => (v === 'none' ? 'No revenue' : v)),
              series: [{ label: 'Patients', values: ABC_VALUES.map((v) => summary.abc[v]) }],
            }}
          >
            <CountTable caption="Class" rows={abcRows} total={known} />
          </ChartFigure>
        )}
      </section>

      <section class="card" aria-labelledby="insight-quadrants">
        <h2 id="insight-quadrants">Loyalty quadrants now</h2>
        <ul class="plain quadrants">
          {QUADRANTS.map((q) => (
            <li>
              <strong>{QUADRANT_TEXT[q].name}</strong>: {QUADRANT_TEXT[q].explained}.
            </li>
          ))}
        </ul>
        {answered === 0 ? (
          <Empty>No survey answers yet: send surveys from a patient's page.</Empty>
        ) : (
          <ChartFigure
            id="quadrants"
            title="Patients per loyalty quadrant"
            summary="Doughnut chart of the patients in each loyalty quadrant."
            spec={{
              type: 'doughnut',
              labels: QUADRANTS.map((q) => QUADRANT_TEXT[q].name),
              series: [{ label: 'Patients', values: QUADRANTS.map((q) => summary.quadrant[q]) }],
            }}
          >
            <CountTable
              caption="Quadrant"
              rows={QUADRANTS.map((q) => ({ label: QUADRANT_TEXT[q].name, n: summary.quadrant[q] }))}
              total={known}
            />
          </ChartFigure>
        )}
      </section>

      <section class="card" aria-labelledby="insight-moves">
        <h2 id="insight-moves">
          Moves from {monthLabel(previous)} to {monthLabel(last.month)}
        </h2>
        {last.moves.length === 0 ? (
          <Empty>
            No moves between quadrants this month yet: they appear once patients have answered a survey in two
            months.
          </Empty>
        ) : (
          <section class="table-wrap" aria-label="Quadrant moves" tabindex={0}>
            <MovesTable month={last} previous={previous} />
          </section>
        )}
        <h3>Quadrants month by month</h3>
        {!snapshots ? (
          <Empty>No monthly figures yet: they are taken daily, the first appear tomorrow.</Empty>
        ) : (
          <ChartFigure
            id="quadrant-months"
            title="Patients per quadrant, month by month"
            summary={`Stacked bar chart of the patients in each quadrant at each month's snapshot, ${range}.`}
            spec={{
              type: 'bar',
              stacked: true,
              labels: months.map((m) => monthLabel(m.month)),
              series: QUADRANTS.map((q) => ({
                label: QUADRANT_TEXT[q].name,
                values: months.map((m) => m.quadrant[q]),
              })),
            }}
          >
            <table>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  {QUADRANTS.map((q) => (
                    <th scope="col" class="num">
                      {QUADRANT_TEXT[q].name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <tr>
                    <th scope="row">{monthLabel(m.month)}</th>
                    {QUADRANTS.map((q) => (
                      <td class="num">{m.snapshot ? m.quadrant[q].toLocaleString('en-GB') : '–'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </ChartFigure>
        )}
      </section>

      <section class="card" aria-labelledby="insight-cohorts">
        <h2 id="insight-cohorts">Cohorts' engagement</h2>
        <p class="muted">
          A cohort is the patients whose first visit was in the same month; engagement (0 to 100) counts
          visits, redemptions, link opens and survey answers.
        </p>
        {cohorts.length === 0 ? (
          <Empty>
            No cohorts yet: they appear with the first monthly figures after patients' first visits.
          </Empty>
        ) : (
          <ChartFigure
            id="cohorts"
            title="Average engagement per cohort, month by month"
            summary={`Line chart of the average engagement of the last ${cohorts.length} cohorts, ${range}.`}
            spec={{
              type: 'line',
              labels: months.map((m) => monthLabel(m.month)),
              series: cohorts.map((c) => ({
                label: `Since ${monthLabel(c)}`,
                values: months.map((m) => m.cohorts.find((x) => x.cohort === c)?.engagement ?? null),
              })),
            }}
          >
            <table>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  {cohorts.map((c) => (
                    <th scope="col" class="num">
                      Since {monthLabel(c)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <tr>
                    <th scope="row">{monthLabel(m.month)}</th>
                    {cohorts.map((c) => {
                      const e = m.cohorts.find((x) => x.cohort === c);
                      return (
                        <td class="num">{e?.engagement == null ? '–' : `${e.engagement} (${e.patients})`}</td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </ChartFigure>
        )}
      </section>

      <section class="card" aria-labelledby="insight-growth">
        <h2 id="insight-growth">Spend growth</h2>
        {known === 0 ? (
          <Empty>No patients yet: growth compares each patient's last 12 months with the 12 before.</Empty>
        ) : (
          <ChartFigure
            id="growth"
            title="Patients per spend growth"
            summary="Bar chart of the patients by how their spending over the last 12 months compares with the 12 before."
            spec={{
              type: 'bar',
              labels: growthRows.map((r) => r.label),
              series: [{ label: 'Patients', values: growthRows.map((r) => r.n) }],
            }}
          >
            <CountTable caption="Growth" rows={growthRows} total={known} />
          </ChartFigure>
        )}
      </section>
      <script src={CHART_LIBRARY_PATH} defer />
      <script src={CHART_SCRIPT_PATH} defer />
    </div>
  );
}
