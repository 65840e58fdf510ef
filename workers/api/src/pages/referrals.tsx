import { ERROR_TEXT } from '@gratia/core';
import { type Invitation, type MemberPage, readInvitation, readMemberPage } from '@gratia/loyalty';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { PunchCards } from './console/visit-rules';
import { formatDate, Page } from './layout';
import { STATIC_PAGE_HEADERS } from './static-headers';

// Referral pages for people without an account (issue 12):
// - /j/{code}: the page a patient's invite link opens for the person invited: "<first name> invites you
//   to <clinic>", how to reach the clinic (address, phone, e-mail, website, booking link) and the code
//   to mention. Nothing else about the referrer (no last name, no contact). An unknown code is a 404.
// - /m/{token}: the patient's own page of their rewards at the clinic, on a signed link the clinic sends
//   them: their code and invite link (to copy or share), the people they referred (first name and
//   initial, joined, rewarded or pending) and the rewards they earned. A forged link is a 404.
// Both are read-only, run no script, are not cached or indexed and send no referrer. Sharing is plain
// links (SMS, e-mail, WhatsApp) and the link in a field to select, so it works without script.

const PAGE_STYLE = `
.share{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}.share a{padding:.5rem .8rem;border-radius:10px;background:#e8e1d8;color:var(--ink);text-decoration:none;font-weight:600}
.big{font-family:ui-monospace,monospace;font-size:1.6rem;letter-spacing:.12em;font-weight:700}
.tag{font-size:.85rem;padding:.1rem .5rem;border-radius:999px;background:#e8e1d8}.tag.ok{background:#e5f3ea;color:var(--ok)}
`;

type Status = 200 | 404;
const html = (c: Context<AppEnv>, node: unknown, status: Status = 200) => {
  for (const [k, v] of Object.entries(STATIC_PAGE_HEADERS)) c.header(k, v);
  return c.html(`<!doctype html>${node}`, status);
};

function NotValid(props: { what: string }) {
  return (
    <Page style={PAGE_STYLE} title={`This ${props.what} is not valid`}>
      <h1>This {props.what} is not valid</h1>
      <p>{ERROR_TEXT.link_not_found}</p>
    </Page>
  );
}

function InvitePage({ inv }: { inv: Invitation }) {
  const c = inv.clinic;
  return (
    <Page style={PAGE_STYLE} title={`${inv.firstName} invites you to ${c.name}`}>
      <p class="eyebrow">{c.name}</p>
      <h1>
        {inv.firstName} invites you to {c.name}
      </h1>
      <section class="card" aria-labelledby="code">
        <h2 id="code">Your code</h2>
        <p>Mention this code when you book or register:</p>
        <p class="big">{inv.code}</p>
      </section>
      <section class="card" aria-labelledby="reach">
        <h2 id="reach">How to reach {c.name}</h2>
        <dl>
          {c.address ? (
            <>
              <dt>Address</dt>
              <dd>{c.address}</dd>
            </>
          ) : null}
          {c.phone ? (
            <>
              <dt>Phone</dt>
              <dd>
                <a href={`tel:${c.phone}`}>{c.phone}</a>
              </dd>
            </>
          ) : null}
          {c.email ? (
            <>
              <dt>E-mail</dt>
              <dd>
                <a href={`mailto:${c.email}`}>{c.email}</a>
              </dd>
            </>
          ) : null}
          {c.bookingUrl ? (
            <>
              <dt>Book online</dt>
              <dd>
                <a href={c.bookingUrl} rel="noopener noreferrer">
                  {c.bookingUrl}
                </a>
              </dd>
            </>
          ) : null}
          {c.website ? (
            <>
              <dt>Website</dt>
              <dd>
                <a href={c.website} rel="noopener noreferrer">
                  {c.website}
                </a>
              </dd>
            </>
          ) : null}
        </dl>
        {!c.address && !c.phone && !c.email && !c.bookingUrl && !c.website ? (
          <p class="muted">Ask {inv.firstName} how to reach the clinic.</p>
        ) : null}
      </section>
    </Page>
  );
}

const STATUS_TEXT = {
  pending: 'waiting for their first visit',
  rewarded: 'rewarded',
  capped: 'joined (this year’s referral rewards are used up)',
} as const;

/** Links that share the invite without script: SMS, e-mail, WhatsApp. */
function Share({ url, clinic }: { url: string; clinic: string }) {
  const text = `I recommend ${clinic}. Mention my code when you book: ${url}`;
  return (
    <p class="share">
      <a href={`sms:?&body=${encodeURIComponent(text)}`}>Share by SMS</a>
      <a href={`mailto:?subject=${encodeURIComponent(`Try ${clinic}`)}&body=${encodeURIComponent(text)}`}>
        Share by e-mail
      </a>
      <a href={`https://wa.me/?text=${encodeURIComponent(text)}`} rel="noopener noreferrer">
        Share on WhatsApp
      </a>
    </p>
  );
}

function Member({ m }: { m: MemberPage }) {
  const tz = m.clinic.timezone;
  return (
    <Page style={PAGE_STYLE} title={`Your rewards at ${m.clinic.name}`}>
      <p class="eyebrow">{m.clinic.name}</p>
      <h1>Your rewards at {m.clinic.name}</h1>
      <p>Hello {m.patient.firstName}.</p>
      {m.code && m.inviteUrl ? (
        <section class="card" aria-labelledby="invite">
          <h2 id="invite">Recommend us</h2>
          <p>
            Your code is <span class="big">{m.code}</span>. Someone who mentions it when they register is
            linked to you, and after their first paid visit the clinic thanks you both.
          </p>
          <label for="invite-link">Your invite link</label>
          <input id="invite-link" class="code" readonly value={m.inviteUrl} />
          <Share url={m.inviteUrl} clinic={m.clinic.name} />
        </section>
      ) : null}
      {m.punchCards.length > 0 ? (
        <div class="card">
          <PunchCards cards={m.punchCards} />
        </div>
      ) : null}
      <section class="card" aria-labelledby="referred">
        <h2 id="referred">People you recommended us to</h2>
        {m.referred.length === 0 ? (
          <p class="muted">No one yet.</p>
        ) : (
          <ul class="plain">
            {m.referred.map((r) => (
              <li>
                <span>
                  {r.name}
                  <br />
                  <span class="muted">joined {formatDate(r.joinedAt, tz)}</span>
                </span>
                <span class={r.status === 'rewarded' ? 'tag ok' : 'tag'}>{STATUS_TEXT[r.status]}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="rewards">
        <h2 id="rewards">Your rewards</h2>
        {m.rewards.length === 0 ? (
          <p class="muted">No rewards yet.</p>
        ) : (
          <ul class="plain">
            {m.rewards.map((r) => (
              <li>
                <span>
                  {r.title}
                  <br />
                  <span class="muted">{formatDate(r.grantedAt, tz)}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}

export function registerReferralPages(app: Hono<AppEnv>) {
  app.get('/j/:code', async (c) => {
    const inv = await readInvitation(c.var.deps, c.req.param('code'));
    if (!inv) return html(c, <NotValid what="invitation" />, 404);
    return html(c, <InvitePage inv={inv} />);
  });

  app.get('/m/:token', async (c) => {
    const out = await readMemberPage(c.var.deps, c.req.param('token'));
    if (!out.ok) return html(c, <NotValid what="link" />, 404);
    return html(c, <Member m={out.value} />);
  });
}
