import type { ChannelReach } from '@gratia/messaging';
import { CONSENT_WORDING_SERVICE } from '@gratia/network';
import { sendVoucher } from '@gratia/vouchers';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { newSubmissionKey } from '../../lib/forms';
import { CHANNEL_NAME, QueuedFlash } from './send-link';
import { action, exactlyOnce, FormKeys, outcome, type Signed } from './shell';

// "Send" on a gift (issue 13): the gift's page offers its link by e-mail or SMS, each channel showing
// the patient's address and the consent on record, and a checkbox for a patient who asks for the link
// now (which records service-only consent, in the words shown). The message goes to the outbox; the
// page then says so and links to it there.

const CONSENT_TEXT: Record<ChannelReach['consent'], string> = {
  all: 'consent given',
  service: 'consent to service messages given',
  none: 'no consent',
};

function reachText(r: ChannelReach): string {
  if (!r.address)
    return `${CHANNEL_NAME[r.channel]}: no ${r.channel === 'email' ? 'address' : 'phone number'}`;
  if (r.invalid) return `${CHANNEL_NAME[r.channel]} ${r.address}: no longer works`;
  return `${CHANNEL_NAME[r.channel]} ${r.address} — ${CONSENT_TEXT[r.consent]}`;
}

/** The Send section of a gift's page (shown while the gift can still be used). */
export function SendGift(props: {
  s: Signed;
  voucherId: string;
  reach: ChannelReach[];
  q: Record<string, string>;
}) {
  const usable = props.reach.filter((r) => r.address && !r.invalid);
  const preferred = usable.find((r) => r.consent !== 'none') ?? usable[0];
  return (
    <section class="card" aria-labelledby="send">
      <h2 id="send">Send the link</h2>
      <QueuedFlash q={props.q} />
      {usable.length === 0 ? (
        <p>The patient has no working e-mail address or phone number. Add one on the patient's page.</p>
      ) : (
        <form method="post" action={`/console/gifts/${props.voucherId}/send`}>
          <FormKeys csrf={props.s.session.csrf} submission={newSubmissionKey()} />
          <fieldset>
            <legend>Send by</legend>
            {props.reach.map((r) => (
              <label>
                <input
                  type="radio"
                  name="channel"
                  value={r.channel}
                  required
                  disabled={!r.address || r.invalid}
                  checked={r === preferred}
                />{' '}
                {reachText(r)}
              </label>
            ))}
          </fieldset>
          <label>
            <input type="checkbox" name="record_consent" value="1" /> The patient asks for this link by the
            chosen channel now (records their consent to service messages on it)
          </label>
          <ul class="muted">
            {usable
              .filter((r) => r.consent === 'none')
              .map((r) => (
                <li>
                  {CHANNEL_NAME[r.channel]}: “{CONSENT_WORDING_SERVICE[r.channel]}”
                </li>
              ))}
          </ul>
          <button type="submit">Send</button>
        </form>
      )}
    </section>
  );
}

export function registerSendGift(app: Hono<AppEnv>) {
  app.post(
    '/console/gifts/:id/send',
    action('gift', async (c, s, f) => {
      const voucherId = c.req.param('id') ?? '';
      const back = `/console/gifts/${encodeURIComponent(voucherId)}`;
      const channel = f.channel;
      if (channel !== 'email' && channel !== 'sms')
        return c.redirect(`${back}?error=validation_failed&field=channel`, 303);
      return exactlyOnce(c, s, f, back, async () => {
        const out = await sendVoucher(c.var.deps, {
          clinic: s.principal,
          voucherId,
          channel,
          recordConsent: f.record_consent === '1',
          source: 'console',
        });
        if (!out.ok) return outcome(back, out.error);
        return { location: `${back}?sent=${out.value.messageId}#send` };
      });
    }),
  );
}
