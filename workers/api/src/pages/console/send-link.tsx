import { isId } from '@gratia/core';
import type { MessageChannel, Patient } from '@gratia/db';
import { type ChannelReach, channelReach } from '@gratia/messaging';

// "Send it to the patient by" on the console forms that make a personal link (issue 13): the
// questionnaire link and the survey link ("Ask for feedback" after a visit, "Send a survey"). Each
// channel shows the patient's address and the consent on record; both messages are marketing, so only
// full consent lets them leave (the consumer checks again at send time and records a suppression).
// The link's page then says the message is queued and links to it in the outbox.

/** A channel as a label or a sentence's start says it. */
export const CHANNEL_NAME: Readonly<Record<MessageChannel, string>> = { email: 'E-mail', sms: 'SMS' };

function reachText(r: ChannelReach): string {
  const name = CHANNEL_NAME[r.channel];
  if (!r.address) return `${name}: no ${r.channel === 'email' ? 'address' : 'phone number'}`;
  if (r.invalid) return `${name} ${r.address}: no longer works`;
  if (r.consent === 'all') return `${name} ${r.address} — consent given`;
  return `${name} ${r.address} — ${r.consent === 'service' ? 'consent to service messages only' : 'no consent'}: it will not be sent`;
}

/** The channel choice inside a link form: e-mail, SMS or don't send (the default without consent). */
export function SendLinkChoice(props: { patient: Patient }) {
  const reach = channelReach(props.patient);
  const preferred = reach.find((r) => r.address && !r.invalid && r.consent === 'all');
  return (
    <fieldset>
      <legend>Send it to the patient by</legend>
      {reach.map((r) => (
        <label>
          <input
            type="radio"
            name="send"
            value={r.channel}
            disabled={!r.address || r.invalid}
            checked={r === preferred}
          />{' '}
          {reachText(r)}
        </label>
      ))}
      <label>
        <input type="radio" name="send" value="none" checked={!preferred} /> Don't send (copy the link
        yourself)
      </label>
    </fieldset>
  );
}

/** The form's choice: a channel, none, or an unknown value (a 400). */
export function sendFromForm(f: Record<string, string>): MessageChannel | null | 'invalid' {
  const v = f.send;
  if (v === undefined || v === '' || v === 'none') return null;
  return v === 'email' || v === 'sms' ? v : 'invalid';
}

/** `sent=<message id>` for the link's page after a send; `sent=none` when the link existed already. */
export const sentParam = (send: MessageChannel | null, messageId: string | null | undefined) =>
  send === null ? '' : `sent=${messageId ?? 'none'}`;

/** What the link's page says after a send. */
export function QueuedFlash(props: { q: Record<string, string> }) {
  const sent = props.q.sent;
  if (sent === 'none')
    return (
      <p class="status" role="status">
        Not sent: this link was made before, and a message about it too if it was sent then. See the outbox.
      </p>
    );
  if (!sent || !isId('msg', sent)) return null;
  return (
    <p class="status ok" role="status">
      Queued: the message is in the outbox. <a href={`/console/outbox/${sent}`}>See it in the outbox</a>
    </p>
  );
}
