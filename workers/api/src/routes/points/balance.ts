import { isId, toIso } from '@gratia/core';
import { keyOrganization, patients, pointAccounts, pointLots } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { App } from '../../app';
import { pointMoneyOf } from '../../lib/points';
import { problem } from '../../lib/problem';
import {
  commonErrors,
  IdParam,
  jsonContent,
  MoneySchema,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorizeDeferred, keyLookup, resolveDeferred } from '../../middleware/auth';
import { LotSchema, lotJson, PointsSchema } from './schema';

const Balance = z
  .object({
    patient_id: z.string(),
    card_number: z.string(),
    balance: PointsSchema.openapi({ description: 'Spendable now: the sum of unexpired, unspent lots' }),
    value: MoneySchema.openapi({ description: 'The balance in money' }),
    lots: z
      .array(LotSchema)
      .openapi({ description: 'Unexpired lots with points left, first to expire first' }),
    next_expiry: z
      .object({ points: PointsSchema, expires_on: z.string(), expires_at: TimestampSchema })
      .nullable(),
    pending_expiry: PointsSchema.openapi({
      description:
        'Points that have lapsed but whose expiry the scheduled job has not booked in the statement yet',
    }),
    lifetime_spend: MoneySchema,
    discount_bps: z.number().int().openapi({ description: 'The discount tier reached by lifetime spend' }),
    earned: PointsSchema,
    spent: PointsSchema,
    expired: PointsSchema.openapi({ description: 'Expiry booked in the statement so far' }),
  })
  .openapi('PointsBalance');

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/points',
  tags: ['Bonus points'],
  summary: 'A patient’s bonus balance, lots and discount tier',
  description:
    'Expiry is applied as of now whether or not the scheduled job has booked it. One D1 round trip; the rows read grow with the live lots, never with the history.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: { 200: jsonContent(Balance, 'The balance'), ...commonErrors, ...problemResponses(404) },
});

export function registerGetPointsBalance(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { db, clock } = c.var;
    const now = clock.now();
    const patientId = isId('pat', id) ? id : '';
    // The patient is matched to the presenting key's clinic inside the query, so the key lookup can
    // share the round trip.
    const ownClinic = keyOrganization({ hash: c.var.keyHash });
    const [keyRows, found, lots, lapsed] = await db.batch([
      keyLookup(db, c.var.keyHash),
      db
        .select({
          cardNumber: patients.cardNumber,
          currency:
            sql<string>`coalesce(${pointAccounts.currency}, (select o.currency from organizations o where o.id = ${patients.clinicId}))`.as(
              'account_currency',
            ),
          lifetimeSpend: sql<number>`coalesce(${pointAccounts.lifetimeSpend}, 0)`.as('lifetime_spend'),
          discountBps: sql<number>`coalesce(${pointAccounts.discountBps}, 0)`.as('discount_bps'),
          earned: sql<number>`coalesce(${pointAccounts.earned}, 0)`.as('earned'),
          spent: sql<number>`coalesce(${pointAccounts.spent}, 0)`.as('spent'),
          expired: sql<number>`coalesce(${pointAccounts.expired}, 0)`.as('expired'),
        })
        .from(patients)
        .leftJoin(pointAccounts, eq(pointAccounts.patientId, patients.id))
        .where(and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`)),
      db
        .select()
        .from(pointLots)
        .where(
          and(
            eq(pointLots.patientId, patientId),
            gt(pointLots.remaining, 0),
            gt(pointLots.expiresAt, now),
            sql`${pointLots.clinicId} = ${ownClinic}`,
          ),
        )
        .orderBy(asc(pointLots.expiresAt), asc(pointLots.id)),
      db
        .select({ points: sql<number>`coalesce(sum(${pointLots.remaining}), 0)`.as('points') })
        .from(pointLots)
        .where(
          and(eq(pointLots.patientId, patientId), gt(pointLots.remaining, 0), lte(pointLots.expiresAt, now)),
        ),
    ]);
    resolveDeferred(c, keyRows, ['clinic']);
    const p = found[0];
    if (!p) return problem(c, 'patient_not_found', `No patient ${id}`);
    const balance = lots.reduce((s, l) => s + l.remaining, 0);
    const money = pointMoneyOf(c);
    const first = lots[0];
    const next = first
      ? {
          points: lots.filter((l) => l.expiresOn === first.expiresOn).reduce((s, l) => s + l.remaining, 0),
          expires_on: first.expiresOn,
          expires_at: toIso(first.expiresAt),
        }
      : null;
    return c.json(
      {
        patient_id: id,
        card_number: p.cardNumber,
        balance,
        value: { amount: balance * money.pointValue, currency: money.currency },
        lots: lots.map(lotJson),
        next_expiry: next,
        pending_expiry: lapsed[0]?.points ?? 0,
        lifetime_spend: { amount: p.lifetimeSpend, currency: p.currency },
        discount_bps: p.discountBps,
        earned: p.earned,
        spent: p.spent,
        expired: p.expired,
      },
      200,
    );
  });
}
