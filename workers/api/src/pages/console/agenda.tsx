import { addDays, formatMoney, isId } from '@gratia/core';
import type { PlanChannel, PlanKind } from '@gratia/db';
import {
  type Agenda,
  type AgendaItem,
  createCalendarFeed,
  managesPlan,
  mondayOf,
  PLAN_CHANNEL_TEXT,
  PLAN_KIND_TEXT,
  readAgenda,
  revokeCalendarFeed,
  updatePlanItem,
} from '@gratia/plan';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { formatTimeIn } from './format';
import {
  action,
  ConsolePage,
  exactlyOnce,
  Flash,
  FormKeys,
  html,
  notAllowed,
  outcome,
  page,
  ROLE_NAME,
  type Signed,
} from './shell';

// My week (every clinic role): the signed-in staff member's items of the plan for a week, overdue ones
// first, then day by day, each with whom to contact and how, a "Done" form (what came of it, required)
// and "Skip"; a week switcher; owners and managers pick another staff member's agenda. Below, the
// calendar feed: subscribe (the secret URL shown once, with a copy button and a webcal:// link),
// replace or stop it. One use case, one round trip, after the session check.

const DAY_NAME = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  timeZone: 'UTC',
});
const dayText = (date: string) => DAY_NAME.format(new Date(`${date}T00:00:00Z`));

const AGENDA_STYLE = `
.agenda-item{border-bottom:1px solid #eee;padding:.6rem 0}.agenda-item:last-child{border-bottom:0}
.agenda-item form{margin:.4rem 0 0}.agenda-item .done{color:var(--ok, #2f6b3a)}
.week-nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
`;

/** Where a form on the agenda returns: the same week, the same owner. */
function agendaHref(q: { owner?: string; week?: string }, extra = '') {
  const params = new URLSearchParams();
  if (q.owner) params.set('owner', q.owner);
  if (q.week) params.set('week', q.week);
  const qs = params.toString();
  return `/console/agenda${qs || extra ? '?' : ''}${qs}${qs && extra ? '&' : ''}${extra}`;
}

function ItemRow(props: {
  i: AgendaItem;
  csrf: string;
  back: { owner?: string; week?: string };
  currency: string;
}) {
  const { i, back } = props;
  const id = `item-${i.id}`;
  return (
    <li class="agenda-item" id={id}>
      <strong>
        <a href={`/console/patients/${i.patientId}`}>
          {i.firstName} {i.lastName}
        </a>
      </strong>
      {' · '}
      {PLAN_KIND_TEXT[i.kind as PlanKind] ?? i.kind} by{' '}
      {PLAN_CHANNEL_TEXT[i.channel as PlanChannel] ?? i.channel}
      {i.costAmount !== null ? ` · ${formatMoney(i.costAmount, i.currency ?? props.currency)}` : ''}
      <p class="muted" style="margin:.2rem 0">
        Due {dayText(i.dueOn)} · {i.purpose}
      </p>
      <p class="muted" style="margin:.2rem 0">
        {i.phone ? <a href={`tel:${i.phone}`}>{i.phone}</a> : 'No phone'}
        {i.email ? (
          <>
            {' · '}
            <a href={`mailto:${i.email}`}>{i.email}</a>
          </>
        ) : null}
      </p>
      {i.status === 'planned' ? (
        <>
          <form method="post" action={`/console/agenda/items/${i.id}`} class="row">
            <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
            <input type="hidden" name="do" value="done" />
            {back.owner ? <input type="hidden" name="owner" value={back.owner} /> : null}
            {back.week ? <input type="hidden" name="week" value={back.week} /> : null}
            <div>
              <label for={`${id}-outcome`}>What came of it</label>
              <input id={`${id}-outcome`} name="outcome" maxlength={500} required />
            </div>
            <button type="submit">Done</button>
          </form>
          <form method="post" action={`/console/agenda/items/${i.id}`}>
            <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
            <input type="hidden" name="do" value="skip" />
            {back.owner ? <input type="hidden" name="owner" value={back.owner} /> : null}
            {back.week ? <input type="hidden" name="week" value={back.week} /> : null}
            <button type="submit" class="secondary">
              Skip
            </button>
          </form>
        </>
      ) : (
        <p class="done" style="margin:.2rem 0">
          {i.status === 'done' ? 'Done' : 'Skipped'}
          {i.outcome ? `: ${i.outcome}` : ''}
        </p>
      )}
    </li>
  );
}

