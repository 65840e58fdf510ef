import { listPatients } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { commonErrors, jsonContent, ListQuerySchema, listOf } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { PatientSchema, patientJson } from './schema';

export const route = createRoute({
  method: 'get',
  path: '/v1/patients',
  operationId: 'listPatients',
  tags: ['Patients'],
  summary: "List or search the clinic's patients",
  description:
    '`q` matches a card number (exactly, spaces allowed), a phone number, an e-mail address, or any part of the name.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: {
    query: ListQuerySchema.extend({
      q: z.string().trim().min(1).max(200).optional().openapi({
        description:
          'A card number, a phone number (or its last 4+ digits), an e-mail address (or its start), or words each matching the start of a word of the name; case and accents are ignored',
        example: 'mul',
      }),
    }),
  },
  responses: {
    200: jsonContent(listOf(PatientSchema, 'PatientList'), 'A page of patients'),
    ...commonErrors,
  },
});

export function registerListPatients(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const rows = await listPatients(c.var.deps, {
      clinic: orgOf(c),
      q: q.q,
      after: decodeCursor(q.cursor, 'pat'),
      limit: q.limit + 1,
    });
    const { rows: kept, nextCursor } = page(rows, q.limit);
    return c.json({ data: kept.map(patientJson), next_cursor: nextCursor }, 200);
  });
}
