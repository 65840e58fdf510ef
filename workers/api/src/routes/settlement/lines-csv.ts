import { linesCsv } from '@gratia/settlement';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors } from '../../lib/schemas';
import { authorize, principalOf } from '../../middleware/auth';
import { PeriodSchema } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/settlements/{period}/lines.csv',
  operationId: 'getSettlementLinesCsv',
  tags: ['Settlement'],
  summary: 'Every line behind a month’s figures, as CSV for accountants',
  description:
    'RFC 4180 (header row, CRLF, quoted where needed), UTF-8 without BOM, amounts in major units with a currency column, formula-injection safe. A party gets its own lines, the operator all. Streamed page by page from D1.',
  security: [{ bearer: [] }],
  middleware: [authorize('operator', 'clinic', 'partner')] as const,
  request: { params: z.object({ period: PeriodSchema.openapi({ param: { name: 'period', in: 'path' } }) }) },
  responses: {
    200: {
      description: 'The lines, one row each',
      content: { 'text/csv': { schema: z.string().openapi({ example: 'line_id,time,kind,...' }) } },
    },
    ...commonErrors,
  },
});

export function registerSettlementLinesCsv(app: App) {
  app.openapi(route, (c) => {
    const { period } = c.req.valid('param');
    const principal = principalOf(c);
    const who = principal.organizationId ?? 'network';
    return new Response(linesCsv(c.var.deps, { principal, period }), {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="settlement-${period}-${who}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
