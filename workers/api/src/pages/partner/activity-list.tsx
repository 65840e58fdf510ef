import { formatMoney, formatTimeUtc } from '../layout';
import { newSubmissionKey } from './common';

// A list of what was redeemed at this counter lately, each with its reversal button while reversal
// is allowed: the same markup for vouchers and for card points.

export interface Activity {
  id: string;
  title: string;
  amount: number;
  currency: string;
  redeemedAt: number;
  reversalId: string | null;
  /** The reversal button's accessible name (it must contain "Reverse", its visible text). */
  reverseLabel: string;
}

export function ActivityList(props: {
  heading: string;
  headingId: string;
  items: Activity[];
  /** Where the reversal form posts. */
  action: string;
  /** How long after a redemption it may be reversed. */
  windowMs: number;
  csrf: string;
  now: number;
}) {
  return (
    <section class="card" aria-labelledby={props.headingId}>
      <h2 id={props.headingId}>{props.heading}</h2>
      {props.items.length === 0 ? <p class="muted">None yet.</p> : null}
      <ul class="plain">
        {props.items.map((r) => (
          <li>
            <span>
              <strong>{r.title}</strong>
              <br />
              <span class="muted">
                {formatMoney(r.amount, r.currency)} · {formatTimeUtc(r.redeemedAt)} UTC
                {r.reversalId ? ' · reversed' : ''}
              </span>
            </span>
            {!r.reversalId && props.now - r.redeemedAt < props.windowMs ? (
              <form method="post" action={props.action}>
                <input type="hidden" name="redemption_id" value={r.id} />
                <input type="hidden" name="csrf" value={props.csrf} />
                <input type="hidden" name="submission" value={newSubmissionKey()} />
                <button type="submit" class="small secondary" aria-label={r.reverseLabel}>
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
