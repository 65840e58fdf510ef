import { ApiError, formatMoney, isId } from '@gratia/core';
import { CALL_OUTCOMES, type CallOutcome, type CallRecord } from '@gratia/db';
import {
  type CallListEntry,
  daysLeftInMonth,
  type Figure,
  readToday,
  recordCallOutcome,
} from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { formatTimeIn } from './format';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page } from './shell';

// Today: a few figures, the call list (patients whose points lapse this month, soonest first) where
// staff record what came of each call and see who called whom, and the latest redemptions of the
// clinic's gifts. One use case, one round trip, after the session check.

export const OUTCOME_TEXT: Record<CallOutcome, string> = {
  reached: 'Reached',
  left_message: 'Left a message',
  no_answer: 'No answer',
  do_not_call: 'Do not call',
};
const CALLS_PER_PAGE = 25;

const figureText = (f: Figure) => (f.capped ? `${f.count}+` : String(f.count));

function CallRow(props: {
  e: CallListEntry;
  csrf: string;
  pointValue: number;
  currency: string;
  zone: string;
}) {
  const { e } = props;
  const id = `call-${e.patientId}`;
  const last = e.lastCall;
  return (
    <li class="card" id={id}>
      <h3 style="margin:0">
        <a href={`/console/patients/${e.patientId}`}>
          {e.firstName} {e.lastName}
        </a>
      </h3>
      <p style="margin:.25rem 0">
        <strong>{e.pointsExpiring.toLocaleString('en-GB')} points</strong> (
        {formatMoney(e.pointsExpiring * props.pointValue, props.currency)}) lapse on {e.firstExpiry.expiresOn}
        {' · '}balance {e.balance.toLocaleString('en-GB')}
      </p>
      <p class="muted" style="margin:.25rem 0">
        {e.phone ? <a href={`tel:${e.phone}`}>{e.phone}</a> : 'No phone'}
        {e.email ? (
          <>
            {' · '}
            <a href={`mailto:${e.email}`}>{e.email}</a>
          </>
        ) : null}
      </p>
      <LastCall call={last} zone={props.zone} />
      <CallForm patientId={e.patientId} csrf={props.csrf} idPrefix={id} />
    </li>
  );
}

export function LastCall(props: { call: CallRecord | null; zone: string }) {
  const last = props.call;
  return (
    <p style="margin:.25rem 0">
      {last ? (
        <>
          Last call: <strong>{OUTCOME_TEXT[last.outcome]}</strong>, {formatTimeIn(last.at, props.zone)} by{' '}
          {last.by.name ?? (last.by.kind === 'api_key' ? 'an API key' : 'staff')}
          {last.note ? ` (“${last.note}”)` : ''}
        </>
      ) : (
        <span class="muted">Not called yet</span>
      )}
    </p>
  );
}

/** Where a recorded call returns to: the patient's page, or the win-back list (default: Today). */
export type CallBack = 'patient' | 'win-back';

