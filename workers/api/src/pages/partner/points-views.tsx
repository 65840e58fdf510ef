import { formatMoney, formatTimeUtc } from '../layout';

// The counter page's card-points parts: the form that takes points by card number, and the list of
// points taken lately with their reversal buttons.

export interface RecentPointRedemption {
  id: string;
  points: number;
  valueAmount: number;
  currency: string;
  redeemedAt: number;
  cardLast4: string;
  reversalId: string | null;
}

export function PointsForm({ csrf }: { csrf: string }) {
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
      />
      <label for="points">Points to take</label>
      <input id="points" name="points" inputmode="numeric" required maxlength={9} pattern="[0-9]{1,9}" />
      <label for="bill">Bill total, optional (checks the programme's limit)</label>
      <input id="bill" name="bill" inputmode="decimal" pattern="[0-9]+([.,][0-9]{1,2})?" />
      <input type="hidden" name="csrf" value={csrf} />
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
    <section class="card" aria-labelledby="recent-points">
      <h2 id="recent-points">Recent card points</h2>
      {items.length === 0 ? <p class="muted">None yet.</p> : null}
      <ul class="plain">
        {items.map((r) => (
          <li>
            <span>
              <strong>
                {r.points.toLocaleString('en-GB')} points · card ending {r.cardLast4}
              </strong>
              <br />
              <span class="muted">
                {formatMoney(r.valueAmount, r.currency)} · {formatTimeUtc(r.redeemedAt)} UTC
                {r.reversalId ? ' · reversed' : ''}
              </span>
            </span>
            {!r.reversalId && now - r.redeemedAt < 24 * 3600_000 ? (
              <form method="post" action="/partner/points/reversal">
                <input type="hidden" name="redemption_id" value={r.id} />
                <input type="hidden" name="csrf" value={csrf} />
                <button
                  type="submit"
                  class="small secondary"
                  aria-label={`Reverse: give back the ${r.points} points taken from card ending ${r.cardLast4}`}
                >
                  Reverse
                </button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
