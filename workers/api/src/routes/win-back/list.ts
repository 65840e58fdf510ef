import { toIso } from '@gratia/core';
import { ABC_CLASSES, QUADRANTS } from '@gratia/db';
import { listWinBack, type WinBackEntry } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodePositionCursor, encodePositionCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent, ListQuerySchema, listOf, TimestampSchema } from '../../lib/schemas';
import { authorizeDeferred, ensureAuthorized } from '../../middleware/auth';
import { CallRecordSchema, callRecordJson } from '../calls/schema';

const WinBackEntrySchema = z
  .object({
    patient_id: z.string().openapi({ example: 'pat_01JD0000000000000000000000' }),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    consent: z.object({ email: z.boolean(), sms: z.boolean() }),
    last_visit_at: TimestampSchema.nullable(),
    usual_interval_days: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The patient’s own usual interval between visits (null below two visits)' }),
    overdue_days: z
      .number()
      .int()
      .openapi({ description: 'Days past that interval (0: on the list because engagement dropped)' }),
    reason: z.string().nullable().openapi({ example: 'Overdue: 42 days past their usual 60-day interval' }),
    engagement: z.number().int().openapi({ description: '0-100' }),
    engagement_prev: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The engagement at the last monthly snapshot' }),
    quadrant: z.enum(QUADRANTS),
    abc_class: z.enum(ABC_CLASSES).nullable(),
    last_call: CallRecordSchema.nullable().openapi({ description: 'The latest call (null: never called)' }),
  })
  .openapi('WinBackEntry');

export const route = createRoute({
  method: 'get',
  path: '/v1/win_back',
  operationId: 'listWinBack',
  tags: ['Insight'],
  summary: 'The win-back list: patients drifting away, most overdue first',
  description:
    'The clinic’s patients whose engagement dropped or who are overdue against their own usual interval between visits, most overdue first, with contact details and consent, why each is on the list, their engagement and quadrant, and the latest call (record calls with `POST /v1/patients/{id}/call_outcomes`). Paged.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic')] as const,
  request: { query: ListQuerySchema },
  responses: {
    200: jsonContent(listOf(WinBackEntrySchema, 'WinBackList'), 'A page of the win-back list'),
    ...commonErrors,
  },
});

const entryJson = (e: WinBackEntry): z.infer<typeof WinBackEntrySchema> => ({
  patient_id: e.patientId,
  first_name: e.firstName,
  last_name: e.lastName,
  email: e.email,
  phone: e.phone,
  consent: e.consent,
  last_visit_at: e.lastVisitAt === null ? null : toIso(e.lastVisitAt),
  usual_interval_days: e.usualIntervalDays,
  overdue_days: e.overdueDays,
  reason: e.reason,
  engagement: e.engagement,
  engagement_prev: e.engagementPrev,
  quadrant: e.quadrant,
  abc_class: e.abcClass,
  last_call: e.lastCall ? callRecordJson(e.lastCall) : null,
});

export function registerListWinBack(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    let after: ReturnType<typeof decodePositionCursor>;
    try {
      after = decodePositionCursor(cursor, 'pat');
    } catch (e) {
      // A cursor this list never gave out is refused once the key is known good (a bad key is 401 first).
      await ensureAuthorized(c);
      throw e;
    }
    const out = await listWinBack(c.var.deps, {
      caller: c.var.caller,
      after: after ? { overdueDays: after.at, patientId: after.id } : null,
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    const page = out.value;
    return c.json(
      {
        data: page.entries.map(entryJson),
        next_cursor: page.next ? encodePositionCursor(page.next.overdueDays, page.next.patientId) : null,
      },
      200,
    );
  });
}