/** What came of a call: the form on the call list, the patient's page and the win-back list (`back` says which). */
export function CallForm(props: { patientId: string; csrf: string; idPrefix: string; back?: CallBack }) {
  const id = props.idPrefix;
  return (
    <form method="post" action="/console/calls" class="row">
      <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
      <input type="hidden" name="patient_id" value={props.patientId} />
      {props.back ? <input type="hidden" name="back" value={props.back} /> : null}
      <div>
        <label for={`${id}-outcome`}>Outcome</label>
        <select id={`${id}-outcome`} name="outcome" required>
          {CALL_OUTCOMES.map((o) => (
            <option value={o}>{OUTCOME_TEXT[o]}</option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${id}-note`}>Note (optional)</label>
        <input id={`${id}-note`} name="note" maxlength={500} />
      </div>
      <button type="submit">Record call</button>
    </form>
  );
}

/** The patient page's calls: the latest, and a form to record another. */
export function CallSection(props: {
  patientId: string;
  csrf: string;
  lastCall: CallRecord | null;
  zone: string;
}) {
  return (
    <section class="card" aria-labelledby="calls">
      <h2 id="calls">Calls</h2>
      <LastCall call={props.lastCall} zone={props.zone} />
      <CallForm patientId={props.patientId} csrf={props.csrf} idPrefix="patient-call" back="patient" />
    </section>
  );
}

export function registerConsoleToday(app: Hono<AppEnv>) {
  app.get(
    '/console',
    page('today', async (c, s) => {
      const p = s.principal;
      const { config } = c.var.deps;
      const zone = p.organization.timezone;
      let after: { at: number; id: string } | null;
      try {
        after = decodePositionCursor(c.req.query('calls'), 'pat');
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        after = null;
      }
      const view = await readToday(c.var.deps, {
        clinic: p,
        callList: {
          withinDays: daysLeftInMonth(c.var.clock.now(), zone),
          after: after ? { at: after.at, patientId: after.id } : null,
          limit: CALLS_PER_PAGE,
        },
        recentLimit: 10,
      });
      const f = view.figures;
      const q = c.req.query();
      const next = view.callList.next;
      return html(
        c,
        <ConsolePage title="Today" principal={p} csrf={s.session.csrf} area="today">
          <h1>Today at {p.organization.name}</h1>
          <Flash q={q} ok={q.called ? 'The call is recorded.' : undefined} />
          <section aria-labelledby="figures">
            <h2 id="figures" class="eyebrow">
              At a glance
            </h2>
            <div class="figures">
              <div class="figure">
                <strong>{figureText(f.visitsToday)}</strong> visits today
              </div>
              <div class="figure">
                <strong>{figureText(f.callsToday)}</strong> calls today
              </div>
              <div class="figure">
                <strong>{figureText(f.giftsRedeemedLast7Days)}</strong> gifts redeemed in 7 days
              </div>
              <div class="figure">
                <strong>{figureText(f.cardsExpiringThisMonth)}</strong> cards with points lapsing this month
              </div>
            </div>
          </section>
          <div class="grid side">
            <section aria-labelledby="calls">
              <h2 id="calls">Call list: points lapsing this month</h2>
              {view.callList.entries.length === 0 ? (
                <p class="muted">No one to call on this page.</p>
              ) : (
                <ul class="plain calls">
                  {view.callList.entries.map((e) => (
                    <CallRow
                      e={e}
                      csrf={s.session.csrf}
                      pointValue={config.pointValue}
                      currency={config.currency}
                      zone={zone}
                    />
                  ))}
                </ul>
              )}
              <nav class="pager" aria-label="Call list pages">
                {after ? <a href="/console">First page</a> : null}
                {next ? (
                  <a href={`/console?calls=${encodePositionCursor(next.at, next.patientId)}`}>Next page</a>
                ) : null}
              </nav>
            </section>
            <section aria-labelledby="recent">
              <h2 id="recent">Recent redemptions of your gifts</h2>
              {view.recent.redemptions.length === 0 ? (
                <p class="muted">None yet.</p>
              ) : (
                <ul class="plain">
                  {view.recent.redemptions.map((r) => (
                    <li>
                      <span>
                        <a href={`/console/gifts/${r.voucher.id}`}>{r.voucher.title}</a> for{' '}
                        {r.patient.firstName} {r.patient.lastName} at {r.partner.name}
                        {r.reversedAt ? ' (reversed)' : ''}
                      </span>
                      <span class="num">{formatTimeIn(r.redeemedAt, zone)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/calls',
    action('today', (c, s, f) =>
      exactlyOnce(c, s, f, '/console', async () => {
        const outcomeValue = f.outcome as CallOutcome;
        const toPatient = f.back === 'patient' && isId('pat', f.patient_id ?? '');
        const toWinBack = f.back === 'win-back';
        const back = toPatient
          ? `/console/patients/${f.patient_id}`
          : toWinBack
            ? '/console/win-back'
            : '/console';
        if (!CALL_OUTCOMES.includes(outcomeValue)) return { location: `${back}?error=validation_failed` };
        const note = (f.note ?? '').trim().slice(0, 500) || null;
        const out = await recordCallOutcome(c.var.deps, {
          clinic: s.principal,
          patientId: f.patient_id ?? '',
          outcome: outcomeValue,
          note,
        });
        if (!out.ok) return outcome(back, out.error);
        const called = out.value.patientId;
        return {
          location: toPatient
            ? `${back}?called=1#calls`
            : toWinBack
              ? `/console/win-back?called=${called}#win-back-${called}`
              : `/console?called=${called}#call-${called}`,
        };
      }),
    ),
  );
}
