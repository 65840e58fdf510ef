import { ApiError, formatMoney, minorUnitDigits } from '@gratia/core';
import {
  type BudgetMonth,
  type Coverage,
  type CoveragePosition,
  planItemsCsv,
  readPlanOverview,
} from '@gratia/plan';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { TableWrap } from './patient-views';
import { CHART_LIBRARY_PATH, CHART_SCRIPT_PATH, REPORTS_STYLE } from './reports-view';
import { ConsolePage, Flash, html, notAllowed, page } from './shell';

// The plan's coverage (owners and managers): how many patients are on target, behind or without a plan;
// the patients furthest behind, a page at a time, each linked to their plan; each owner's overdue items;
// the plan's budget month by month (gifts planned and given, with their cost) as a table and a chart;
// and the plan as CSV. One use case, one round trip, after the session check.

const PER_PAGE = 25;
const SHIFT = 1_000_000_000;
const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthLabel = (month: string) => MONTH_FORMAT.format(new Date(`${month}-01T00:00:00Z`));

function positionOf(cursor: string | undefined): CoveragePosition | null {
  try {
    const p = decodePositionCursor(cursor, 'pat');
    return p ? { behind: p.at - SHIFT, patientId: p.id } : null;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return null;
  }
}

function Summary(props: { c: Coverage }) {
  const s = props.c.summary;
  return (
    <div class="figures">
      <div class="figure">
        <strong>{s.onTarget}</strong> on target
      </div>
      <div class="figure">
        <strong>{s.behind}</strong> behind
      </div>
      <div class="figure">
        <strong>{s.withoutPlan}</strong> without a plan
      </div>
      <div class="figure">
        <strong>{s.patients}</strong> patients
      </div>
    </div>
  );
}

function BudgetChart(props: { months: BudgetMonth[]; currency: string }) {
  const { months, currency } = props;
  const scale = 10 ** minorUnitDigits(currency);
  const spec = {
    type: 'bar',
    unit: 'money',
    currency,
    labels: months.map((m) => monthLabel(m.month)),
    series: [
      { label: 'Gifts planned', values: months.map((m) => m.giftsPlanned.cost / scale) },
      { label: 'Gifts given', values: months.map((m) => m.giftsDone.cost / scale) },
    ],
  };
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return (
    <figure data-chart="">
      <div class="chart">
        <canvas
          role="img"
          aria-label="The cost of the gifts planned and given, month by month. The table has the same figures."
        />
      </div>
      <TableWrap label="The plan’s budget, month by month">
        <table>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" class="num">
                Gifts planned
              </th>
              <th scope="col" class="num">
                Their cost
              </th>
              <th scope="col" class="num">
                Gifts given
              </th>
              <th scope="col" class="num">
                Their cost
              </th>
              <th scope="col" class="num">
                Calls
              </th>
              <th scope="col" class="num">
                Messages
              </th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr>
                <th scope="row">{monthLabel(m.month)}</th>
                <td class="num">{m.giftsPlanned.count}</td>
                <td class="num">{formatMoney(m.giftsPlanned.cost, currency)}</td>
                <td class="num">{m.giftsDone.count}</td>
                <td class="num">{formatMoney(m.giftsDone.cost, currency)}</td>
                <td class="num">{m.byChannel.call.planned + m.byChannel.call.done}</td>
                <td class="num">
                  {m.byChannel.sms.planned +
                    m.byChannel.sms.done +
                    m.byChannel.email.planned +
                    m.byChannel.email.done}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <figcaption>
        By the month items are due. Planned: still to do; given: done. Calls and messages count planned and
        done items.
      </figcaption>
      <script type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
    </figure>
  );
}

