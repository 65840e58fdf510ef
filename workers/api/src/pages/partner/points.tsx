import { pointReversalStatements } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { pointMoneyOf } from '../../lib/points';
import { spendAtCounter } from '../../lib/points-counter';
import { reversalRefusal } from '../../lib/reversal';
import { keyLookup } from '../../middleware/auth';
import { keyOfSession, parseAmount, withSession } from './common';

// Card points at the counter: type the card number and the points, take them with one tap (the same
// single guarded D1 batch as POST /v1/points/redemptions), and reverse within 24 hours.

export function registerPartnerPoints(app: Hono<AppEnv>) {
  app.post(
    '/partner/points',
    withSession(async (c, session, f) => {
      const card = (f.card_number ?? '').replace(/[\s-]/g, '');
      const points = (f.points ?? '').trim();
      const bill = parseAmount(f.bill);
      if (
        !/^\d{16}$/.test(card) ||
        !/^\d{1,9}$/.test(points) ||
        Number(points) === 0 ||
        bill === null ||
        bill === 0
      )
        return c.redirect('/partner?error=points_invalid', 303);
      const out = await spendAtCounter(
        c,
        { cardNumber: card, points: Number(points), reference: null, billAmount: bill ?? null },
        { id: session.keyId },
        keyOfSession(session),
      );
      if (!out.ok) return c.redirect(`/partner?error=${out.code}`, 303);
      return c.redirect(`/partner?points_redeemed=${out.redemption.id}&left=${out.balanceAfter}`, 303);
    }),
  );

  app.post(
    '/partner/points/reversal',
    withSession(async (c, session, f) => {
      const { db, clock } = c.var;
      const { reversalId, statements } = pointReversalStatements(db, {
        redemptionId: f.redemption_id ?? '',
        organizationId: session.partnerId,
        apiKeyId: session.keyId,
        money: pointMoneyOf(c),
        now: clock.now(),
      });
      const [keyRows, , , , , , redemption, reversal] = await db.batch([
        keyLookup(db, { id: session.keyId }),
        ...statements,
      ]);
      keyOfSession(session)(keyRows);
      const refusal = reversalRefusal(Boolean(redemption[0]), reversal[0], reversalId);
      return c.redirect(refusal ? `/partner?error=${refusal}` : '/partner?points_reversed=1', 303);
    }),
  );
}
