import { readCard } from '@gratia/loyalty';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, IdParam, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';

// The patient's card as their card page shows it, with the page's signed link to send them (issue 13).
// A GET, not a POST that "makes" a link: the link is derived from the patient id (an HMAC), so reading
// it writes nothing and needs no audit entry.

const Money = z.object({ amount: z.number().int(), currency: z.string() });

const Answer = z
  .object({
    patient_id: z.string(),
    card_number: z.string(),
    url: z.string().openapi({ description: 'The patient’s card page (/c/{token}), to send them' }),
    locale: z.enum(['en', 'es', 'ru']),
    has_photo: z.boolean(),
    balance: z.number().int().openapi({ description: 'Points spendable now' }),
    worth: Money.openapi({ description: 'The balance’s worth at the network’s point value' }),
    next_expiry: z
      .union([z.object({ points: z.number().int(), expires_on: z.string() }), z.null()])
      .openapi({ description: 'The points of the first day they lapse; null when none' }),
    discount_bps: z.number().int(),
    next_tier: z
      .union([
        z.object({
          discount_bps: z.number().int(),
          min_lifetime_spend: z.number().int(),
          remaining: z.number().int(),
          progress_pct: z.number().int(),
        }),
        z.null(),
      ])
      .openapi({
        description: 'The next discount tier (the clinic’s currency); null at the top or without tiers',
      }),
    gifts: z.array(
      z.object({
        voucher_id: z.string(),
        title: z.string(),
        remaining: Money,
        expires_at: z.number().int(),
        url: z.string().nullable(),
      }),
    ),
    more_gifts: z.boolean(),
  })
  .openapi('Card');

export const route = createRoute({
  method: 'get',
  path: '/v1/patients/{id}/card',
  operationId: 'getPatientCard',
  tags: ['Cards'],
  summary: 'The patient’s card and the link to their card page',
  description:
    'What the patient’s card page shows (balance in points and money, next expiry, discount and progress to the next tier, usable gifts with their links) and the page’s signed link to send them.',
  security: [{ bearer: [] }],
  middleware: [authorize('clinic')] as const,
  request: { params: IdParam('Patient id', 'pat_01JD0000000000000000000000') },
  responses: {
    200: jsonContent(Answer, 'The card'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerCardGet(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const card = await readCard(c.var.deps, { patientId: id, clinicId: orgOf(c).organizationId });
    if (!card) return refusal(c, { code: 'patient_not_found', detail: `No patient ${id}` });
    const b = card.balance;
    return c.json(
      {
        patient_id: card.patientId,
        card_number: card.cardNumber,
        url: card.url,
        locale: card.locale,
        has_photo: card.hasPhoto,
        balance: b.balance,
        worth: card.worth,
        next_expiry: b.nextExpiry
          ? { points: b.nextExpiry.points, expires_on: b.nextExpiry.expiresOn }
          : null,
        discount_bps: card.discountBps,
        next_tier: card.nextTier
          ? {
              discount_bps: card.nextTier.discountBps,
              min_lifetime_spend: card.nextTier.minLifetimeSpend,
              remaining: card.nextTier.remaining,
              progress_pct: card.nextTier.progressPct,
            }
          : null,
        gifts: card.gifts.map((g) => ({
          voucher_id: g.id,
          title: g.title,
          remaining: { amount: g.remainingAmount, currency: g.currency },
          expires_at: g.expiresAt,
          url: g.url,
        })),
        more_gifts: card.moreGifts,
      },
      200,
    );
  });
}