function Days(props: { a: Agenda; csrf: string; back: { owner?: string; week?: string }; currency: string }) {
  const { a } = props;
  const days: string[] = [];
  for (let d = a.from; d <= a.to; d = addDays(d, 1)) days.push(d);
  return (
    <>
      {days.map((d) => {
        const items = a.items.filter((i) => i.dueOn === d);
        return (
          <section class="card" aria-labelledby={`day-${d}`}>
            <h3 id={`day-${d}`} style="margin:0">
              {dayText(d)}
              {d === a.today ? ' (today)' : ''}
            </h3>
            {items.length === 0 ? (
              <p class="muted">Nothing planned.</p>
            ) : (
              <ul class="plain">
                {items.map((i) => (
                  <ItemRow i={i} csrf={props.csrf} back={props.back} currency={props.currency} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </>
  );
}

function FeedSection(props: { a: Agenda; csrf: string; own: boolean; zone: string; owner?: string }) {
  const { a } = props;
  const who = props.own ? 'your' : `${a.owner.name}’s`;
  return (
    <section class="card" aria-labelledby="feed">
      <h2 id="feed">Subscribe in your calendar</h2>
      <p class="muted">
        A private calendar link with {who} planned items (a year ahead), for Google Calendar, Outlook or your
        phone. Anyone with the link sees the items: keep it to yourself.
      </p>
      {a.feed ? (
        <p>
          A link exists since {formatTimeIn(a.feed.createdAt, props.zone)}
          {a.feed.lastFetchedAt !== null
            ? `; last read ${formatTimeIn(a.feed.lastFetchedAt, props.zone)}`
            : ''}
          . It was shown once; make a new one if it was lost (the old one then stops working).
        </p>
      ) : null}
      <form method="post" action="/console/agenda/feed">
        <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
        {props.owner ? <input type="hidden" name="owner" value={props.owner} /> : null}
        <button type="submit">{a.feed ? 'Make a new calendar link' : 'Subscribe in your calendar'}</button>
      </form>
      {a.feed ? (
        <form method="post" action="/console/agenda/feed/revoke">
          <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
          {props.owner ? <input type="hidden" name="owner" value={props.owner} /> : null}
          <button type="submit" class="secondary">
            Stop the calendar link
          </button>
        </form>
      ) : null}
    </section>
  );
}

const FLASH: Record<string, string> = {
  done: 'Marked done.',
  skipped: 'Skipped.',
  revoked: 'The calendar link was stopped: it no longer works.',
  made: 'The calendar link was made and shown once. If it was lost, make a new one (the old one then stops working).',
};

/** The page's query: whose agenda (owners and managers) and which week (any day of it). */
function asked(c: Context<AppEnv>) {
  const q = c.req.query();
  const owner = q.owner && isId('stf', q.owner) ? q.owner : undefined;
  const week = q.week && /^\d{4}-\d{2}-\d{2}$/.test(q.week) ? q.week : undefined;
  return { q, owner, week };
}

async function agendaPage(c: Context<AppEnv>, s: Signed) {
  const p = s.principal;
  const { q, owner, week } = asked(c);
  const manager = managesPlan(p);
  const from = week ? mondayOf(week) : undefined;
  const out = await readAgenda(c.var.deps, {
    clinic: p,
    owner: owner ?? 'me',
    from,
    to: from ? addDays(from, 6) : undefined,
    withStaff: manager,
    withFeed: true,
  });
  if (!out.ok) {
    if (out.error.code === 'forbidden') return notAllowed(c, p, s.session.csrf, out.error.detail ?? '');
    if (out.error.code === 'staff_not_found')
      return html(
        c,
        <ConsolePage title="Not found" principal={p} csrf={s.session.csrf} area="agenda">
          <h1>Not found</h1>
          <p class="status bad">That staff member was not found.</p>
          <p>
            <a href="/console/agenda">Back to my week</a>
          </p>
        </ConsolePage>,
        404,
      );
    return c.redirect('/console/agenda', 303);
  }
  const a = out.value;
  const own = a.owner.id === p.staff?.id;
  const back = { owner: own ? undefined : a.owner.id, week };
  const currency = p.organization.currency;
  const zone = p.organization.timezone;
  const flash = q.done
    ? FLASH.done
    : q.skipped
      ? FLASH.skipped
      : q.feed === 'made' || q.feed === 'revoked'
        ? FLASH[q.feed]
        : undefined;
  return html(
    c,
    <ConsolePage title="My week" principal={p} csrf={s.session.csrf} area="agenda" style={AGENDA_STYLE}>
      <h1>{own ? 'My week' : `${a.owner.name}’s week`}</h1>
      <Flash q={q} ok={flash} />
      <nav class="week-nav" aria-label="Weeks">
        <a href={agendaHref({ owner: back.owner, week: addDays(a.from, -7) })}>← Previous week</a>
        <strong>
          {dayText(a.from)} – {dayText(a.to)}
        </strong>
        <a href={agendaHref({ owner: back.owner, week: addDays(a.from, 7) })}>Next week →</a>
        {week ? <a href={agendaHref({ owner: back.owner })}>This week</a> : null}
      </nav>
      {manager && a.staff.length > 0 ? (
        <form method="get" action="/console/agenda" class="row">
          <div>
            <label for="agenda-owner">Whose agenda</label>
            <select id="agenda-owner" name="owner">
              {a.staff.map((m) => (
                <option value={m.id} selected={m.id === a.owner.id}>
                  {m.name} ({ROLE_NAME[m.role]})
                </option>
              ))}
            </select>
          </div>
          {week ? <input type="hidden" name="week" value={week} /> : null}
          <button type="submit">Show</button>
        </form>
      ) : null}
      <section class="card" aria-labelledby="overdue">
        <h2 id="overdue">Overdue</h2>
        {a.overdue.length === 0 ? (
          <p class="muted">Nothing overdue.</p>
        ) : (
          <ul class="plain">
            {a.overdue.map((i) => (
              <ItemRow i={i} csrf={s.session.csrf} back={back} currency={currency} />
            ))}
          </ul>
        )}
        {a.overdueMore ? <p class="muted">And more: the oldest are shown first.</p> : null}
      </section>
      <h2>The week</h2>
      <Days a={a} csrf={s.session.csrf} back={back} currency={currency} />
      <FeedSection a={a} csrf={s.session.csrf} own={own} zone={zone} owner={back.owner} />
    </ConsolePage>,
  );
}

function FeedMade(props: { url: string; webcal: string; name: string }) {
  return (
    <>
      <h1>Your calendar link</h1>
      <p class="status ok" role="status">
        The calendar link for {props.name} is ready. It is shown only now: copy it into your calendar app (add
        a calendar “from URL” or “by subscription”).
      </p>
      <div class="card">
        <label for="feed-link">The calendar link (shown only now)</label>
        <input id="feed-link" value={props.url} readonly />
        <button type="button" class="secondary" data-copy="feed-link" data-copy-status="copy-status" hidden>
          Copy the link
        </button>
        <p id="copy-status" role="status" class="muted" />
        <p>
          <a href={props.webcal}>Open it in your calendar app</a>
        </p>
      </div>
      <p>
        <a href="/console/agenda">Back to my week</a>
      </p>
    </>
  );
}

export function registerConsoleAgenda(app: Hono<AppEnv>) {
  app.get('/console/agenda', page('agenda', agendaPage));

  app.post(
    '/console/agenda/items/:id',
    action('agenda', (c, s, f) => {
      const id = c.req.param('id') ?? '';
      const back = agendaHref({
        owner: isId('stf', f.owner ?? '') ? f.owner : undefined,
        week: /^\d{4}-\d{2}-\d{2}$/.test(f.week ?? '') ? f.week : undefined,
      });
      return exactlyOnce(c, s, f, back, async () => {
        const done = f.do === 'done';
        if (!done && f.do !== 'skip')
          return { location: `${back}${back.includes('?') ? '&' : '?'}error=validation_failed` };
        const text = (f.outcome ?? '').trim().slice(0, 500);
        const out = await updatePlanItem(c.var.deps, {
          clinic: s.principal,
          itemId: id,
          status: done ? 'done' : 'skipped',
          outcome: text || (done ? undefined : null),
        });
        if (!out.ok) return outcome(back, out.error);
        const sep = back.includes('?') ? '&' : '?';
        return { location: `${back}${sep}${done ? 'done' : 'skipped'}=${out.value.id}#item-${out.value.id}` };
      });
    }),
  );

  app.post(
    '/console/agenda/feed',
    action('agenda', async (c, s, f) => {
      const owner = isId('stf', f.owner ?? '') ? f.owner : undefined;
      const back = agendaHref({ owner });
      const seen: { made?: { url: string; webcal: string } } = {};
      const res = await exactlyOnce(c, s, f, back, async () => {
        const out = await createCalendarFeed(c.var.deps, { clinic: s.principal, staffId: owner });
        if (!out.ok) return outcome(back, out.error);
        seen.made = { url: out.value.url, webcal: out.value.webcal };
        return { location: `${back}${back.includes('?') ? '&' : '?'}feed=made#feed` };
      });
      // The link is shown this once; a repeated submit goes back to the agenda, which says it was shown.
      if (!seen.made) return res;
      const name = owner && owner !== s.principal.staff?.id ? 'this staff member' : 'you';
      return html(
        c,
        <ConsolePage
          title="Calendar link"
          principal={s.principal}
          csrf={s.session.csrf}
          area="agenda"
          scripts={['/console/copy.js']}
        >
          <FeedMade url={seen.made.url} webcal={seen.made.webcal} name={name} />
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/agenda/feed/revoke',
    action('agenda', (c, s, f) => {
      const owner = isId('stf', f.owner ?? '') ? f.owner : undefined;
      const back = agendaHref({ owner });
      return exactlyOnce(c, s, f, back, async () => {
        const out = await revokeCalendarFeed(c.var.deps, { clinic: s.principal, staffId: owner });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}${back.includes('?') ? '&' : '?'}feed=revoked#feed` };
      });
    }),
  );
}
