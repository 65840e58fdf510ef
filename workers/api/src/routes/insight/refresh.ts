import { refreshClinicInsight } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { ClinicRefreshSchema, refreshJson } from './schema';

export const route = createRoute({
  method: 'post',
  path: '/v1/insight/refresh',
  operationId: 'refreshInsight',
  tags: ['Insight'],
  summary: 'Re-derive the clinic’s patient insight now',
  description:
    'What the daily job does, for the caller’s clinic, now: every patient’s row (windows, growth, loyalty, quadrant, engagement, win-back), the clinic’s usual interval, A/B/C, and this month’s snapshot. Idempotent: asking again changes nothing that time has not changed. Owners and managers in the console; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(ClinicRefreshSchema, 'What was refreshed'), ...commonErrors },
});

export function registerRefreshInsight(app: App) {
  app.openapi(route, async (c) => {
    const out = await refreshClinicInsight(c.var.deps, { clinic: orgOf(c) });
    if (!out.ok) return refusal(c, out.error);
    return c.json(refreshJson(out.value), 200);
  });
}
