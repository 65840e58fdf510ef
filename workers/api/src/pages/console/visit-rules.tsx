import { formatMoney, parseMoneyInput, parsePercentInput } from '@gratia/core';
import type { RewardKind, Visit } from '@gratia/db';
import {
  createVisitRule,
  type PunchCard,
  type RewardSpec,
  readVisitRulesPage,
  reverseVisit,
  updateVisitRule,
  type VisitRuleView,
} from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { Field, formatWhen, TableWrap } from './patient-views';
import { action, ConsolePage, exactlyOnce, Flash, FormKeys, html, outcome, page, type Signed } from './shell';

// Every-Nth-visit offers ("the 5th visit is on us"), in the 'offers' area (owners and managers): the
// rules, a form to start one, and a button to end or restart each. On the patient's page (every clinic
// role): the punch cards, and a Reverse button (with a reason) on visits recorded within 24 hours.
// `PunchCards` is the patient-facing card list, plain, for the patient's own page.

const BACK = '/console/offers/visit-rules';

const ordinal = (n: number) => {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
};

/** "3 of 5 visits — the 5th is on us", with a progress element screen readers announce. */
function CardLine(props: { card: PunchCard; idPrefix: string }) {
  const { card } = props;
  const label = `${props.idPrefix}-${card.ruleId}`;
  return (
    <li>
      <span>
        <strong id={label}>{card.name}</strong>
        <br />
        {card.punches} of {card.everyVisits} visits — the {ordinal(card.everyVisits)} brings {card.rewardText}
        {card.windowDays ? <span class="muted"> (within {card.windowDays} days)</span> : null}
        <br />
        <progress max={card.everyVisits} value={card.punches} aria-labelledby={label}>
          {card.punches} of {card.everyVisits}
        </progress>
        <span class="muted">
          {' '}
          {card.toGo === 1 ? 'The next visit earns it.' : `${card.toGo} visits to go.`}
          {card.rewardsEarned > 0
            ? ` Earned ${card.rewardsEarned} time${card.rewardsEarned === 1 ? '' : 's'}.`
            : ''}
        </span>
      </span>
    </li>
  );
}

/** The patient's own view of their cards (no console chrome): for the patient's page. */
export function PunchCards(props: { cards: PunchCard[] }) {
  if (props.cards.length === 0) return null;
  return (
    <section aria-labelledby="punch-cards">
      <h2 id="punch-cards">Your visit rewards</h2>
      <ul class="plain">
        {props.cards.map((card) => (
          <CardLine card={card} idPrefix="mine" />
        ))}
      </ul>
    </section>
  );
}

