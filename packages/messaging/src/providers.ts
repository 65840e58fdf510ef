import type { MessageChannel, MessageProvider } from '@gratia/db';

// Where a message goes: e-mail through Resend's HTTP API, SMS through Twilio's REST API, both over
// fetch (Twilio's Node SDK does not run in workerd). Without a provider's credentials the channel's
// provider is the dev outbox: the message counts as sent and the rendered row IS what would have gone
// out (the console's outbox shows it). `fetch` is injectable so tests can make a provider fail.

export interface OutgoingMessage {
  /** The outbox id: the provider's idempotency key where it has one. */
  id: string;
  channel: MessageChannel;
  to: string;
  subject: string | null;
  body: string;
  /** E-mail to a patient: the one-click unsubscribe URL (RFC 8058 headers). */
  unsubscribeUrl: string | null;
}

export type SendOutcome =
  | { ok: true; provider: MessageProvider; providerId: string | null }
  /** `retryable`: a 5xx, a rate limit or a network error; else final, and `addressInvalid` when the address is bad. */
  | { ok: false; provider: MessageProvider; retryable: boolean; addressInvalid: boolean; error: string };

export interface ProviderSettings {
  resendApiKey?: string | undefined;
  emailFrom?: string | undefined;
  twilioAccountSid?: string | undefined;
  twilioAuthToken?: string | undefined;
  twilioFrom?: string | undefined;
  /** Where Twilio reports delivery statuses (`${baseUrl}/webhooks/twilio/status`). */
  twilioStatusCallback?: string | undefined;
  fetch?: typeof fetch;
}

export interface Providers {
  send(m: OutgoingMessage): Promise<SendOutcome>;
  /** Which provider each channel uses (for the console and logs). */
  of(channel: MessageChannel): MessageProvider;
}

/** Twilio error codes that mean the number cannot receive SMS (no more sends to it). */
export const TWILIO_BAD_NUMBER_CODES = new Set([
  21211, 21214, 21217, 21407, 21408, 21610, 21612, 21614, 30003, 30005, 30006,
]);

const retryableStatus = (status: number) => status >= 500 || status === 429 || status === 408;

export function providersFrom(s: ProviderSettings): Providers {
  const doFetch = s.fetch ?? ((input, init) => fetch(input, init));
  const of = (channel: MessageChannel): MessageProvider =>
    channel === 'email'
      ? s.resendApiKey
        ? 'resend'
        : 'dev'
      : s.twilioAccountSid && s.twilioAuthToken && s.twilioFrom
        ? 'twilio'
        : 'dev';

  async function resend(m: OutgoingMessage): Promise<SendOutcome> {
    const headers: Record<string, string> = {};
    if (m.unsubscribeUrl) {
      headers['List-Unsubscribe'] = `<${m.unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    const res = await doFetch('https://api.resend.com/emails', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${s.resendApiKey}`,
        'content-type': 'application/json',
        'Idempotency-Key': m.id,
      },
      body: JSON.stringify({
        from: s.emailFrom ?? 'Gratia <onboarding@resend.dev>',
        to: [m.to],
        subject: m.subject ?? '',
        text: m.body,
        headers,
        tags: [{ name: 'message_id', value: m.id }],
      }),
    });
    const text = await res.text();
    if (res.ok) {
      const id = safeJson(text)?.id;
      return { ok: true, provider: 'resend', providerId: typeof id === 'string' ? id : null };
    }
    const error = `resend ${res.status}: ${text.slice(0, 300)}`;
    // 422 (validation_error: the address is malformed) is the one answer that means the address is bad.
    return {
      ok: false,
      provider: 'resend',
      retryable: retryableStatus(res.status),
      addressInvalid: res.status === 422 && /to|email|address/i.test(text),
      error,
    };
  }

  async function twilio(m: OutgoingMessage): Promise<SendOutcome> {
    const form = new URLSearchParams({ To: m.to, Body: m.body });
    if (s.twilioFrom!.startsWith('MG')) form.set('MessagingServiceSid', s.twilioFrom!);
    else form.set('From', s.twilioFrom!);
    if (s.twilioStatusCallback) form.set('StatusCallback', s.twilioStatusCallback);
    const res = await doFetch(
      `https://api.twilio.com/2010-04-01/Accounts/${encodeURIComponent(s.twilioAccountSid!)}/Messages.json`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa(`${s.twilioAccountSid}:${s.twilioAuthToken}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
      },
    );
    const text = await res.text();
    const json = safeJson(text);
    if (res.ok)
      return { ok: true, provider: 'twilio', providerId: typeof json?.sid === 'string' ? json.sid : null };
    const code = typeof json?.code === 'number' ? json.code : null;
    return {
      ok: false,
      provider: 'twilio',
      retryable: retryableStatus(res.status),
      addressInvalid: code !== null && TWILIO_BAD_NUMBER_CODES.has(code),
      error: `twilio ${res.status}${code ? ` (${code})` : ''}: ${text.slice(0, 300)}`,
    };
  }

  return {
    of,
    async send(m) {
      const provider = of(m.channel);
      if (provider === 'dev') return { ok: true, provider: 'dev', providerId: null };
      try {
        return provider === 'resend' ? await resend(m) : await twilio(m);
      } catch (e) {
        return {
          ok: false,
          provider,
          retryable: true,
          addressInvalid: false,
          error: `${provider}: ${String(e)}`,
        };
      }
    },
  };
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
