import { formatMoney, toIso } from '@gratia/core';
import { linesCsv, PERIOD_PATTERN, readPartyStatement, settleParty } from '@gratia/settlement';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { Page } from '../layout';
import { counterSession, html, sessionCaller, sessionEnded } from './common';
import { SignIn } from './views';

// The partner's statements: what each clinic owes it this month and in past months, the lines behind
// the figures, the CSV for its accountant, and a printable statement. The same use cases as
// GET /v1/settlements and its CSV, with the counter session as the caller.

const LINES_SHOWN = 200;

type Statement = Extract<Awaited<ReturnType<typeof readPartyStatement>>, { ok: true }>['value'];

const monthName = (period: string) =>
  new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${period}-01T00:00:00Z`),
  );

function Statements({
  s,
  network,
  now,
  timeZone,
}: {
  s: Statement;
  network: string;
  now: number;
  timeZone: string;
}) {
  const { statement, periods, lines, principal } = s;
  const period = statement.period;
  const name = principal.organization.name;
  const totals = statement.pairs;
  // Every line of the month has a receipt: counted from the totals, not the (capped) list below.
  const receipts = totals.reduce((n, t) => n + t.redemptions + t.reversals, 0);
  const at = (ms: number) =>
    new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      new Date(ms),
    );
  return (
    <Page title={`${name}: statement ${period}`}>
      <p class="eyebrow">{network}</p>
      <h1>
        Statement for {monthName(period)}
        <span class="muted"> · {name}</span>
      </h1>
      <p class={`status ${statement.state.state === 'closed' ? 'ok' : 'warn'}`} role="status">
        {statement.state.state === 'closed'
          ? `Closed on ${at(statement.state.closedAt)}: these figures are final.`
          : 'This month is open: figures change as redemptions and reversals come in.'}
      </p>
      <nav class="periods" aria-label="Months">
        {periods.map((p) => (
          <a
            href={`/partner/statements?period=${p.period}`}
            aria-current={p.period === period ? 'page' : undefined}
          >
            {p.period}
            {p.state.state === 'closed' ? ' ✓' : ''}
          </a>
        ))}
      </nav>
      <section class="card" aria-labelledby="owed">
        <h2 id="owed">Owed to you, by clinic</h2>
        {totals.length === 0 ? <p class="muted">Nothing this month.</p> : null}
        {totals.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Clinic</th>
                <th scope="col" class="num">
                  Gross
                </th>
                <th scope="col" class="num">
                  Fee
                </th>
                <th scope="col" class="num">
                  Net
                </th>
              </tr>
            </thead>
            <tbody>
              {totals.map((t) => {
                const mine = t.payee.id === principal.organizationId;
                return (
                  <tr>
                    <td>
                      {mine ? t.payer.name : `${t.payer.name} (you owe ${t.payee.name})`}
                      <br />
                      <span class="muted">
                        {t.redemptions} redeemed{t.reversals ? `, ${t.reversals} reversed` : ''}
                      </span>
                    </td>
                    <td class="num">{formatMoney(mine ? t.gross : -t.gross, t.currency)}</td>
                    <td class="num">{formatMoney(mine ? t.fee : -t.fee, t.currency)}</td>
                    <td class="num">
                      <strong>{formatMoney(mine ? t.net : -t.net, t.currency)}</strong>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <p class="no-print">
          <a href={`/partner/statements/${period}.csv`} download>
            Download the lines as CSV (for your accountant)
          </a>
        </p>
        <p class="muted no-print">Print this page (Ctrl+P) for a paper statement.</p>
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
                  {at(l.occurredAt)} · {l.payerName}
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
      <p class="print-only">
        {receipts} lines, each with a receipt signed by {network} (verifiable against /.well-known/jwks.json).
        Printed {toIso(now)}.
      </p>
      <p class="no-print">
        <a href="/partner">Back to the counter</a>
      </p>
    </Page>
  );
}

export function registerPartnerStatements(app: Hono<AppEnv>) {
  app.get('/partner/statements', async (c) => {
    const session = await counterSession(c);
    if (!session) return html(c, <SignIn />, 401);
    const asked = c.req.query('period');
    const period = asked && PERIOD_PATTERN.test(asked) ? asked : undefined;
    const out = await readPartyStatement(c.var.deps, {
      caller: sessionCaller(c, session),
      period,
      lines: LINES_SHOWN,
    });
    if (!out.ok) return sessionEnded(c, out.error);
    return html(
      c,
      <Statements
        s={out.value}
        network={c.var.deps.config.networkName}
        now={c.var.clock.now()}
        timeZone={c.var.deps.config.timezone}
      />,
    );
  });

  app.get('/partner/statements/:file{[0-9]{4}-[0-9]{2}\\.csv}', async (c) => {
    const session = await counterSession(c);
    if (!session) return html(c, <SignIn />, 401);
    const period = c.req.param('file').slice(0, 7);
    if (!PERIOD_PATTERN.test(period)) return html(c, <SignIn error="No such month." />, 404);
    // Settle the session's key first, then stream the lines as its partner reads them.
    const out = await settleParty(c.var.deps, sessionCaller(c, session));
    if (!out.ok) return sessionEnded(c, out.error);
    return new Response(linesCsv(c.var.deps, { principal: out.value.principal, period }), {
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="statement-${period}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
