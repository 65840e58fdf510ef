import { ApiError } from '@gratia/core';
import { listWinBack, type WinBackEntry, type WinBackPosition } from '@gratia/insight';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { formatDateIn } from './format';
import { QUADRANT_TEXT } from './insight-view';
import { ConsolePage, Flash, html, page, signedOut } from './shell';
import { CallForm, LastCall } from './today';

// Win-back (every clinic role): the patients drifting away (engagement dropped, or overdue against
// their own usual interval), most overdue first, with why, how to reach them and what came of the
// latest call; each row records another call through the call list's own form, back to this page.
// One use case, one round trip, after the session check.

const PER_PAGE = 25;

function Row(props: { e: WinBackEntry; csrf: string; zone: string }) {
  const { e, zone } = props;
  const id = `win-back-${e.patientId}`;
  const dropped = e.engagementPrev !== null && e.engagementPrev > e.engagement;
  return (
    <li class="card" id={id}>
      <h3 style="margin:0">
        <a href={`/console/patients/${e.patientId}`}>
          {e.firstName} {e.lastName}
        </a>
      </h3>
      <p style="margin:.25rem 0">
        <strong>{e.reason ?? 'On the win-back list'}</strong>
      </p>
      <p class="muted" style="margin:.25rem 0">
        {e.overdueDays > 0 ? `${e.overdueDays} days overdue` : 'Not overdue'}
        {e.usualIntervalDays !== null ? ` · usually every ${e.usualIntervalDays} days` : ''}
        {' · '}
        {e.lastVisitAt !== null ? `last visit ${formatDateIn(e.lastVisitAt, zone)}` : 'no visit yet'}
        {' · '}engagement {e.engagement}
        {dropped ? ` (was ${e.engagementPrev})` : ''}
        {' · '}
        {QUADRANT_TEXT[e.quadrant].name}
        {e.abcClass ? ` · class ${e.abcClass}` : ''}
      </p>
      <p class="muted" style="margin:.25rem 0">
        {e.phone ? <a href={`tel:${e.phone}`}>{e.phone}</a> : 'No phone'}
        {e.phone && !e.consent.sms ? ' (no SMS consent)' : ''}
        {e.email ? (
          <>
            {' · '}
            <a href={`mailto:${e.email}`}>{e.email}</a>
            {e.consent.email ? '' : ' (no e-mail consent)'}
          </>
        ) : null}
      </p>
      <LastCall call={e.lastCall} zone={zone} />
      <CallForm patientId={e.patientId} csrf={props.csrf} idPrefix={id} back="win-back" />
    </li>
  );
}

function positionOf(cursor: string | undefined): WinBackPosition | null {
  try {
    const p = decodePositionCursor(cursor, 'pat');
    return p ? { overdueDays: p.at, patientId: p.id } : null;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return null;
  }
}

export function registerConsoleWinBack(app: Hono<AppEnv>) {
  app.get(
    '/console/win-back',
    page('win-back', async (c, s) => {
      const p = s.principal;
      const q = c.req.query();
      const after = positionOf(q.after);
      const out = await listWinBack(c.var.deps, { caller: s.caller, after, limit: PER_PAGE });
      if (!out.ok) return signedOut(c, out.error);
      const list = out.value;
      const zone = p.organization.timezone;
      return html(
        c,
        <ConsolePage title="Win-back" principal={p} csrf={s.session.csrf} area="win-back">
          <h1>Win back</h1>
          <p class="muted">
            Patients whose engagement dropped or who are overdue against their own usual interval between
            visits, most overdue first. Call them, and record what came of it.
          </p>
          <Flash q={q} ok={q.called ? 'The call is recorded.' : undefined} />
          {list.entries.length === 0 ? (
            <p class="muted">
              {after
                ? 'No one more on the list.'
                : 'No one to win back: patients appear here when they are overdue against their usual interval or their engagement drops.'}
            </p>
          ) : (
            <ul class="plain calls">
              {list.entries.map((e) => (
                <Row e={e} csrf={s.session.csrf} zone={zone} />
              ))}
            </ul>
          )}
          <nav class="pager" aria-label="Win-back pages">
            {after ? <a href="/console/win-back">First page</a> : null}
            {list.next ? (
              <a
                href={`/console/win-back?after=${encodePositionCursor(list.next.overdueDays, list.next.patientId)}`}
              >
                Next page
              </a>
            ) : null}
          </nav>
        </ConsolePage>,
      );
    }),
  );
}
