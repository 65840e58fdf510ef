import { isId, type Refusal } from '@gratia/core';
import { MESSAGE_STATUSES, type MessageStatus, staffRefusal } from '@gratia/db';
import {
  hhmm,
  listMessages,
  type MessagingSettingsInput,
  type MessagingSettingsView,
  minuteOf,
  OUTBOX_EDITORS,
  type OutboxMessage,
  readMessage,
  readMessagingSettings,
  retryMessage,
  saveMessagingSettings,
} from '@gratia/messaging';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field, formatWhen, TableWrap } from './patient-views';
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
  type Signed,
} from './shell';

// The console's Outbox (issue 13), for every clinic role: every message the clinic's events wrote,
// newest first, with its status, by tab (a "Dead letters" tab for what ran out of tries); each message's
// page shows the text exactly as sent, links clickable — without provider credentials this IS the dev
// outbox, where a newcomer reads what would have gone out —, its history, and Retry (owners and
// managers) for a dead or failed message. /console/outbox/settings (owners and managers): quiet hours,
// the monthly cap of marketing messages, reminder timings.

const BASE = '/console/outbox';
const SETTINGS = `${BASE}/settings`;

const TABS: [string, string][] = [
  ['', 'All'],
  ['queued', 'Queued'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['suppressed', 'Suppressed'],
  ['bounced', 'Bounced'],
  ['failed', 'Failed'],
  ['dead', 'Dead letters'],
];

const STATUS_TEXT: Record<MessageStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  bounced: 'Bounced',
  failed: 'Failed',
  suppressed: 'Suppressed',
  dead: 'Dead letter',
};

const REASON_TEXT: Record<string, string> = {
  no_consent: 'no consent for this channel and purpose',
  no_address: 'no address',
  address_invalid: 'the address is known not to work',
  frequency_cap: 'the monthly limit of marketing messages was reached',
  patient_gone: 'the patient is gone',
};

const KIND_TEXT: Record<string, string> = {
  voucher_issued: 'Gift link',
  points_expiring: 'Points expiring',
  survey_request: 'Survey request',
  questionnaire: 'Questionnaire',
  plan_item: 'Plan item',
  birthday: 'Birthday greeting',
  referral_reward: 'Referral reward',
  card_link: 'Card link',
  staff_sign_in: 'Sign-in link',
};

const STYLE = `.chip{display:inline-block;font-size:.85rem;padding:.1rem .5rem;border-radius:999px;background:#e8e1d8;color:#2b2620}
.chip.ok{background:#e5f3ea;color:#1d5e33}.chip.bad{background:#fbe7e5;color:#8a1f17}.chip.wait{background:#fdf3dc;color:#6b4e00}
.tabs{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}.tabs a{padding:.3rem .7rem;border-radius:8px;background:#f3efe9}
.tabs a[aria-current=page]{background:#2b2620;color:#fff}.sent-text{white-space:pre-wrap;word-break:break-word;font-family:inherit;background:#faf8f5;border:1px solid #e8e1d8;border-radius:8px;padding:1rem}`;

const chipClass = (s: MessageStatus) =>
  s === 'sent' || s === 'delivered'
    ? 'chip ok'
    : s === 'queued' || s === 'sending'
      ? 'chip wait'
      : s === 'suppressed'
        ? 'chip'
        : 'chip bad';

function Chip({ status }: { status: MessageStatus }) {
  return <span class={chipClass(status)}>{STATUS_TEXT[status]}</span>;
}

/** The text as sent, with its links clickable (only http(s) links; everything else stays text). */
function Linked({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return (
    <div class="sent-text">
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <a href={p} rel="noopener noreferrer">
            {p}
          </a>
        ) : (
          p
        ),
      )}
    </div>
  );
}

const canEdit = (s: Signed) => staffRefusal(s.principal, OUTBOX_EDITORS) === null;

