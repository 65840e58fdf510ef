import type { Deps } from '@gratia/db';
import { type Providers, providersFrom } from '@gratia/messaging';
import type { Env } from '../env';

// The Worker's side of the outbox: the providers its secrets configure (none: the dev outbox) and the
// dispatcher that hands the ids a batch wrote to the delivery queue.

export function messagingProviders(env: Env, baseUrl: string, doFetch?: typeof fetch): Providers {
  return providersFrom({
    resendApiKey: env.RESEND_API_KEY,
    emailFrom: env.EMAIL_FROM,
    twilioAccountSid: env.TWILIO_ACCOUNT_SID,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN,
    twilioFrom: env.TWILIO_FROM,
    twilioStatusCallback: `${baseUrl}/webhooks/twilio/status`,
    ...(doFetch && { fetch: doFetch }),
  });
}

/** deps.dispatch: the ids go to the queue after the response (a lost send is caught by the sweep). */
export function queueDispatcher(env: Env, deps: Pick<Deps, 'defer' | 'log'>): Deps['dispatch'] {
  const queue = env?.MESSAGES;
  if (!queue) return undefined;
  return (ids) => {
    if (ids.length === 0) return;
    deps.defer(
      queue
        .sendBatch(ids.map((id) => ({ body: { id } })))
        .catch((e: unknown) => deps.log({ level: 'error', event: 'dispatch_failed', error: String(e), ids })),
    );
  };
}
