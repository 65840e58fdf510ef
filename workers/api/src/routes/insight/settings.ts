import { readInsightSettings, saveInsightSettings } from '@gratia/insight';
import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { InsightSettingsInputSchema, InsightSettingsSchema, settingsJson } from './schema';

export const getRoute = createRoute({
  method: 'get',
  path: '/v1/insight/settings',
  operationId: 'getInsightSettings',
  tags: ['Insight'],
  summary: 'The clinic’s A/B/C thresholds and gift budget per class',
  description:
    'The defaults (A = first 80% of revenue, B = next 15%, no budgets) until the clinic saves its own.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(InsightSettingsSchema, 'The settings'), ...commonErrors },
});

export const putRoute = createRoute({
  method: 'put',
  path: '/v1/insight/settings',
  operationId: 'setInsightSettings',
  tags: ['Insight'],
  summary: 'Set the clinic’s A/B/C thresholds and gift budgets',
  description:
    'Saves the thresholds and budgets (owners and managers in the console; any clinic API key) and classifies the clinic’s patients again under them, in the same transaction.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { body: jsonBody(InsightSettingsInputSchema) },
  responses: {
    200: jsonContent(InsightSettingsSchema, 'The settings now in force'),
    ...commonErrors,
    ...problemResponses(422),
  },
});

export function registerInsightSettings(app: App) {
  app.openapi(getRoute, async (c) => {
    return c.json(settingsJson(await readInsightSettings(c.var.deps, { clinic: orgOf(c) })), 200);
  });
  app.openapi(putRoute, async (c) => {
    const b = c.req.valid('json');
    const out = await saveInsightSettings(c.var.deps, {
      clinic: orgOf(c),
      abcABps: b.abc_a_bps,
      abcBBps: b.abc_b_bps,
      budgetA: b.budget_a ?? null,
      budgetB: b.budget_b ?? null,
      budgetC: b.budget_c ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(settingsJson(out.value), 200);
  });
}
