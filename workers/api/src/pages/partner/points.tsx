import { normalizeCardNumber, parseMoneyInput } from '@gratia/core';
import { reversePointSpend, spendPoints } from '@gratia/points';
import type { Hono } from 'hono';
import type { AppEnv } from '../../env';
import { invalidField, once, outcomeOf, sessionCaller, withSession } from './common';

// Card points at the counter: type the card number and the points, take them with one tap (the same
// use case, and the same single guarded D1 batch, as POST /v1/points/redemptions), and reverse within
// 24 hours. Both forms are exactly-once.

export function registerPartnerPoints(app: Hono<AppEnv>) {
  app.post(
    '/partner/points',
    withSession(async (c, session, f) => {
      const { currency } = c.var.deps.config;
      const card = normalizeCardNumber(f.card_number ?? '');
      const points = (f.points ?? '').trim();
      const bill = parseMoneyInput(f.bill, currency);
      if (
        !/^\d{16}$/.test(card) ||
        !/^\d{1,9}$/.test(points) ||
        Number(points) === 0 ||
        bill === null ||
        bill === 0
      )
        return c.redirect(invalidField('points'), 303);
      return once(c, session, f, async () => {
        const out = await spendPoints(c.var.deps, {
          caller: sessionCaller(c, session),
          cardNumber: card,
          points: Number(points),
          // The form's one-time key is also the sale's reference: the database itself refuses a
          // second charge for it, even if the answer was lost after the first one committed.
          reference: `form:${f.submission}`,
          bill: bill === undefined ? null : { amount: bill, currency },
        });
        if (!out.ok) return outcomeOf(out.error);
        return {
          location: `/partner?points_redeemed=${out.value.redemption.id}&left=${out.value.balanceAfter}`,
        };
      });
    }),
  );

  app.post(
    '/partner/points/reversal',
    withSession((c, session, f) =>
      once(c, session, f, async () => {
        const out = await reversePointSpend(c.var.deps, {
          caller: sessionCaller(c, session),
          redemptionId: f.redemption_id ?? '',
        });
        return out.ok ? { location: '/partner?points_reversed=1' } : outcomeOf(out.error);
      }),
    ),
  );
}
