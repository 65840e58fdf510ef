import { ApiError } from '@gratia/core';
import { readStatement } from '@gratia/points';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { App } from '../../app';
import type { AppEnv } from '../../env';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, ListQuerySchema, problemResponses } from '../../lib/schemas';
import { authorizeDeferred, ensureAuthorized } from '../../middleware/auth';
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
  operationId: 'listPointEntries',
  tags: ['Bonus points'],
  summary: 'A patient’s points statement, oldest first, with a running balance',
  description:
    'Every entry on the card: accruals (with the programme version used and the lot’s last day), redemptions and reversals (with where the points were spent), and booked expiry; amounts in points and in money. Paged with limit and cursor; a page reads only its own rows.',
  security: [{ bearer: [] }],
  middleware: [authorizeDeferred('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000'), query: ListQuerySchema },
  responses: { 200: jsonContent(Statement, 'The statement'), ...commonErrors, ...problemResponses(404) },
});

/** The entry sequence a cursor points after; a cursor this list never gave out is refused once the key is known good. */
async function decodeSeq(c: Context<AppEnv>, cursor: string | undefined): Promise<number> {
  if (cursor === undefined) return 0;
  const m = /^pte_(\d{1,15})$/.exec(cursor);
  if (m) return Number(m[1]);
  await ensureAuthorized(c);
  throw new ApiError('invalid_cursor', 'The cursor is not one this list gave out');
}

export function registerGetPointsStatement(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const out = await readStatement(c.var.deps, {
      caller: c.var.caller,
      patientId: id,
      afterSeq: await decodeSeq(c, cursor),
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    const s = out.value;
    return c.json(
      {
        data: s.lines.map((e) => entryJson(e, e)),
        next_cursor: s.nextAfter === null ? null : `pte_${s.nextAfter}`,
        balance: s.balance,
        pending_expiry: s.pendingExpiry,
      },
      200,
    );
  });
}
