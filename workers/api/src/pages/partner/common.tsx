import {
  patients,
  pointRedemptions,
  pointReversals,
  redemptions,
  voucherReversals,
  vouchers,
} from '@gratia/db';
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { type KeyRow, principalFromKey } from '../../middleware/auth';
import { csrfOk, endSession, type PartnerSession, readSession } from './session';
import { SignIn } from './views';

// What every counter-page handler shares: rendering, the session's authorisation, forms, and the
// recent activity lists.

const MAX_FORM_BYTES = 16 * 1024;
const RECENT_WINDOW_MS = 7 * 24 * 3600_000;

export class SessionEnded extends Error {}

export const html = (c: Context<AppEnv>, node: unknown, status: 200 | 400 | 401 | 403 | 404 | 413 = 200) =>
  c.html(`<!doctype html>${node}`, status);

/** The authorisation of a counter-page request: the session's own key, still valid, still a partner. */
export const keyOfSession = (session: PartnerSession) => (rows: KeyRow[]) => {
  const row = rows[0];
  if (row?.kind !== 'partner' || row.organizationId !== session.partnerId) throw new SessionEnded();
  return principalFromKey(row);
};

export function recentRedemptions(c: Context<AppEnv>, partnerId: string) {
  return c.var.db
    .select({
      id: redemptions.id,
      title: vouchers.title,
      amount: redemptions.amount,
      currency: redemptions.currency,
      redeemedAt: redemptions.redeemedAt,
      reversalId: sql<string | null>`${voucherReversals.id}`.as('reversal_id'),
    })
    .from(redemptions)
    .innerJoin(vouchers, eq(vouchers.id, redemptions.voucherId))
    .leftJoin(voucherReversals, eq(voucherReversals.redemptionId, redemptions.id))
    .where(
      and(
        eq(redemptions.partnerId, partnerId),
        gt(redemptions.redeemedAt, c.var.clock.now() - RECENT_WINDOW_MS),
      ),
    )
    .orderBy(desc(redemptions.redeemedAt))
    .limit(20);
}

/** Card points taken at this counter lately; the card shows by its last four digits only. */
export function recentPointRedemptions(c: Context<AppEnv>, partnerId: string) {
  return c.var.db
    .select({
      id: pointRedemptions.id,
      points: pointRedemptions.points,
      valueAmount: pointRedemptions.valueAmount,
      currency: pointRedemptions.currency,
      redeemedAt: pointRedemptions.redeemedAt,
      cardLast4: sql<string>`substr(${patients.cardNumber}, 13, 4)`.as('card_last4'),
      reversalId: sql<string | null>`${pointReversals.id}`.as('point_reversal_id'),
    })
    .from(pointRedemptions)
    .innerJoin(patients, eq(patients.id, pointRedemptions.patientId))
    .leftJoin(pointReversals, eq(pointReversals.redemptionId, pointRedemptions.id))
    .where(
      and(
        eq(pointRedemptions.honouredBy, partnerId),
        gt(pointRedemptions.redeemedAt, c.var.clock.now() - RECENT_WINDOW_MS),
      ),
    )
    .orderBy(desc(pointRedemptions.redeemedAt))
    .limit(20);
}

export async function form(c: Context<AppEnv>): Promise<Record<string, string> | null> {
  if (Number(c.req.header('content-length') ?? '0') > MAX_FORM_BYTES) return null;
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** "12.50" -> 1250 minor units; empty -> undefined; anything else -> null. */
export function parseAmount(input: string | undefined): number | undefined | null {
  const s = (input ?? '').trim().replace(',', '.');
  if (s === '') return undefined;
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

type FormHandler = (
  c: Context<AppEnv>,
  session: PartnerSession,
  form: Record<string, string>,
) => Promise<Response>;

/**
 * A state-changing counter form: needs a genuine session, a form of sane size, this origin and the
 * session's CSRF token; a key revoked meanwhile ends the session (SessionEnded, thrown inside the
 * handler's own batch) and shows the sign-in page.
 */
export const withSession = (handler: FormHandler) => async (c: Context<AppEnv>) => {
  const session = await readSession(c);
  if (!session) return html(c, <SignIn error="Please sign in first." />, 401);
  const f = await form(c);
  if (!f) return html(c, <SignIn error="That request was too large." />, 413);
  if (!csrfOk(c, session, f.csrf))
    return html(c, <SignIn error="The form expired. Please try again." />, 403);
  try {
    return await handler(c, session, f);
  } catch (e) {
    if (!(e instanceof SessionEnded)) throw e;
    endSession(c);
    return html(c, <SignIn error="Your session has ended. Please sign in again." />, 401);
  }
};