function ListPage(props: {
  s: Signed;
  status: string;
  items: OutboxMessage[];
  next: string | null;
  q: Record<string, string>;
}) {
  const { s, status, items } = props;
  const tz = s.principal.organization.timezone;
  return (
    <ConsolePage title="Outbox" principal={s.principal} csrf={s.session.csrf} area="outbox" style={STYLE}>
      <h1>Outbox</h1>
      <p>
        Every message to patients and staff, with what became of it. Without an e-mail or SMS provider
        configured, messages are not sent: open one to read exactly what would have gone out.
      </p>
      {canEdit(s) ? (
        <p>
          <a href={SETTINGS}>Delivery settings</a> (quiet hours, monthly limit)
        </p>
      ) : null}
      <Flash q={props.q} />
      <nav class="tabs" aria-label="Messages by status">
        {TABS.map(([value, label]) => (
          <a
            href={value ? `${BASE}?status=${value}` : BASE}
            aria-current={status === value ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      {items.length === 0 ? (
        <p class="muted">No messages here.</p>
      ) : (
        <TableWrap label="Messages">
          <table>
            <thead>
              <tr>
                <th scope="col">Written</th>
                <th scope="col">Message</th>
                <th scope="col">To</th>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr>
                  <td>{formatWhen(m.createdAt, tz)}</td>
                  <td>
                    <a href={`${BASE}/${m.id}`}>{KIND_TEXT[m.kind] ?? m.kind}</a>
                  </td>
                  <td>{m.patientName ?? m.toAddress ?? '—'}</td>
                  <td>{m.channel === 'email' ? 'E-mail' : 'SMS'}</td>
                  <td>
                    <Chip status={m.status} />
                    {m.suppressedReason ? (
                      <span class="muted"> {REASON_TEXT[m.suppressedReason]}</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {props.next ? (
        <nav class="pager" aria-label="Pages of messages">
          <a href={`${BASE}?${status ? `status=${status}&` : ''}after=${encodeURIComponent(props.next)}`}>
            Older messages
          </a>
        </nav>
      ) : null}
    </ConsolePage>
  );
}

function MessagePage(props: {
  s: Signed;
  m: OutboxMessage;
  events: { status: MessageStatus; detail: string | null; at: number }[];
  q: Record<string, string>;
}) {
  const { s, m } = props;
  const tz = s.principal.organization.timezone;
  const title = KIND_TEXT[m.kind] ?? m.kind;
  return (
    <ConsolePage
      title={`${title} · Outbox`}
      principal={s.principal}
      csrf={s.session.csrf}
      area="outbox"
      style={STYLE}
    >
      <p>
        <a href={BASE}>Back to the Outbox</a>
      </p>
      <h1>{title}</h1>
      <Flash q={props.q} ok={props.q.retried ? 'Queued again.' : undefined} />
      <dl>
        <dt>Status</dt>
        <dd>
          <Chip status={m.status} />
          {m.suppressedReason ? ` — ${REASON_TEXT[m.suppressedReason]}` : ''}
        </dd>
        <dt>To</dt>
        <dd>
          {m.patientId ? <a href={`/console/patients/${m.patientId}`}>{m.patientName}</a> : null}
          {m.toAddress ? ` ${m.toAddress}` : ''} ({m.channel === 'email' ? 'e-mail' : 'SMS'}, {m.purpose})
        </dd>
        <dt>Written</dt>
        <dd>{formatWhen(m.createdAt, tz)}</dd>
        {m.sentAt ? (
          <>
            <dt>Sent</dt>
            <dd>
              {formatWhen(m.sentAt, tz)} via{' '}
              {m.provider === 'dev' ? 'the dev outbox (not sent: no provider configured)' : m.provider}
            </dd>
          </>
        ) : null}
        {m.notBefore && m.status === 'queued' ? (
          <>
            <dt>Not before</dt>
            <dd>{formatWhen(m.notBefore, tz)}</dd>
          </>
        ) : null}
        {m.lastError ? (
          <>
            <dt>Last error</dt>
            <dd>{m.lastError}</dd>
          </>
        ) : null}
        <dt>Tries</dt>
        <dd>{m.attempts}</dd>
      </dl>
      {(m.status === 'dead' || m.status === 'failed') && canEdit(s) ? (
        <form method="post" action={`${BASE}/${m.id}/retry`}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <button type="submit">Retry</button>
        </form>
      ) : null}
      <section class="card" aria-labelledby="text">
        <h2 id="text">The message{m.body ? ' as sent' : ''}</h2>
        {m.body ? (
          <>
            {m.subject ? (
              <p>
                <strong>Subject:</strong> {m.subject}
              </p>
            ) : null}
            <Linked text={m.body} />
          </>
        ) : (
          <p class="muted">Not written yet: the text is set in the patient’s language when it is sent.</p>
        )}
      </section>
      <section class="card" aria-labelledby="history">
        <h2 id="history">History</h2>
        {props.events.length === 0 ? (
          <p class="muted">Nothing yet.</p>
        ) : (
          <ul class="plain">
            {props.events.map((e) => (
              <li>
                <span>
                  {formatWhen(e.at, tz)} <Chip status={e.status} />
                  {e.detail ? <span class="muted"> {REASON_TEXT[e.detail] ?? e.detail}</span> : null}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </ConsolePage>
  );
}

type Values = Record<string, string>;

const valuesOf = (v: MessagingSettingsView): Values => ({
  quiet_start: hhmm(v.quietStartMinute),
  quiet_end: hhmm(v.quietEndMinute),
  monthly_cap: String(v.monthlyCap),
  expiry_reminder_days: v.expiryReminderDays === null ? '' : String(v.expiryReminderDays),
  survey_delay_hours: v.surveyDelayHours === null ? '' : String(v.surveyDelayHours),
  birthday_greetings: v.birthdayGreetings ? 'on' : '',
});

function readSettingsForm(f: Values): { errors: Values } | { input: MessagingSettingsInput } {
  const errors: Values = {};
  const whole = (name: string, lo: number, hi: number, empty: boolean): number | null => {
    const t = (f[name] ?? '').trim();
    if (t === '' && empty) return null;
    const n = /^\d{1,4}$/.test(t) ? Number(t) : Number.NaN;
    if (!(n >= lo && n <= hi)) {
      errors[name] =
        `Enter a whole number from ${lo} to ${hi}${empty ? ', or leave it empty for none' : ''}.`;
      return null;
    }
    return n;
  };
  const start = minuteOf(f.quiet_start ?? '');
  if (start === null) errors.quiet_start = 'Enter a time as HH:MM, e.g. 21:00.';
  const end = minuteOf(f.quiet_end ?? '');
  if (end === null) errors.quiet_end = 'Enter a time as HH:MM, e.g. 08:00.';
  const cap = whole('monthly_cap', 0, 100, false);
  const days = whole('expiry_reminder_days', 1, 365, true);
  const hours = whole('survey_delay_hours', 0, 720, true);
  if (Object.keys(errors).length > 0) return { errors };
  return {
    input: {
      quietStartMinute: start!,
      quietEndMinute: end!,
      monthlyCap: cap!,
      expiryReminderDays: days,
      surveyDelayHours: hours,
      birthdayGreetings: f.birthday_greetings === 'on',
    },
  };
}

function SettingsPage(props: { s: Signed; v: Values; e: Values; q: Values }) {
  const { s, v, e } = props;
  return (
    <ConsolePage title="Delivery settings" principal={s.principal} csrf={s.session.csrf} area="outbox">
      <p>
        <a href={BASE}>Back to the Outbox</a>
      </p>
      <h1>Delivery settings</h1>
      <Flash q={props.q} ok={props.q.saved ? 'Saved.' : undefined} />
      <form method="post" action={SETTINGS}>
        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
        <fieldset>
          <legend>Quiet hours (the patient’s local time)</legend>
          <Field name="quiet_start" label="From" value={v.quiet_start} error={e.quiet_start} required />
          <Field
            name="quiet_end"
            label="Until"
            value={v.quiet_end}
            error={e.quiet_end}
            required
            hint="A message due in quiet hours waits until they end. The same time twice: no quiet hours."
          />
        </fieldset>
        <Field
          name="monthly_cap"
          label="Marketing messages per patient per month"
          value={v.monthly_cap}
          error={e.monthly_cap}
          inputmode="numeric"
          required
          hint="Surveys, questionnaires, plan items and birthday greetings count; gift links, reminders and sign-in links never do."
        />
        <Field
          name="expiry_reminder_days"
          label="Remind patients this many days before points expire"
          value={v.expiry_reminder_days}
          error={e.expiry_reminder_days}
          inputmode="numeric"
          hint="Empty: no reminders."
        />
        <Field
          name="survey_delay_hours"
          label="Ask for a survey this many hours after a visit"
          value={v.survey_delay_hours}
          error={e.survey_delay_hours}
          inputmode="numeric"
          hint="Empty: no survey requests."
        />
        <p>
          <label>
            <input type="checkbox" name="birthday_greetings" checked={v.birthday_greetings === 'on'} /> Send
            birthday greetings
          </label>
        </p>
        <button type="submit">Save</button>
      </form>
    </ConsolePage>
  );
}

function notFoundPage(c: Context<AppEnv>, s: Signed) {
  return html(
    c,
    <ConsolePage title="Not found" principal={s.principal} csrf={s.session.csrf} area="outbox">
      <h1>Not found</h1>
      <p class="status bad" role="alert">
        That message does not exist.
      </p>
      <p>
        <a href={BASE}>Back to the Outbox</a>
      </p>
    </ConsolePage>,
    404,
  );
}

const editorsOnly = (c: Context<AppEnv>, s: Signed) => {
  const refused = staffRefusal(s.principal, OUTBOX_EDITORS);
  return refused ? notAllowed(c, s.principal, s.session.csrf, refused.detail ?? 'Not allowed') : null;
};

export function registerConsoleOutbox(app: Hono<AppEnv>) {
  app.get(
    BASE,
    page('outbox', async (c, s) => {
      const q = c.req.query();
      const status = (MESSAGE_STATUSES as readonly string[]).includes(q.status ?? '')
        ? (q.status as MessageStatus)
        : undefined;
      const after = q.after && isId('msg', q.after) ? q.after : null;
      const out = await listMessages(c.var.deps, {
        clinic: s.principal,
        filter: { status },
        before: after,
        limit: 50,
      });
      return html(c, <ListPage s={s} status={status ?? ''} items={out.messages} next={out.next} q={q} />);
    }),
  );
  app.get(
    SETTINGS,
    page('outbox', async (c, s) => {
      const refused = editorsOnly(c, s);
      if (refused) return refused;
      const v = await readMessagingSettings(c.var.deps, { clinic: s.principal });
      return html(c, <SettingsPage s={s} v={valuesOf(v)} e={{}} q={c.req.query()} />);
    }),
  );
  app.post(
    SETTINGS,
    action('outbox', async (c, s, f) => {
      const refused = editorsOnly(c, s);
      if (refused) return refused;
      const form = readSettingsForm(f);
      if ('errors' in form) return html(c, <SettingsPage s={s} v={f} e={form.errors} q={{}} />, 422);
      return exactlyOnce(c, s, f, SETTINGS, async () => {
        const out = await saveMessagingSettings(c.var.deps, { clinic: s.principal, settings: form.input });
        return out.ok ? { location: `${SETTINGS}?saved=1` } : outcome(SETTINGS, out.error as Refusal);
      });
    }),
  );
  app.get(
    `${BASE}/:id`,
    page('outbox', async (c, s) => {
      const out = await readMessage(c.var.deps, { clinic: s.principal, id: c.req.param('id') ?? '' });
      if (!out.ok) return notFoundPage(c, s);
      return html(c, <MessagePage s={s} m={out.value.message} events={out.value.events} q={c.req.query()} />);
    }),
  );
  app.post(
    `${BASE}/:id/retry`,
    action('outbox', async (c, s, f) => {
      const id = c.req.param('id') ?? '';
      const back = `${BASE}/${encodeURIComponent(id)}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await retryMessage(c.var.deps, { clinic: s.principal, id });
        return out.ok ? { location: `${back}?retried=1` } : outcome(back, out.error);
      });
    }),
  );
}
