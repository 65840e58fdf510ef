import { toIso } from '@gratia/core';
import { buildCallList } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, TimestampSchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { CallRecordSchema, callRecordJson } from '../calls/schema';
import { PointsSchema } from './schema';

const Query = ListQuerySchema.extend({
  within_days: z.coerce.number().int().min(1).max(366).default(30).openapi({
    description: 'The window, in days from now',
    example: 30,
  }),
  do_not_call: z.enum(['exclude', 'include']).default('exclude').openapi({
    description:
      'Whether to list patients whose latest call outcome is `do_not_call` (their `last_call` says so)',
  }),
});

const CallListEntry = z
  .object({
    patient_id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    card_number: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    consent: z.object({ email: z.boolean(), sms: z.boolean() }),
    points_expiring: PointsSchema.openapi({ description: 'Points that lapse within the window' }),
    first_expiry: z.object({ expires_on: z.string(), expires_at: TimestampSchema }),
    lots: z.array(z.object({ points: PointsSchema, expires_on: z.string(), expires_at: TimestampSchema })),
    balance: PointsSchema.openapi({ description: 'All points spendable now' }),
    // A union, not .nullable(): the shared CallOutcome component itself stays non-null.
    last_call: z.union([CallRecordSchema, z.null()]),
  })
  .openapi('ExpiringPoints');

export const route = createRoute({
  method: 'get',
  path: '/v1/points/expiring',
  operationId: 'listExpiringPoints',
  tags: ['Bonus points'],
  summary: 'The call list: patients whose points expire soon',
  description:
    'The clinic’s patients with points lapsing within `within_days`, soonest first, with contact details, consent per channel and the latest call made to them (`last_call`: what came of it, when and who made it; null before any), so staff can invite them back before the points are lost. Patients whose latest call outcome is `do_not_call` are left out unless `do_not_call=include`; a page may then hold fewer than `limit` entries (follow `next_cursor` until it is null).',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: Query },
  responses: {
    200: jsonContent(
      z.object({ data: z.array(CallListEntry), next_cursor: z.string().nullable() }),
      'The call list',
    ),
    ...commonErrors,
  },
});

export function registerExpiringPoints(app: App) {
  app.openapi(route, async (c) => {
    const { within_days, limit, cursor, do_not_call } = c.req.valid('query');
    const after = decodePositionCursor(cursor, 'pat');
    const list = await buildCallList(c.var.deps, {
      clinic: orgOf(c),
      withinDays: within_days,
      after: after && { at: after.at, patientId: after.id },
      limit,
      includeDoNotCall: do_not_call === 'include',
    });
    return c.json(
      {
        data: list.entries.map((e) => ({
          patient_id: e.patientId,
          first_name: e.firstName,
          last_name: e.lastName,
          card_number: e.cardNumber,
          email: e.email,
          phone: e.phone,
          consent: e.consent,
          points_expiring: e.pointsExpiring,
          first_expiry: { expires_on: e.firstExpiry.expiresOn, expires_at: toIso(e.firstExpiry.expiresAt) },
          lots: e.lots.map((l) => ({
            points: l.points,
            expires_on: l.expiresOn,
            expires_at: toIso(l.expiresAt),
          })),
          balance: e.balance,
          last_call: e.lastCall && callRecordJson(e.lastCall),
        })),
        next_cursor: list.next ? encodePositionCursor(list.next.at, list.next.patientId) : null,
      },
      200,
    );
  });
}
