import { isId } from '@gratia/core';
import { linkReferral, type ReferrerBranch, readReferralTree, referralStatus } from '@gratia/loyalty';
import type { PatientOverview, ReferralRow } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { formatDateIn } from './format';
import { problemPage } from './patient-views';
import {
  action,
  ConsolePage,
  exactlyOnce,
  FormKeys,
  html,
  outcome,
  page,
  type Signed,
  signedOut,
} from './shell';

// Referrals in the console (issue 12):
// - on a patient's page (ReferralSection): their code, the invite link with a copy button, the link to
//   their own page of rewards to send them, who referred them (or a form to add the code they forgot
//   to mention, before their first paid visit), and whom they referred;
// - /console/offers/referrals (owners and managers): the clinic's referral tree, a page of referrers at a
//   time, each with the patients they referred, as nested lists.

const STATUS = { pending: 'pending', rewarded: 'rewarded', capped: 'capped (over the yearly cap)' } as const;

const name = (first: string, last: string) => `${first} ${last}`;

function RewardNote({ r }: { r: ReferralRow }) {
  if (r.qualifiedAt === null) return <span class="muted">waiting for the first paid visit</span>;
  return (
    <span class="muted">
      {r.refereeRewardTitle ? `They: ${r.refereeRewardTitle}` : 'They: no reward'}
      {' · '}
      {r.referrerRewardStatus === 'capped'
        ? 'Referrer: over the yearly cap, nothing given'
        : r.referrerRewardTitle
          ? `Referrer: ${r.referrerRewardTitle}`
          : 'Referrer: no reward'}
    </span>
  );
}

/** The patient page's referral section (the overview read it in the page's one round trip). */
export function ReferralSection(props: { s: Signed; o: PatientOverview }) {
  const { o, s } = props;
  const r = o.referrals;
  const p = o.patient;
  const zone = s.principal.organization.timezone;
  const canLink = r.referredBy === null && o.visits.items.length === 0;
  return (
    <section class="card" aria-labelledby="referrals">
      <h2 id="referrals">Referrals</h2>
      {r.code && r.inviteUrl ? (
        <>
          <p>
            Referral code <strong class="code">{r.code}</strong>
          </p>
          <label for="invite-link">Invite link</label>
          <input id="invite-link" class="code" readonly value={r.inviteUrl} />
          <button
            type="button"
            class="small"
            data-copy="invite-link"
            data-copy-status="invite-copy-status"
            hidden
          >
            Copy the invite link
          </button>
          <p id="invite-copy-status" role="status" class="muted" />
        </>
      ) : (
        <p class="muted">No referral code yet.</p>
      )}
      <label for="member-link">{p.firstName}'s page of their rewards (send it to them)</label>
      <input id="member-link" class="code" readonly value={r.memberUrl} />
      <button
        type="button"
        class="small"
        data-copy="member-link"
        data-copy-status="member-copy-status"
        hidden
      >
        Copy the link
      </button>
      <p id="member-copy-status" role="status" class="muted" />
      <h3>Referred by</h3>
      {r.referredBy ? (
        <p>
          <a href={`/console/patients/${r.referredBy.referrerId}`}>
            {name(r.referredBy.referrerFirstName, r.referredBy.referrerLastName)}
          </a>{' '}
          <span class="tag">{STATUS[referralStatus(r.referredBy, 'referee')]}</span>
          <br />
          <RewardNote r={r.referredBy} />
        </p>
      ) : canLink ? (
        <form method="post" action={`/console/patients/${p.id}/referral`}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <label for="referral-code">Referred by (code)</label>
          <input
            id="referral-code"
            name="code"
            required
            maxlength={40}
            autocomplete="off"
            aria-describedby="referral-code-hint"
          />
          <p id="referral-code-hint" class="muted">
            The code of the patient who recommended us, if {p.firstName} forgot to mention it. Only before the
            first paid visit.
          </p>
          <button type="submit" class="small">
            Link the referral
          </button>
        </form>
      ) : (
        <p class="muted">No one.</p>
      )}
      <h3>Referred by {p.firstName}</h3>
      {r.referred.length === 0 ? (
        <p class="muted">No one yet.</p>
      ) : (
        <ul class="plain">
          {r.referred.map((x) => (
            <li>
              <span>
                <a href={`/console/patients/${x.refereeId}`}>{name(x.refereeFirstName, x.refereeLastName)}</a>
                <span class="muted"> · joined {formatDateIn(x.createdAt, zone)}</span>
                <br />
                <RewardNote r={x} />
              </span>
              <span class="tag">{STATUS[referralStatus(x, 'referrer')]}</span>
            </li>
          ))}
        </ul>
      )}
      {r.more ? <p class="muted">Showing the newest {r.referred.length}.</p> : null}
    </section>
  );
}

