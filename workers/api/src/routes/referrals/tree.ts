import { readReferralTree } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { decodeCursor, encodeCursor } from '../../lib/pagination';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonContent } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { ReferralSchema, referralJson } from './schema';

const Query = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(25)
    .openapi({ description: 'Referrers per page, 1 to 100' }),
  cursor: z.string().max(200).optional().openapi({ description: 'Opaque cursor from next_cursor' }),
});

const ReferrerSchema = z
  .object({
    patient: z.object({ id: z.string(), first_name: z.string(), last_name: z.string() }),
    referred_by_id: z.string().nullable().openapi({
      description: 'The patient who referred this referrer, if anyone (the tree goes on there)',
    }),
    counts: z.object({
      referred: z.number().int(),
      pending: z.number().int(),
      rewarded: z.number().int(),
      capped: z.number().int(),
    }),
    referrals: z
      .array(ReferralSchema)
      .openapi({ description: 'Their referrals, oldest first (the newest 100)' }),
  })
  .openapi('Referrer');

export const route = createRoute({
  method: 'get',
  path: '/v1/referrals',
  operationId: 'getReferralTree',
  tags: ['Referrals'],
  summary: 'The clinic’s referral tree: referrers with the patients they referred',
  description:
    'A page of referrers (by patient id), each with their referrals (status, both rewards, capped ones), counts and who referred them. Owners and managers in the console; any clinic API key.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { query: Query },
  responses: {
    200: jsonContent(
      z.object({ data: z.array(ReferrerSchema), next_cursor: z.string().nullable() }).openapi('ReferralTree'),
      'A page of the tree',
    ),
    ...commonErrors,
  },
});

export function registerReferralTree(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const out = await readReferralTree(c.var.deps, {
      clinic: orgOf(c),
      after: decodeCursor(cursor, 'pat'),
      limit,
    });
    if (!out.ok) return refusal(c, out.error);
    return c.json(
      {
        data: out.value.referrers.map((r) => ({
          patient: { id: r.referrerId, first_name: r.firstName, last_name: r.lastName },
          referred_by_id: r.referredById,
          counts: r.counts,
          referrals: r.referrals.map(referralJson),
        })),
        next_cursor: out.value.next ? encodeCursor(out.value.next) : null,
      },
      200,
    );
  });
}
