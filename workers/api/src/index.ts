import { systemClock } from '@gratia/core';
import { createApp } from './app';
import type { Env } from './env';
import { runScheduledJobs } from './scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduledJobs(env, systemClock.now(), controller.cron));
  },
} satisfies ExportedHandler<Env>;