/** The patient page's section: punch cards, and the visits that may still be reversed. */
export function VisitRewardsSection(props: {
  patientId: string;
  cards: PunchCard[];
  reversible: Visit[];
  csrf: string;
  zone: string;
  q: Record<string, string>;
}) {
  const base = `/console/patients/${props.patientId}`;
  return (
    <section class="card" aria-labelledby="punch-cards" id="visit-rewards">
      <h2 id="punch-cards">Punch cards</h2>
      {props.q.reversed === '1' ? (
        <p class="status ok" role="status">
          The visit is reversed: its unspent points were taken back.
        </p>
      ) : null}
      {props.cards.length === 0 ? (
        <p class="muted">No every-Nth-visit offer is running.</p>
      ) : (
        <ul class="plain">
          {props.cards.map((card) => (
            <CardLine card={card} idPrefix="card" />
          ))}
        </ul>
      )}
      {props.reversible.length > 0 ? (
        <>
          <h3>Recorded in error?</h3>
          <p class="muted">A visit can be reversed within 24 hours of recording it.</p>
          <ul class="plain">
            {props.reversible.map((v) => (
              <li>
                <form method="post" action={`${base}/visits/${v.id}/reverse`}>
                  <FormKeys csrf={props.csrf} submission={newSubmissionKey()} />
                  <span>
                    {formatWhen(v.occurredAt, props.zone)} · {formatMoney(v.amount, v.currency)}
                  </span>
                  <label for={`reason-${v.id}`}>Reason</label>
                  <input id={`reason-${v.id}`} name="reason" required maxlength={500} autocomplete="off" />
                  <button type="submit">Reverse</button>
                </form>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function RulesPage(props: {
  s: Signed;
  rules: VisitRuleView[];
  offers: { id: string; title: string; price: number }[];
  q: Record<string, string>;
}) {
  const { s, q } = props;
  const currency = s.principal.organization.currency;
  const ok = q.created
    ? 'The offer is running.'
    : q.ended
      ? 'The offer has ended.'
      : q.started
        ? 'The offer is running again.'
        : undefined;
  return (
    <ConsolePage title="Every-Nth-visit offers" principal={s.principal} csrf={s.session.csrf} area="offers">
      <h1>Every-Nth-visit offers</h1>
      <Flash q={q} ok={ok} />
      <section class="card" aria-labelledby="rules">
        <h2 id="rules">Offers</h2>
        {props.rules.length === 0 ? (
          <p class="muted">No offer yet.</p>
        ) : (
          <TableWrap label="Every-Nth-visit offers">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Every</th>
                  <th scope="col">Window</th>
                  <th scope="col">Reward</th>
                  <th scope="col">State</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {props.rules.map((r) => (
                  <tr>
                    <td>{r.name}</td>
                    <td>{ordinal(r.everyVisits)} visit</td>
                    <td>{r.windowDays ? `${r.windowDays} days` : 'none'}</td>
                    <td>{r.rewardText}</td>
                    <td>{r.active ? 'running' : 'ended'}</td>
                    <td>
                      <form method="post" action={`${BACK}/${r.id}/active`}>
                        <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
                        <input type="hidden" name="active" value={r.active ? 'no' : 'yes'} />
                        <button type="submit">{r.active ? 'End' : 'Run again'}</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      <section class="card" aria-labelledby="new-rule">
        <h2 id="new-rule">Start an offer</h2>
        <form method="post" action={BACK}>
          <FormKeys csrf={s.session.csrf} submission={newSubmissionKey()} />
          <Field name="name" label="Name" value="The 5th visit is on us" required maxlength={80} />
          <Field
            name="every_visits"
            label="Every how many paid visits (2 to 100)"
            value="5"
            inputmode="numeric"
            required
          />
          <Field name="window_days" label="Within how many days (empty: no limit)" inputmode="numeric" />
          <label for="reward_kind">Reward</label>
          <select id="reward_kind" name="reward_kind">
            <option value="points">Bonus points</option>
            <option value="discount_bps">A discount in % on the next visit</option>
            <option value="discount_amount">{`An amount off the next visit (${currency})`}</option>
            <option value="voucher">A gift voucher</option>
          </select>
          <Field name="points" label="Bonus points" inputmode="numeric" />
          <Field name="discount_percent" label="Discount (%)" inputmode="decimal" />
          <Field name="discount_amount" label={`Amount off (${currency})`} inputmode="decimal" />
          <label for="offer_id">Gift</label>
          <select id="offer_id" name="offer_id">
            <option value="">(for a gift voucher)</option>
            {props.offers.map((o) => (
              <option value={o.id}>
                {o.title} · {formatMoney(o.price, currency)}
              </option>
            ))}
          </select>
          <button type="submit">Start the offer</button>
        </form>
      </section>
    </ConsolePage>
  );
}

const KINDS: readonly RewardKind[] = ['points', 'discount_bps', 'discount_amount', 'voucher'];
const whole = (v: string | undefined) => (v && /^\d{1,7}$/.test(v.trim()) ? Number(v.trim()) : null);

function specOfForm(f: Record<string, string>, currency: string): RewardSpec | null {
  const kind = KINDS.find((k) => k === f.reward_kind);
  if (!kind) return null;
  const pct = parsePercentInput(f.discount_percent);
  const amount = parseMoneyInput(f.discount_amount, currency);
  return {
    kind,
    points: kind === 'points' ? whole(f.points) : null,
    discountBps: kind === 'discount_bps' && typeof pct === 'number' ? pct : null,
    discountAmount: kind === 'discount_amount' && typeof amount === 'number' ? amount : null,
    offerId: kind === 'voucher' ? f.offer_id || null : null,
  };
}

export function registerConsoleVisitRules(app: Hono<AppEnv>) {
  app.get(
    BACK,
    page('offers', async (c, s) => {
      const data = await readVisitRulesPage(c.var.deps, { clinic: s.principal });
      return html(c, <RulesPage s={s} rules={data.rules} offers={data.offers} q={c.req.query()} />);
    }),
  );
  app.post(
    BACK,
    action('offers', async (c, s, f) => {
      const spec = specOfForm(f, s.principal.organization.currency);
      const every = whole(f.every_visits);
      const windowText = (f.window_days ?? '').trim();
      const windowDays = windowText === '' ? null : whole(windowText);
      if (!spec || every === null || (windowText !== '' && windowDays === null))
        return c.redirect(`${BACK}?error=validation_failed`, 303);
      return exactlyOnce(c, s, f, BACK, async () => {
        const out = await createVisitRule(c.var.deps, {
          clinic: s.principal,
          name: (f.name ?? '').trim(),
          everyVisits: every,
          windowDays,
          reward: spec,
        });
        return out.ok ? { location: `${BACK}?created=1` } : outcome(BACK, out.error);
      });
    }),
  );
  app.post(
    `${BACK}/:id/active`,
    action('offers', async (c, s, f) => {
      const active = f.active === 'yes';
      return exactlyOnce(c, s, f, BACK, async () => {
        const out = await updateVisitRule(c.var.deps, {
          clinic: s.principal,
          id: c.req.param('id') ?? '',
          active,
        });
        return out.ok ? { location: `${BACK}?${active ? 'started' : 'ended'}=1` } : outcome(BACK, out.error);
      });
    }),
  );
  app.post(
    '/console/patients/:id/visits/:visit/reverse',
    action('patients', async (c, s, f) => {
      const patientId = c.req.param('id') ?? '';
      const back = `/console/patients/${encodeURIComponent(patientId)}`;
      const reason = (f.reason ?? '').trim();
      if (reason.length === 0 || reason.length > 500)
        return c.redirect(`${back}?error=validation_failed#visit-rewards`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await reverseVisit(c.var.deps, {
          clinic: s.principal,
          visitId: c.req.param('visit') ?? '',
          patientId,
          reason,
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?reversed=1#visit-rewards` };
      });
    }),
  );
}
