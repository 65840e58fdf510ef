import { formatMoney } from '@gratia/core';
import { nextTierGoal } from '@gratia/insight';
import type { PatientOverview } from '@gratia/points';

// The patient's next reward goal on their page: the next discount tier of the programme, with a
// progress bar and what is still to spend. Read from the overview's own batch (the card's lifetime
// spend and the programme's tiers), so the page costs no extra round trip. The points goal (for the
// best gift suggestion) is on the gift page's suggestions and GET /v1/patients/{id}/reward_goal.

export function RewardGoal(props: { o: PatientOverview }) {
  const { o } = props;
  const p = o.patient;
  const goal = nextTierGoal(o.balance.lifetimeSpend, o.tiers);
  const money = (n: number) => formatMoney(n, o.balance.currency);
  return (
    <section class="card" aria-labelledby="reward-goal">
      <h2 id="reward-goal">Next reward goal</h2>
      {goal ? (
        <>
          <label for="tier-progress">
            {goal.discountBps / 100}% discount tier: {money(goal.lifetimeSpend)} of{' '}
            {money(goal.minLifetimeSpend)} spent
          </label>
          <progress id="tier-progress" max={100} value={goal.progressPct}>
            {goal.progressPct}%
          </progress>
          <p>
            {money(goal.remaining)} more to spend for {p.firstName}'s {goal.discountBps / 100}% discount.
          </p>
        </>
      ) : (
        <p class="muted">
          {o.tiers.length
            ? `${p.firstName} has reached the top discount tier.`
            : 'The programme has no discount tiers.'}
        </p>
      )}
      <p>
        <a href={`/console/patients/${p.id}/gift`}>Gifts suggested for {p.firstName}</a>
      </p>
    </section>
  );
}
