import {
  type DeliveryOutcome,
  deliverMessage,
  type MessageLinks,
  markDead,
  type Providers,
} from '@gratia/messaging';
import { voucherToken, voucherUrl } from '@gratia/vouchers';
import type { Env } from './env';
import { messagingProviders, queueDispatcher } from './lib/messaging';
import { scheduledDeps } from './scheduled';

// The queue consumers: `gratia-messages` delivers each outbox id once (the consumer's claim), retrying a
// provider's passing failure with the queue's backoff; after the last retry the queue moves it to
// `gratia-messages-dlq`, whose consumer marks the row dead for staff to see and retry.

export const MESSAGES_QUEUE = 'gratia-messages';
export const DEAD_LETTER_QUEUE = 'gratia-messages-dlq';
/** The queue's longest delay (12 hours): a longer deferral is picked up by the sweep. */
const MAX_DELAY_S = 12 * 60 * 60;

export async function handleQueue(
  batch: MessageBatch<{ id: string }>,
  env: Env,
  now: number = Date.now(),
  providers?: Providers,
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const deps = scheduledDeps(env, now, `queue:${batch.queue}`, pending);
  deps.dispatch = queueDispatcher(env, deps);
  const dead = batch.queue === DEAD_LETTER_QUEUE;
  const send = providers ?? messagingProviders(env, deps.config.baseUrl);
  const links: MessageLinks = {
    voucherUrl: async (v) => {
      const token = await voucherToken(deps, v as Parameters<typeof voucherToken>[1]);
      return token && voucherUrl(deps.config, token);
    },
  };
  for (const msg of batch.messages) {
    const id = msg.body?.id;
    if (typeof id !== 'string') {
      msg.ack();
      continue;
    }
    try {
      if (dead) {
        await markDead(deps, id);
        msg.ack();
        continue;
      }
      const out: DeliveryOutcome = await deliverMessage(deps, send, id, links);
      if (out.kind === 'retry') msg.retry({ delaySeconds: Math.ceil(out.retryInMs / 1000) });
      else {
        if (out.kind === 'deferred') {
          const delaySeconds = Math.min(MAX_DELAY_S, Math.max(0, Math.ceil((out.notBefore - now) / 1000)));
          await env.MESSAGES.send({ id }, { delaySeconds });
        }
        msg.ack();
      }
    } catch (e) {
      // A database error: the row stays as it was (queued, or a claim the sweep takes over); try again.
      deps.log({ level: 'error', event: 'deliver_failed', message_id: id, error: String(e) });
      msg.retry({ delaySeconds: 30 });
    }
  }
  await Promise.allSettled(pending);
}