const PER_PAGE = 25;

function Branch({ b, zone }: { b: ReferrerBranch; zone: string }) {
  return (
    <li id={`referrer-${b.referrerId}`}>
      <a href={`/console/patients/${b.referrerId}`}>
        <strong>{name(b.firstName, b.lastName)}</strong>
      </a>{' '}
      <span class="muted">
        referred {b.counts.referred}: {b.counts.rewarded} rewarded, {b.counts.pending} pending
        {b.counts.capped ? `, ${b.counts.capped} over the cap` : ''}
      </span>
      {b.referredById ? (
        <span class="muted">
          {' · '}
          <a href={`/console/patients/${b.referredById}`}>who referred them</a>
        </span>
      ) : null}
      <ul aria-label={`Referred by ${name(b.firstName, b.lastName)}`}>
        {b.referrals.map((x) => (
          <li>
            <a href={`/console/patients/${x.refereeId}`}>{name(x.refereeFirstName, x.refereeLastName)}</a>
            <span class="muted"> · joined {formatDateIn(x.createdAt, zone)} · </span>
            <span class="tag">{STATUS[x.status]}</span>
            <br />
            <RewardNote r={x} />
          </li>
        ))}
      </ul>
    </li>
  );
}

export function registerConsoleReferrals(app: Hono<AppEnv>) {
  app.get(
    '/console/offers/referrals',
    page('offers', async (c, s) => {
      const after = c.req.query('after');
      if (after !== undefined && !isId('pat', after)) return problemPage(c, s, 'invalid_cursor', 400);
      const out = await readReferralTree(c.var.deps, { clinic: s.principal, after, limit: PER_PAGE });
      if (!out.ok) return signedOut(c, out.error);
      const zone = s.principal.organization.timezone;
      const { referrers, next } = out.value;
      return html(
        c,
        <ConsolePage title="Referrals" principal={s.principal} csrf={s.session.csrf} area="offers">
          <h1>Referrals</h1>
          <p class="muted">
            Who recommended the clinic to whom. Both patients are rewarded once, on the referred patient's
            first paid visit; a referrer over the yearly cap is recorded as capped and given nothing.
          </p>
          {referrers.length === 0 ? (
            <p class="muted" role="status">
              {after ? 'No more referrers.' : 'No referrals yet.'}
            </p>
          ) : (
            <section class="card" aria-labelledby="tree">
              <h2 id="tree">Referral tree</h2>
              <ul aria-label="Referrers">
                {referrers.map((b) => (
                  <Branch b={b} zone={zone} />
                ))}
              </ul>
            </section>
          )}
          {next ? (
            <p>
              <a href={`/console/offers/referrals?after=${next}`}>More referrers</a>
            </p>
          ) : null}
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/patients/:id/referral',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      return exactlyOnce(c, s, f, back, async () => {
        const out = await linkReferral(c.var.deps, { clinic: s.principal, patientId, code: f.code ?? '' });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?referred=1` };
      });
    }),
  );
}
