import { ApiError, isId } from '@gratia/core';
import { keyOrganization, patients, pointEntries, pointLots } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import type { App } from '../../app';
import { problem } from '../../lib/problem';
import { commonErrors, IdParam, jsonContent, ListQuerySchema, problemResponses } from '../../lib/schemas';
import { authorizeDeferred, keyLookup, resolveDeferred } from '../../middleware/auth';
import { EntrySchema, entryJson, PointsSchema } from './schema';

const Statement = z
  .object({
    data: z.array(EntrySchema),
    next_cursor: z.string().nullable(),
    balance: PointsSchema.openapi({
      description: 'Spendable now (the last running balance less pending_expiry)',
    }),
    pending_expiry: PointsSchema.openapi({
      description: 'Lapsed points whose expiry entries the scheduled job has not booked yet',
    }),
  })
  .openapi('PointsStatement');

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/points/entries',
  tags: ['Bonus points'],
  summary: 'A patient’s points statement, oldest first, with a running balance',
  description:
    'Every entry on the card: accruals (with the programme version used and the lot’s last day), redemptions and reversals (with where the points were spent), and booked expiry; amounts in points and in money. Paged with limit and cursor; a page reads only its own rows.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: { 200: jsonContent(Statement, 'The statement'), ...commonErrors, ...problemResponses(404) },
});

function decodeSeq(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const m = /^pte_(\d{1,15})$/.exec(cursor);
  if (!m) throw new ApiError('invalid_cursor', 'The cursor is not one this list gave out');
  return Number(m[1]);
}

export function registerGetPointsStatement(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const after = decodeSeq(cursor);
    const { db, clock } = c.var;
    const now = clock.now();
    const patientId = isId('pat', id) ? id : '';
    const ownClinic = keyOrganization({ hash: c.var.keyHash });
    const owned = and(eq(patients.id, patientId), sql`${patients.clinicId} = ${ownClinic}`);
    const [keyRows, found, rows, totals] = await db.batch([
      keyLookup(db, c.var.keyHash),
      db.select({ patientId: patients.id }).from(patients).where(owned),
      db
        .select({
          ...getTableColumns(pointEntries),
          // Looked up only for the entries they concern: a page reads its rows and one row per reference.
          programVersion: sql<number | null>`case when ${pointEntries.txnType} = 'accrual' then
            (select v.program_version from visits v where v.id = ${pointEntries.sourceId}) end`.as(
            'program_version',
          ),
          expiresOn: sql<string | null>`case when ${pointEntries.txnType} = 'accrual' then
            (select l.expires_on from point_lots l where l.visit_id = ${pointEntries.sourceId}) end`.as(
            'lot_expires_on',
          ),
          counterpartyName: sql<string | null>`case when ${pointEntries.counterpartyId} is not null then
            (select o.name from organizations o where o.id = ${pointEntries.counterpartyId}) end`.as(
            'counterparty_name',
          ),
        })
        .from(pointEntries)
        .where(
          and(
            eq(pointEntries.account, 'patient'),
            eq(pointEntries.ownerId, patientId),
            gt(pointEntries.seq, after),
            sql`exists (select 1 from patients p where p.id = ${patientId} and p.clinic_id = ${ownClinic})`,
          ),
        )
        .orderBy(asc(pointEntries.seq))
        .limit(limit + 1),
      db
        .select({
          live: sql<number>`coalesce(sum(case when ${pointLots.expiresAt} > ${now} then ${pointLots.remaining} end), 0)`.as(
            'live',
          ),
          lapsed:
            sql<number>`coalesce(sum(case when ${pointLots.expiresAt} <= ${now} then ${pointLots.remaining} end), 0)`.as(
              'lapsed',
            ),
        })
        .from(pointLots)
        .where(and(eq(pointLots.patientId, patientId), gt(pointLots.remaining, 0))),
    ]);
    resolveDeferred(c, keyRows, ['clinic']);
    if (!found[0]) return problem(c, 'patient_not_found', `No patient ${id}`);
    const more = rows.length > limit;
    const kept = more ? rows.slice(0, limit) : rows;
    return c.json(
      {
        data: kept.map((e) =>
          entryJson(e, {
            counterparty: e.counterpartyId ? { id: e.counterpartyId, name: e.counterpartyName ?? '' } : null,
            programVersion: e.txnType === 'accrual' ? e.programVersion : null,
            expiresOn: e.txnType === 'accrual' ? e.expiresOn : null,
          }),
        ),
        next_cursor: more ? `pte_${kept[kept.length - 1]!.seq}` : null,
        balance: totals[0]?.live ?? 0,
        pending_expiry: totals[0]?.lapsed ?? 0,
      },
      200,
    );
  });
}
