import { toMillis } from '@gratia/core';
import { recordVisit } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import {
  commonErrors,
  jsonBody,
  jsonContent,
  MoneySchema,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorizeDeferred } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { lotJson, VisitSchema, visitJson } from './schema';

const Body = z
  .object({
    patient_id: z.string().max(64),
    amount: MoneySchema.openapi({ description: 'What the patient paid, in the clinic’s currency' }),
    occurred_at: TimestampSchema.pipe(z.iso.datetime({ offset: true }))
      .optional()
      .openapi({
        description: 'When the visit took place (default: now); not in the future',
      }),
    reference: z.string().trim().min(1).max(200).optional().openapi({
      description:
        'The clinic’s own id for the visit (invoice number): recording it again returns the first visit',
      example: 'INV-2026-00042',
    }),
  })
  .strict()
  .openapi('RecordVisit');

export const route = createRoute({
  method: 'post',
  path: '/v1/visits',
  operationId: 'recordVisit',
  tags: ['Bonus points'],
  summary: 'Record a paid visit: it earns points at the clinic’s rate',
  description:
    'Books the accrual as a lot expiring at the end of its expiry day in the clinic’s timezone, updates lifetime spend and the discount tier. Idempotent on Idempotency-Key and on `reference`. Two D1 round trips: one reads, one writes.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic'), idempotency] as const,
  request: { body: jsonBody(Body) },
  responses: {
    201: jsonContent(VisitSchema, 'The visit and what it earned'),
    ...commonErrors,
    ...problemResponses(404, 409, 422),
  },
});

export function registerRecordVisit(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await recordVisit(c.var.deps, {
      caller: c.var.caller,
      patientId: b.patient_id,
      amount: b.amount,
      occurredAt: b.occurred_at === undefined ? undefined : toMillis(b.occurred_at),
      reference: b.reference ?? null,
    });
    if (!out.ok) return refusal(c, out.error);
    const { visit, lot, account, balance, replayed } = out.value;
    if (replayed) c.header('idempotent-replayed', 'true');
    return c.json(
      {
        ...visitJson(visit),
        lot: lot ? lotJson({ ...lot, remaining: lot.points }) : null,
        balance,
        lifetime_spend: { amount: account.lifetimeSpend, currency: account.currency },
        discount_bps: account.discountBps,
      },
      201,
    );
  });
}
