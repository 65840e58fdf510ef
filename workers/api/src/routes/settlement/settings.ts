import { listNetworkSettings, readNetworkSettings, setNetworkSettings } from '@gratia/settlement';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonBody, jsonContent } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { NetworkSettingsSchema, settingsJson } from './schema';

const Body = z
  .object({
    fee_bps: z.number().int().min(0).max(10_000).openapi({ example: 250 }),
    closing_grace_days: z.number().int().min(0).max(28).openapi({ example: 5 }),
  })
  .strict()
  .openapi('NetworkSettingsInput');

export const getRoute = createRoute({
  method: 'get',
  path: '/v1/network/settings',
  operationId: 'getNetworkSettings',
  tags: ['Settlement'],
  summary: 'The network’s fee and closing grace in force',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  responses: { 200: jsonContent(NetworkSettingsSchema, 'The settings in force'), ...commonErrors },
});

export const putRoute = createRoute({
  method: 'put',
  path: '/v1/network/settings',
  operationId: 'setNetworkSettings',
  tags: ['Settlement'],
  summary: 'Set the network’s fee and closing grace (a new version)',
  description:
    'Applies to settlement lines written from now on; every line keeps the version and rate it was written under. Sending the settings in force again changes nothing.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator')] as const,
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(NetworkSettingsSchema, 'The settings now in force'), ...commonErrors },
});

export const versionsRoute = createRoute({
  method: 'get',
  path: '/v1/network/settings/versions',
  operationId: 'listNetworkSettingsVersions',
  tags: ['Settlement'],
  summary: 'Every version of the network’s settings, newest first (what a line’s settings_version refers to)',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  responses: {
    200: jsonContent(z.object({ data: z.array(NetworkSettingsSchema) }), 'The versions'),
    ...commonErrors,
  },
});

export function registerNetworkSettings(app: App) {
  app.openapi(getRoute, async (c) => c.json(settingsJson(await readNetworkSettings(c.var.deps)), 200));
  app.openapi(putRoute, async (c) => {
    const b = c.req.valid('json');
    const s = await setNetworkSettings(c.var.deps, {
      feeBps: b.fee_bps,
      closingGraceDays: b.closing_grace_days,
    });
    return c.json(settingsJson(s), 200);
  });
  app.openapi(versionsRoute, async (c) =>
    c.json({ data: (await listNetworkSettings(c.var.deps)).map(settingsJson) }, 200),
  );
}
