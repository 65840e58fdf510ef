import { ApiError, base64url, DAY_MS, toIso } from '@gratia/core';
import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
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

function decode(cursor: string | undefined): { at: number; id: string } | null {
  if (cursor === undefined) return null;
  try {
    const [at, id] = atob(cursor.replace(/-/g, '+').replace(/_/g, '/')).split('|');
    if (at && id && /^\d{1,15}$/.test(at) && /^pat_\w+$/.test(id)) return { at: Number(at), id };
  } catch {
    // fall through
  }
  throw new ApiError('invalid_cursor', 'The cursor is not one this list gave out');
}

interface Row {
  patient_id: string;
  first_name: string;
  last_name: string;
  card_number: string;
  email: string | null;
  phone: string | null;
  consent_email: number;
  consent_sms: number;
  points_expiring: number;
  first_expires_at: number;
  first_expires_on: string;
  lots: string;
  balance: number;
}

export function registerExpiringPoints(app: App) {
  app.openapi(route, async (c) => {
    const { within_days, limit, cursor } = c.req.valid('query');
    const clinic = orgOf(c);
    const after = decode(cursor);
    const now = c.var.clock.now();
    const until = now + within_days * DAY_MS;
    const rows = await c.var.db.all<Row>(
      sql`select p.id as patient_id, p.first_name, p.last_name, p.card_number, p.email, p.phone,
          p.consent_email, p.consent_sms,
          sum(l.remaining) as points_expiring, min(l.expires_at) as first_expires_at,
          min(l.expires_on) as first_expires_on,
          json_group_array(json_object('points', l.remaining, 'expires_on', l.expires_on, 'expires_at', l.expires_at)) as lots,
          (select coalesce(sum(x.remaining), 0) from point_lots x
            where x.patient_id = p.id and x.remaining > 0 and x.expires_at > ${now}) as balance
        from point_lots l join patients p on p.id = l.patient_id
        where l.clinic_id = ${clinic.organizationId} and l.remaining > 0
          and l.expires_at > ${now} and l.expires_at <= ${until}
        group by p.id
        ${after ? sql`having (min(l.expires_at), p.id) > (${after.at}, ${after.id})` : sql``}
        order by first_expires_at, p.id
        limit ${limit + 1}`,
    );
    const more = rows.length > limit;
    const kept = more ? rows.slice(0, limit) : rows;
    const last = kept[kept.length - 1];
    return c.json(
      {
        data: kept.map((r) => ({
          patient_id: r.patient_id,
          first_name: r.first_name,
          last_name: r.last_name,
          card_number: r.card_number,
          email: r.email,
          phone: r.phone,
          consent: { email: r.consent_email === 1, sms: r.consent_sms === 1 },
          points_expiring: r.points_expiring,
          first_expiry: { expires_on: r.first_expires_on, expires_at: toIso(r.first_expires_at) },
          lots: (JSON.parse(r.lots) as { points: number; expires_on: string; expires_at: number }[])
            .sort((a, b) => a.expires_at - b.expires_at)
            .map((l) => ({ points: l.points, expires_on: l.expires_on, expires_at: toIso(l.expires_at) })),
          balance: r.balance,
        })),
        next_cursor:
          more && last
            ? base64url(new TextEncoder().encode(`${last.first_expires_at}|${last.patient_id}`))
            : null,
      },
      200,
    );
  });
}