export function registerConsolePlanCoverage(app: Hono<AppEnv>) {
  app.get(
    '/console/plan/coverage',
    page('plan', async (c, s) => {
      const p = s.principal;
      const q = c.req.query();
      const after = positionOf(q.after);
      const out = await readPlanOverview(c.var.deps, { clinic: p, after, limit: PER_PAGE });
      if (!out.ok) return notAllowed(c, p, s.session.csrf, out.error.detail ?? '');
      const { coverage, budget } = out.value;
      return html(
        c,
        <ConsolePage
          title="Plan coverage"
          principal={p}
          csrf={s.session.csrf}
          area="plan"
          style={REPORTS_STYLE}
          scripts={[CHART_LIBRARY_PATH, CHART_SCRIPT_PATH]}
        >
          <h1>Plan coverage</h1>
          <Flash q={q} />
          <p class="muted">
            Interactions done since {monthLabel(coverage.since)} against each patient’s target (their plan’s
            interactions a year).
          </p>
          <Summary c={coverage} />
          <section class="card" aria-labelledby="behind">
            <h2 id="behind">Furthest behind</h2>
            {coverage.rows.length === 0 ? (
              <p class="muted">{after ? 'No one more.' : 'No patient has a plan yet.'}</p>
            ) : (
              <TableWrap label="Patients, furthest behind first">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Patient</th>
                      <th scope="col">Owner</th>
                      <th scope="col" class="num">
                        Done
                      </th>
                      <th scope="col" class="num">
                        Target
                      </th>
                      <th scope="col" class="num">
                        Behind
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {coverage.rows.map((r) => (
                      <tr>
                        <th scope="row">
                          <a href={`/console/patients/${r.patientId}/plan`}>
                            {r.firstName} {r.lastName}
                          </a>
                        </th>
                        <td>{r.ownerName ?? '–'}</td>
                        <td class="num">{r.done}</td>
                        <td class="num">{r.target}</td>
                        <td class="num">{r.behind > 0 ? r.behind : 'On target'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            <nav class="pager" aria-label="Coverage pages">
              {after ? <a href="/console/plan/coverage">First page</a> : null}
              {coverage.next ? (
                <a
                  href={`/console/plan/coverage?after=${encodePositionCursor(coverage.next.behind + SHIFT, coverage.next.patientId)}`}
                >
                  Next page
                </a>
              ) : null}
            </nav>
          </section>
          <section class="card" aria-labelledby="overdue">
            <h2 id="overdue">Overdue, by owner</h2>
            {coverage.overdue.length === 0 ? (
              <p class="muted">Nothing overdue.</p>
            ) : (
              <ul class="plain">
                {coverage.overdue.map((o) => (
                  <li>
                    <span>
                      {o.ownerStaffId ? (
                        <a href={`/console/agenda?owner=${o.ownerStaffId}`}>
                          {o.ownerName ?? o.ownerStaffId}
                        </a>
                      ) : (
                        'Nobody'
                      )}
                      : {o.count} overdue
                    </span>
                    <span class="num">oldest due {o.oldestDueOn}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card reports" aria-labelledby="budget">
            <h2 id="budget">Budget</h2>
            <BudgetChart months={budget.months} currency={budget.currency} />
            <p>
              <a href="/console/plan/items.csv" download>
                Download the plan (CSV)
              </a>
            </p>
          </section>
        </ConsolePage>,
      );
    }),
  );

  // The plan as CSV, for the signed-in owner or manager (the same use case as the API's).
  app.get(
    '/console/plan/items.csv',
    page('plan', async (c, s) => {
      const q = c.req.query();
      const out = await planItemsCsv(c.var.deps, {
        clinic: s.principal,
        from: q.from || undefined,
        to: q.to || undefined,
        owner: q.owner || undefined,
      });
      if (!out.ok) {
        if (out.error.code === 'forbidden')
          return notAllowed(c, s.principal, s.session.csrf, out.error.detail ?? '');
        return c.redirect(`/console/plan/coverage?error=${out.error.code}`, 303);
      }
      return new Response(out.value.stream, {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="plan-${out.value.from}-${out.value.to}.csv"`,
          'cache-control': 'no-store',
        },
      });
    }),
  );
}
