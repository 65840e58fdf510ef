import { isId, MINUTE_MS, toMillis } from '@gratia/core';
import { keyOrganization, patients, pointLots } from '@gratia/db';
import { accrualPoints, accrualStatements, lotExpiry, rulesFromRow } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { App } from '../../app';
import { currentProgram, pointMoneyOf } from '../../lib/points';
import { problem } from '../../lib/problem';
import {
  commonErrors,
  jsonBody,
  jsonContent,
  MoneySchema,
  problemResponses,
  TimestampSchema,
} from '../../lib/schemas';
import { authorizeDeferred, keyLookup, orgOf, resolveDeferred } from '../../middleware/auth';
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

const FUTURE_TOLERANCE_MS = 5 * MINUTE_MS;

export function registerRecordVisit(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const { db, clock } = c.var;
    const now = clock.now();
    // One round trip resolves the key and reads the patient and the rules of the key's own clinic.
    const ownClinic = keyOrganization({ hash: c.var.keyHash });
    const [keyRows, found, [program]] = await db.batch([
      keyLookup(db, c.var.keyHash),
      db
        .select({ id: patients.id })
        .from(patients)
        .where(
          and(
            eq(patients.id, isId('pat', b.patient_id) ? b.patient_id : ''),
            sql`${patients.clinicId} = ${ownClinic}`,
          ),
        ),
      currentProgram(db, ownClinic),
    ]);
    resolveDeferred(c, keyRows, ['clinic']);
    const clinic = orgOf(c);
    const currency = clinic.organization.currency;
    if (b.amount.currency !== currency)
      return problem(c, 'currency_mismatch', `Visits are paid in the clinic's currency, ${currency}`);
    if (b.amount.amount <= 0)
      return problem(c, 'validation_failed', 'A paid visit has a positive amount', [
        { path: 'amount.amount', message: 'must be greater than 0' },
      ]);
    const occurredAt = b.occurred_at ? toMillis(b.occurred_at) : now;
    if (occurredAt > now + FUTURE_TOLERANCE_MS)
      return problem(c, 'validation_failed', 'A visit cannot be recorded before it happens', [
        { path: 'occurred_at', message: 'must not be in the future' },
      ]);
    if (!found[0]) return problem(c, 'patient_not_found', `No patient ${b.patient_id}`);
    const rules = rulesFromRow(program, currency);
    const money = pointMoneyOf(c);
    const reference = b.reference ?? null;
    const { visitId, statements } = accrualStatements(db, {
      clinicId: clinic.organizationId,
      patientId: b.patient_id,
      reference,
      amount: b.amount.amount,
      currency,
      occurredAt,
      rules,
      points: accrualPoints(b.amount.amount, rules.accrualRateBps, money.pointValue),
      expiry: lotExpiry(occurredAt, rules.expiryDays, clinic.organization.timezone),
      money,
      apiKeyId: clinic.keyId,
      now,
    });
    const [, , , , , visitRows, lotRows, accountRows, lapsedRows] = await db.batch([
      ...statements,
      // The spendable balance is the booked one less lapsed lots not booked yet: no scan of live lots.
      db
        .select({ lapsed: sql<number>`coalesce(sum(${pointLots.remaining}), 0)`.as('lapsed') })
        .from(pointLots)
        .where(
          and(
            eq(pointLots.patientId, b.patient_id),
            gt(pointLots.remaining, 0),
            lte(pointLots.expiresAt, now),
          ),
        ),
    ]);
    const [visit] = visitRows;
    const [account] = accountRows;
    const [lot] = lotRows;
    if (!visit || !account) throw new Error('visit batch wrote nothing and found nothing');
    if (visit.id !== visitId) {
      const same =
        visit.patientId === b.patient_id &&
        visit.amount === b.amount.amount &&
        (b.occurred_at === undefined || visit.occurredAt === occurredAt);
      if (!same)
        return problem(
          c,
          'reference_conflict',
          `Reference ${reference} was recorded for a different visit (${visit.id})`,
        );
      c.header('idempotent-replayed', 'true');
    }
    return c.json(
      {
        ...visitJson(visit),
        lot: lot ? lotJson({ ...lot, remaining: lot.points }) : null,
        balance: account.balance - (lapsedRows[0]?.lapsed ?? 0),
        lifetime_spend: { amount: account.lifetimeSpend, currency },
        discount_bps: account.discountBps,
      },
      201,
    );
  });
}
