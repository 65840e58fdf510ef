import { normalizeCardNumber } from '@gratia/core';
import { patients } from '@gratia/db';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt, or, type SQL, sql } from 'drizzle-orm';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PatientSchema, patientJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients',
  tags: ['Patients'],
  summary: "List or search the clinic's patients",
  description:
    '`q` matches a card number (exactly, spaces allowed), a phone number, an e-mail address, or any part of the name.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: ListQuerySchema.extend({ q: z.string().trim().min(1).max(200).optional() }) },
  responses: {
    200: jsonContent(listOf(PatientSchema, 'PatientList'), 'A page of patients'),
    ...commonErrors,
  },
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

function searchCondition(q: string): SQL {
  const card = normalizeCardNumber(q);
  if (/^\d{16}$/.test(card)) return eq(patients.cardNumber, card);
  const needle = `%${escapeLike(q.toLowerCase())}%`;
  const phone = q.replace(/[\s()-]/g, '');
  const conditions = [sql`${patients.searchText} like ${needle} escape '\\'`];
  if (/^\+?\d{4,}$/.test(phone)) conditions.push(sql`${patients.phone} like ${`%${phone}%`}`);
  return or(...conditions)!;
}

export function registerListPatients(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const org = orgOf(c);
    const after = decodeCursor(q.cursor, 'pat');
    const rows = await c.var.db
      .select()
      .from(patients)
      .where(
        and(
          eq(patients.clinicId, org.organizationId),
          after ? gt(patients.id, after) : undefined,
          q.q ? searchCondition(q.q) : undefined,
        ),
      )
      .orderBy(asc(patients.id))
      .limit(q.limit + 1);
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(patientJson), next_cursor: nextCursor }, 200);
  });
}
