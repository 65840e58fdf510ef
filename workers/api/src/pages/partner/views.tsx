import { REVERSAL_WINDOW_MS } from '@gratia/core';
import type { CounterActivity, Verification as VoucherCheck } from '@gratia/vouchers';
import { formatMoney, Page } from '../layout';
import { PASSKEY_SCRIPTS, PasskeyButton } from '../staff';
import { ActivityList } from './activity-list';
import { errorText, newSubmissionKey } from './common';
import { PointsForm, RecentPoints } from './points-views';

// The counter page's screens. Plain forms that work without JavaScript (POST, then redirect); the
// camera script only fills in the code and submits the same form.

export function SignIn({ error }: { error?: string }) {
  return (
    <Page title="Partner counter: sign in" scripts={PASSKEY_SCRIPTS}>
      <p class="eyebrow">Partner counter</p>
      <h1>Sign in</h1>
      {error ? (
        <p class="status bad" role="alert">
          {error}
        </p>
      ) : null}
      <div class="card">
        <p>Sign in with the passkey you created from your invitation.</p>
        <PasskeyButton
          mode="signin"
          options="/partner/signin/options"
          action="/partner/signin"
          label="Sign in with a passkey"
        />
      </div>
      <p class="muted">
        Your session lasts until the end of the working day on this device, and ends after 30 minutes without
        use. New here? Ask your owner for an invitation link.
      </p>
    </Page>
  );
}

function TokenForm({ csrf }: { csrf: string }) {
  return (
    <form method="post" action="/partner/verify" class="card" id="verify-form">
      <h2>Check a voucher</h2>
      <div id="scanner" hidden>
        <video
          id="camera"
          playsinline
          muted
          aria-label="Camera preview"
          style="width:100%;border-radius:10px"
        />
        <p class="muted" id="scan-status" aria-live="polite" />
      </div>
      <button type="button" id="scan" class="secondary" hidden>
        Scan the QR code with the camera
      </button>
      <label for="token">Or paste the voucher code</label>
      <textarea id="token" name="token" rows={3} required maxlength={4096} />
      <input type="hidden" name="csrf" value={csrf} />
      <button type="submit">Check voucher</button>
    </form>
  );
}

export function Counter(props: {
  partnerName: string;
  csrf: string;
  recent: CounterActivity['vouchers'];
  recentPoints: CounterActivity['points'];
  now: number;
  flash?: { kind: 'ok' | 'bad'; text: string };
  /** Whether the signed-in staff member manages the partner's offers (owners do). */
  managesOffers: boolean;
  /** Whether the signed-in staff member manages the partner's staff (owners do). */
  managesStaff: boolean;
}) {
  return (
    <Page title={`${props.partnerName}: counter`} script="/partner/scan.js">
      <p class="eyebrow">Partner counter</p>
      <h1>{props.partnerName}</h1>
      {props.flash ? (
        <p class={`status ${props.flash.kind}`} role="status">
          {props.flash.text}
        </p>
      ) : null}
      <TokenForm csrf={props.csrf} />
      <PointsForm csrf={props.csrf} />
      <ActivityList
        heading="Recent redemptions"
        headingId="recent"
        action="/partner/reversal"
        windowMs={REVERSAL_WINDOW_MS}
        csrf={props.csrf}
        now={props.now}
        items={props.recent.map((r) => ({ ...r, reverseLabel: `Reverse the redemption of ${r.title}` }))}
      />
      <RecentPoints items={props.recentPoints} csrf={props.csrf} now={props.now} />
      <p>
        <a href="/partner/statements">Statements: what each clinic owes you, month by month</a>
      </p>
      {props.managesOffers ? (
        <p>
          <a href="/partner/offers">Offers: what you offer in the network's catalogue, with photos</a>
        </p>
      ) : null}
      {props.managesStaff ? (
        <p>
          <a href="/partner/staff">Staff: invite, change roles, remove</a>
        </p>
      ) : null}
      <form method="post" action="/partner/signout">
        <input type="hidden" name="csrf" value={props.csrf} />
        <button type="submit" class="secondary">
          Sign out
        </button>
      </form>
    </Page>
  );
}

export function Verification(props: { csrf: string; token: string; result: VoucherCheck }) {
  const r = props.result;
  return (
    <Page title="Voucher check">
      <p class="eyebrow">Partner counter</p>
      {r.valid ? (
        <>
          <h1>Valid voucher</h1>
          <p class="status ok" role="status">
            For {r.voucher.holder.first_name} {r.voucher.holder.last_initial}. — {r.voucher.title}
          </p>
          <dl class="card">
            <dt>From</dt>
            <dd>{r.voucher.issuer.name}</dd>
            <dt>{r.voucher.kind === 'value' ? 'Value left' : 'Value'}</dt>
            <dd>{formatMoney((r.voucher.remaining ?? r.voucher.value).amount, r.voucher.value.currency)}</dd>
            <dt>Valid until</dt>
            <dd>
              {new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
                new Date(r.voucher.expires_at),
              )}
            </dd>
          </dl>
          <form method="post" action="/partner/redeem">
            <input type="hidden" name="token" value={props.token} />
            <input type="hidden" name="csrf" value={props.csrf} />
            <input type="hidden" name="submission" value={newSubmissionKey()} />
            <input type="hidden" name="currency" value={r.voucher.value.currency} />
            {r.voucher.kind === 'value' ? (
              <>
                <label for="amount">
                  Amount to redeem ({r.voucher.value.currency}), empty for all that is left
                </label>
                <input id="amount" name="amount" inputmode="decimal" pattern="[0-9]+([.,][0-9]+)?" />
              </>
            ) : null}
            <button type="submit">Redeem now</button>
          </form>
        </>
      ) : (
        <>
          <h1>Do not accept</h1>
          <p class="status bad" role="alert">
            {errorText(r.code) ?? 'This voucher cannot be used.'}
          </p>
        </>
      )}
      <p>
        <a href="/partner">Back to the counter</a>
      </p>
    </Page>
  );
}
