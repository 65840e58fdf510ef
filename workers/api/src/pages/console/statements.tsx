import { formatMoney } from '@gratia/core';
import { linesCsv, PERIOD_PATTERN, readPartyStatement } from '@gratia/settlement';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { formatTimeIn } from './format';
import { ConsolePage, html, notAllowed, page } from './shell';

// Settlement statements (owners and managers): what the clinic owes each partner for the gifts and
// points redeemed there, month by month, the lines behind the figures, and the CSV for the
// accountant. The same use case as GET /v1/settlements and the partner's counter statements.

const LINES_SHOWN = 200;

const monthName = (period: string) =>
  new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${period}-01T00:00:00Z`),
  );

export function registerConsoleStatements(app: Hono<AppEnv>) {
  app.get(
    '/console/statements',
    page('statements', async (c, s) => {
      const asked = c.req.query('period');
      const out = await readPartyStatement(c.var.deps, {
        caller: s.caller,
        period: asked && PERIOD_PATTERN.test(asked) ? asked : undefined,
        lines: LINES_SHOWN,
      });
      if (!out.ok) return notAllowed(c, s.principal, s.session.csrf, out.error.detail ?? '');
      const { statement, periods, lines } = out.value;
      const period = statement.period;
      const me = s.principal.organizationId;
      const zone = s.principal.organization.timezone;
      return html(
        c,
        <ConsolePage title="Statements" principal={s.principal} csrf={s.session.csrf} area="statements">
          <h1>Statement for {monthName(period)}</h1>
          <p class={`status ${statement.state.state === 'closed' ? 'ok' : 'warn'}`} role="status">
            {statement.state.state === 'closed'
              ? `Closed on ${formatTimeIn(statement.state.closedAt, zone)}: these figures are final.`
              : 'This month is open: figures change as redemptions and reversals come in.'}
          </p>
          <nav class="periods" aria-label="Months">
            {periods.map((p) => (
              <a
                href={`/console/statements?period=${p.period}`}
                aria-current={p.period === period ? 'page' : undefined}
              >
                {p.period}
                {p.state.state === 'closed' ? ' (closed)' : ''}
              </a>
            ))}
          </nav>
          <section class="card" aria-labelledby="owed">
            <h2 id="owed">What you owe, by partner</h2>
            {statement.pairs.length === 0 ? (
              <p class="muted">Nothing this month.</p>
            ) : (
              <section class="table-wrap" aria-labelledby="owed" tabindex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Partner</th>
                      <th scope="col" class="num">
                        Gross
                      </th>
                      <th scope="col" class="num">
                        Network fee
                      </th>
                      <th scope="col" class="num">
                        Net
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {statement.pairs.map((t) => {
                      const owes = t.payer.id === me;
                      const sign = owes ? 1 : -1;
                      return (
                        <tr>
                          <td>
                            {owes ? t.payee.name : `${t.payer.name} (owes you)`}
                            <br />
                            <span class="muted">
                              {t.redemptions} redeemed{t.reversals ? `, ${t.reversals} reversed` : ''}
                            </span>
                          </td>
                          <td class="num">{formatMoney(sign * t.gross, t.currency)}</td>
                          <td class="num">{formatMoney(sign * t.fee, t.currency)}</td>
                          <td class="num">
                            <strong>{formatMoney(sign * t.net, t.currency)}</strong>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </section>
            )}
            <p>
              <a href={`/console/statements/${period}.csv`} download>
                Download the lines as CSV (for your accountant)
              </a>
            </p>
          </section>
          <section class="card" aria-labelledby="lines">
            <h2 id="lines">The lines behind the figures</h2>
            {lines.length === 0 ? <p class="muted">No lines this month.</p> : null}
            <ul class="plain">
              {lines.map((l) => (
                <li>
                  <span>
                    <strong>{l.title}</strong>
                    {l.entry === 'reversal' ? ' (reversed)' : ''}
                    <br />
                    <span class="muted">
                      {formatTimeIn(l.occurredAt, zone)} · {l.payeeName}
                      {l.cardLast4 ? ` · card ending ${l.cardLast4}` : ''} · receipt{' '}
                      <span class="code">{l.id}</span>
                    </span>
                  </span>
                  <span class="num">{formatMoney(l.net, l.currency)}</span>
                </li>
              ))}
            </ul>
            {lines.length === LINES_SHOWN ? (
              <p class="muted">The first {LINES_SHOWN} lines; the CSV has them all.</p>
            ) : null}
          </section>
        </ConsolePage>,
      );
    }),
  );

  app.get(
    '/console/statements/:file{[0-9]{4}-[0-9]{2}\\.csv}',
    page('statements', (c, s) => {
      const period = (c.req.param('file') ?? '').slice(0, 7);
      if (!PERIOD_PATTERN.test(period)) return c.text('No such month', 404);
      return new Response(linesCsv(c.var.deps, { principal: s.principal, period }), {
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="statement-${period}.csv"`,
          'cache-control': 'no-store',
        },
      });
    }),
  );
}
