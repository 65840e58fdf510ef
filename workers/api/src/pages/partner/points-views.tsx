import { REVERSAL_WINDOW_MS } from '@gratia/core';
import type { CounterActivity } from '@gratia/vouchers';
import { ActivityList } from './activity-list';
import { newSubmissionKey } from './common';

// The counter page's card-points parts: the form that takes points by card number, and the list of
// points taken lately with their reversal buttons.

export type RecentPointRedemption = CounterActivity['points'][number];

export function PointsForm({ csrf, cardNumber }: { csrf: string; cardNumber?: string }) {
  return (
    <form method="post" action="/partner/points" class="card" id="points-form">
      <h2>Take card points</h2>
      <p class="muted">Points from any clinic of the network; the clinic pays you their value.</p>
      <label for="card_number">Card number</label>
      <input
        id="card_number"
        name="card_number"
        inputmode="numeric"
        autocomplete="off"
        required
        maxlength={23}
        pattern="[0-9 \-]{16,23}"
        value={cardNumber}
      />
      <label for="points">Points to take</label>
      <input id="points" name="points" inputmode="numeric" required maxlength={9} pattern="[0-9]{1,9}" />
      <label for="bill">Bill total, optional (checks the programme's limit)</label>
      <input id="bill" name="bill" inputmode="decimal" pattern="[0-9]+([.,][0-9]+)?" />
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="submission" value={newSubmissionKey()} />
      <button type="submit">Take points</button>
    </form>
  );
}

export function RecentPoints({
  items,
  csrf,
  now,
}: {
  items: RecentPointRedemption[];
  csrf: string;
  now: number;
}) {
  return (
    <ActivityList
      heading="Recent card points"
      headingId="recent-points"
      action="/partner/points/reversal"
      windowMs={REVERSAL_WINDOW_MS}
      csrf={csrf}
      now={now}
      items={items.map((r) => ({
        id: r.id,
        title: `${r.points.toLocaleString('en-GB')} points · card ending ${r.cardLast4}`,
        amount: r.valueAmount,
        currency: r.currency,
        redeemedAt: r.redeemedAt,
        reversalId: r.reversalId,
        reverseLabel: `Reverse: give back the ${r.points} points taken from card ending ${r.cardLast4}`,
      }))}
    />
  );
}
