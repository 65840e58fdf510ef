import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { jsonContent } from '../../lib/schemas';

export const route = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: ['Meta'],
  summary: 'Liveness: answers without touching the database (the benchmarks’ baseline)',
  responses: { 200: jsonContent(z.object({ ok: z.literal(true) }).openapi('Health'), 'Alive') },
});

export function registerHealth(app: App) {
  app.openapi(route, (c) => c.json({ ok: true as const }, 200));
}
