import { REVERSAL_WINDOW_TEXT, toIso } from '@gratia/core';
import { reverseVisit } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  IdParam,
  jsonBody,
  jsonContent,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';

const Body = z
  .object({
    reason: z.string().trim().min(1).max(500).openapi({ example: 'Recorded for the wrong patient' }),
  })
  .strict()
  .openapi('ReverseVisit');

const VisitReversalSchema = z
  .object({
    id: z.string().openapi({ example: 'vrv_01JD0000000000000000000000' }),
    visit_id: z.string(),
    patient_id: z.string(),
    amount: z.number().int().openapi({ description: 'The visit’s amount, taken off the clinic’s revenue' }),
    currency: z.string(),
    points_taken_back: z
      .number()
      .int()
      .openapi({ description: 'What was left of the visit’s points (points already spent stay spent)' }),
    reason: z.string().nullable(),
    reversed_at: TimestampSchema,
    balance_after: z.number().int().openapi({ description: 'The card’s booked balance after the reversal' }),
  })
  .openapi('VisitReversal');

export const route = createRoute({
  method: 'post',
  path: '/v1/visits/{id}/reverse',
  operationId: 'reverseVisit',
  tags: ['Visit rewards'],
  summary: `Undo a paid visit recorded in error, within ${REVERSAL_WINDOW_TEXT}`,
  description:
    'Only the clinic that recorded it, once, within 24 hours of recording. The visit’s unspent points are taken back (points already spent are not clawed back), the card’s lifetime spend goes down (its discount tier stays), the visit leaves the month’s visits and revenue, and its punches on visit rules no longer count — unless a reward already used them: rewards already given stand.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic'), idempotency] as const,
  request: { params: IdParam('Visit id', 'vis_01JD0000000000000000000000'), body: jsonBody(Body) },
  responses: {
    200: jsonContent(VisitReversalSchema, 'The reversal'),
    ...commonErrors,
    ...problemResponses(404, 409),
  },
});

export function registerReverseVisit(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const out = await reverseVisit(c.var.deps, { clinic: orgOf(c), visitId: id, reason });
    if (!out.ok) return refusal(c, out.error);
    const { visit, reversal, balance } = out.value;
    return c.json(
      {
        id: reversal.id,
        visit_id: visit.id,
        patient_id: visit.patientId,
        amount: reversal.amount,
        currency: visit.currency,
        points_taken_back: reversal.points,
        reason: reversal.reason,
        reversed_at: toIso(reversal.reversedAt),
        balance_after: balance,
      },
      200,
    );
  });
}
