import type { SuggestionStatus } from '@gratia/db';
import { MOVES_FROM, moveSuggestion, readFeedback, type SuggestionView } from '@gratia/insight';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { formatWhen } from './patient-views';
import { CHART_LIBRARY_PATH, CHART_SCRIPT_PATH, REPORTS_STYLE } from './reports-view';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Feedback (owners and managers): the clinic's NPS month by month (Chart.js, the reports' library and
// script, with the table of the same figures), the latest survey answers with the words patients let
// the clinic quote, and the suggestions board, where each suggestion moves from new to planned,
// implemented or declined with a reply to the patient. The page is the session check and one batch
// (readFeedback) reading the twelve months' NPS rows, the latest answers and each column of the board.

const LATEST = 20;
const PER_STATUS = 30;
const BASE = '/console/feedback';

const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthLabel = (month: string) => MONTH_FORMAT.format(new Date(`${month}-01T00:00:00Z`));
const npsText = (n: number | null) => (n === null ? '–' : n > 0 ? `+${n}` : String(n));

type Feedback = Awaited<ReturnType<typeof readFeedback>>;

function NpsChart({ f }: { f: Feedback }) {
  const spec = {
    type: 'line',
    unit: 'count',
    currency: 'EUR',
    labels: f.months.map((m) => monthLabel(m.month)),
    series: [{ label: 'NPS', values: f.months.map((m) => m.nps) }],
  };
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return (
    <section class="card reports" aria-labelledby="nps">
      <h2 id="nps">Net Promoter Score, month by month</h2>
      <figure data-chart="">
        <div class="chart">
          <canvas
            role="img"
            aria-label="Line chart of the NPS each month over the last twelve months. The table has the same figures."
          />
        </div>
        <section class="table-wrap" aria-label="NPS, month by month" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col" class="num">
                  Answers
                </th>
                <th scope="col" class="num">
                  Promoters
                </th>
                <th scope="col" class="num">
                  Passives
                </th>
                <th scope="col" class="num">
                  Detractors
                </th>
                <th scope="col" class="num">
                  NPS
                </th>
              </tr>
            </thead>
            <tbody>
              {f.months.map((m) => (
                <tr>
                  <th scope="row">{monthLabel(m.month)}</th>
                  <td class="num">{m.responses}</td>
                  <td class="num">{m.promoters}</td>
                  <td class="num">{m.passives}</td>
                  <td class="num">{m.detractors}</td>
                  <td class="num">{npsText(m.nps)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <figcaption>
          Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6. NPS is the percentage of promoters
          less the percentage of detractors, from −100 to +100.
        </figcaption>
        <script type="application/json" dangerouslySetInnerHTML={{ __html: json }} />
      </figure>
      <script src={CHART_LIBRARY_PATH} defer />
      <script src={CHART_SCRIPT_PATH} defer />
    </section>
  );
}

const STATUS_TITLE: Record<SuggestionStatus, string> = {
  new: 'New',
  planned: 'Planned',
  implemented: 'Implemented',
  declined: 'Declined',
};
const MOVES = ['planned', 'implemented', 'declined'] as const;

function SuggestionItem({ s, csrf, tz }: { s: SuggestionView; csrf: string; tz: string }) {
  const moves = MOVES.filter((m) => MOVES_FROM[m].includes(s.status));
  return (
    <li>
      <p>
        <strong>“{s.text}”</strong>
        <br />
        <span class="muted">
          <a href={`/console/patients/${s.patientId}`}>
            {s.patient.firstName} {s.patient.lastName}
          </a>{' '}
          · {formatWhen(s.createdAt, tz)}
        </span>
      </p>
      {s.reply ? <p>Reply: {s.reply}</p> : null}
      {s.status === 'implemented' ? (
        <p class="muted">
          {s.notifiedAt === null
            ? 'The patient sees it on their survey link; the message to them is not sent yet.'
            : `The patient was told on ${formatWhen(s.notifiedAt, tz)}.`}
        </p>
      ) : null}
      {moves.length ? (
        <form method="post" action={`${BASE}/suggestions/${s.id}`} class="row">
          <FormKeys csrf={csrf} submission={newSubmissionKey()} />
          <div>
            <label for={`status-${s.id}`}>Move to</label>
            <select id={`status-${s.id}`} name="status">
              {moves.map((m) => (
                <option value={m}>{STATUS_TITLE[m]}</option>
              ))}
            </select>
          </div>
          <div>
            <label for={`reply-${s.id}`}>Reply to the patient (optional)</label>
            <input id={`reply-${s.id}`} name="reply" maxlength={1000} autocomplete="off" />
          </div>
          <button type="submit">Move</button>
        </form>
      ) : null}
    </li>
  );
}

function FeedbackPage({ s, f, q }: { s: Signed; f: Feedback; q: Record<string, string> }) {
  const tz = f.timezone;
  const current = f.months[f.months.length - 1]!;
  return (
    <ConsolePage
      title="Feedback"
      principal={s.principal}
      csrf={s.session.csrf}
      area="feedback"
      style={REPORTS_STYLE}
    >
      <h1>Feedback</h1>
      <Flash q={q} ok={q.moved ? 'The suggestion is moved.' : undefined} />
      <div class="figures">
        <div class="figure">
          NPS this month <strong>{npsText(current.nps)}</strong>
          {current.responses} answer{current.responses === 1 ? '' : 's'} in {monthLabel(current.month)}
        </div>
        <div class="figure">
          Promoters <strong>{current.promoters}</strong>scores 9-10
        </div>
        <div class="figure">
          Detractors <strong>{current.detractors}</strong>scores 0-6
        </div>
      </div>
      <NpsChart f={f} />
      <section class="card" aria-labelledby="latest">
        <h2 id="latest">Latest answers</h2>
        {f.latest.length === 0 ? (
          <p class="muted">No answers yet. Send a survey from a patient's page.</p>
        ) : (
          <section class="table-wrap" aria-label="Latest answers" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Patient</th>
                  <th scope="col" class="num">
                    Score
                  </th>
                  <th scope="col">What to do better</th>
                  <th scope="col">Recommendation</th>
                </tr>
              </thead>
              <tbody>
                {f.latest.map((r) => (
                  <tr>
                    <td>{formatWhen(r.submittedAt, tz)}</td>
                    <td>
                      <a href={`/console/patients/${r.patientId}`}>
                        {r.patient.firstName} {r.patient.lastName}
                      </a>
                    </td>
                    <td class="num">{r.score}</td>
                    <td>{r.improvement ?? ''}</td>
                    <td>
                      {r.recommendation ?? ''}
                      {r.recommendation ? (
                        r.quotePermission ? (
                          <span class="tag">May be quoted</span>
                        ) : (
                          <span class="muted"> (not to be quoted)</span>
                        )
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>
      <section aria-labelledby="board" id="board">
        <h2 id="board">Suggestions</h2>
        <div class="grid two">
          {(['new', 'planned', 'implemented', 'declined'] as const).map((status) => (
            <section class="card" aria-labelledby={`board-${status}`}>
              <h3 id={`board-${status}`}>
                {STATUS_TITLE[status]} ({f.board[status].length}
                {f.board[status].length === PER_STATUS ? '+' : ''})
              </h3>
              {f.board[status].length === 0 ? (
                <p class="muted">None.</p>
              ) : (
                <ul class="calls">
                  {f.board[status].map((item) => (
                    <SuggestionItem s={item} csrf={s.session.csrf} tz={tz} />
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      </section>
    </ConsolePage>
  );
}

export function registerConsoleFeedback(app: Hono<AppEnv>) {
  app.get(
    BASE,
    page('feedback', async (c, s) => {
      const f = await readFeedback(c.var.deps, {
        clinic: s.principal,
        latest: LATEST,
        perStatus: PER_STATUS,
      });
      return html(c, <FeedbackPage s={s} f={f} q={c.req.query()} />);
    }),
  );

  app.post(
    `${BASE}/suggestions/:id`,
    action('feedback', async (c, s, f) => {
      const status = f.status;
      if (status !== 'planned' && status !== 'implemented' && status !== 'declined')
        return c.redirect(`${BASE}?error=validation_failed#board`, 303);
      return exactlyOnce(c, s, f, BASE, async () => {
        const out = await moveSuggestion(c.var.deps, {
          clinic: s.principal,
          suggestionId: c.req.param('id') ?? '',
          status,
          reply: (f.reply ?? '').slice(0, 1000),
        });
        if (!out.ok) return outcome(BASE, out.error);
        return { location: `${BASE}?moved=1#board` };
      });
    }),
  );
}
