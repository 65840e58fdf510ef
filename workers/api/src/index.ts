import { createApp } from './app';
import type { Env } from './env';
import { handleQueue } from './queue';
import { runScheduledJobs } from './scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    // The time the run was scheduled for (wrangler dev --test-scheduled lets a test choose it).
    ctx.waitUntil(runScheduledJobs(env, controller.scheduledTime, controller.cron));
  },
  // The outbox's delivery queue and its dead-letter queue (issue 13).
  queue: (batch, env) => handleQueue(batch as MessageBatch<{ id: string }>, env),
} satisfies ExportedHandler<Env>;
