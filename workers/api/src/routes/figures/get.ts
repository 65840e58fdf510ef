import { FIGURE_CAP, type Figure, todayFigures } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

const FigureSchema = z
  .object({
    count: z.number().int().min(0).max(FIGURE_CAP),
    capped: z.boolean().openapi({
      description: `There are more than ${FIGURE_CAP}: counting stops there (show "${FIGURE_CAP}+")`,
    }),
  })
  .openapi('Figure');

const Figures = z
  .object({
    visits_today: FigureSchema.openapi({ description: 'Visits recorded for today (clinic time)' }),
    calls_today: FigureSchema.openapi({ description: 'Call outcomes recorded today (clinic time)' }),
    gifts_redeemed_last_7_days: FigureSchema.openapi({
      description: 'The clinic’s vouchers redeemed at partners in the last 7 days, not reversed',
    }),
    cards_expiring_this_month: FigureSchema.openapi({
      description:
        'Cards with points lapsing between now and the end of this month (clinic time), patients marked do-not-call included',
    }),
  })
  .openapi('TodayFigures');

export const route = createRoute({
  method: 'get',
  path: '/v1/figures',
  operationId: 'getTodayFigures',
  tags: ['Bonus points'],
  summary: 'A few figures of the clinic’s day',
  description: `Counts read from index ranges of the clinic’s own rows, each counted up to ${FIGURE_CAP} (\`capped\` past it), so the answer costs the same however busy the clinic is. One D1 round trip.`,
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  responses: { 200: jsonContent(Figures, 'The figures'), ...commonErrors },
});

const json = (f: Figure) => ({ count: f.count, capped: f.capped });

export function registerTodayFigures(app: App) {
  app.openapi(route, async (c) => {
    const f = await todayFigures(c.var.deps, { clinic: orgOf(c) });
    return c.json(
      {
        visits_today: json(f.visitsToday),
        calls_today: json(f.callsToday),
        gifts_redeemed_last_7_days: json(f.giftsRedeemedLast7Days),
        cards_expiring_this_month: json(f.cardsExpiringThisMonth),
      },
      200,
    );
  });
}
