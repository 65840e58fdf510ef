import { ApiError, base64url, toIso } from '@gratia/core';
import { buildCallList, type CallListPosition } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { commonErrors, jsonContent, ListQuerySchema, TimestampSchema } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PointsSchema } from './schema';

const Query = ListQuerySchema.extend({
  within_days: z.coerce.number().int().min(1).max(366).default(30).openapi({
    description: 'The window, in days from now',
    example: 30,
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
  })
  .openapi('ExpiringPoints');

export const route = createRoute({
  method: 'get',
  path: '/v1/points/expiring',
  operationId: 'listExpiringPoints',
  tags: ['Bonus points'],
  summary: 'The call list: patients whose points expire soon',
  description:
    'The clinic’s patients with points lapsing within `within_days`, soonest first, with contact details and consent per channel, so staff can invite them back before the points are lost.',
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

function decode(cursor: string | undefined): CallListPosition | null {
  if (cursor === undefined) return null;
  try {
    const [at, id] = atob(cursor.replace(/-/g, '+').replace(/_/g, '/')).split('|');
    if (at && id && /^\d{1,15}$/.test(at) && /^pat_\w+$/.test(id)) return { at: Number(at), patientId: id };
  } catch {
    // fall through
  }
  throw new ApiError('invalid_cursor', 'The cursor is not one this list gave out');
}

export function registerExpiringPoints(app: App) {
  app.openapi(route, async (c) => {
    const { within_days, limit, cursor } = c.req.valid('query');
    const list = await buildCallList(c.var.deps, {
      clinic: orgOf(c),
      withinDays: within_days,
      after: decode(cursor),
      limit,
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
        })),
        next_cursor: list.next
          ? base64url(new TextEncoder().encode(`${list.next.at}|${list.next.patientId}`))
          : null,
      },
      200,
    );
  });
}
