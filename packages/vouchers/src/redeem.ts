import { newId, REVERSAL_WINDOW_MS } from '@gratia/core';
import {
  type Db,
  type KeyRef,
  keyIdOf,
  keyMatch,
  organizationOfKey,
  redemptions,
  voucherReversals,
  vouchers,
} from '@gratia/db';
import { and, eq, sql } from 'drizzle-orm';
import { usableVoucher } from './state';

// Redemption and reversal as single D1 batches. The database decides: the guarded UPDATE only
// matches an issued, unexpired voucher whose audience is the calling partner (proved by an EXISTS on
// the presented key's hash) and whose remainder covers the amount; the INSERT of the redemption
// record only finds a row if that UPDATE stamped it with this redemption's id. Concurrent requests
// serialise in D1, so exactly one of them can take what is left. No read-then-write in the Worker.

export interface RedeemInput {
  voucherId: string;
  /** The partner is proved inside the batch from this key. */
  key: KeyRef;
  /** Absent: the whole remainder (the offer, or all stored value left). */
  amount?: { amount: number; currency: string };
  now: number;
}

/** The statements of one redemption, to put in a batch after the key lookup. */
export function redeemStatements(db: Db, input: RedeemInput) {
  const redemptionId = newId('red', input.now);
  const amt = input.amount?.amount ?? null;
  const take = sql`coalesce(${amt}, ${vouchers.remainingAmount})`;
  const update = db
    .update(vouchers)
    .set({
      remainingAmount: sql`${vouchers.remainingAmount} - ${take}`,
      status: sql`case when ${vouchers.remainingAmount} - ${take} = 0 then 'redeemed' else 'issued' end`,
      lastRedemptionId: redemptionId,
      lastRedemptionAmount: take,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(vouchers.id, input.voucherId),
        usableVoucher(input.now),
        sql`${take} > 0 and ${take} <= ${vouchers.remainingAmount}`,
        input.amount ? sql`${vouchers.currency} = ${input.amount.currency}` : undefined,
        input.amount ? sql`(${vouchers.kind} = 'value' or ${take} = ${vouchers.remainingAmount})` : undefined,
        sql`exists (
          select 1 from api_keys k join organizations o on o.id = k.organization_id
          where ${keyMatch(input.key)} and k.revoked_at is null and o.kind = 'partner'
            and (o.id = ${vouchers.partnerId} or (${vouchers.category} is not null and o.category = ${vouchers.category}))
        )`,
      ),
    );
  const record = db.insert(redemptions).select(
    db
      .select({
        id: sql<string>`${redemptionId}`.as('id'),
        voucherId: vouchers.id,
        clinicId: vouchers.clinicId,
        partnerId: sql<string>`${organizationOfKey(input.key, ['partner'])}`.as('partner_id'),
        apiKeyId: sql<string>`${keyIdOf(input.key)}`.as('api_key_id'),
        amount: sql<number>`${vouchers.lastRedemptionAmount}`.as('amount'),
        currency: vouchers.currency,
        payableAmount: sql<number>`${vouchers.lastRedemptionAmount}`.as('payable_amount'),
        redeemedAt: sql<number>`${input.now}`.as('redeemed_at'),
      })
      .from(vouchers)
      .where(and(eq(vouchers.id, input.voucherId), eq(vouchers.lastRedemptionId, redemptionId))),
  );
  const voucherAfter = db.select().from(vouchers).where(eq(vouchers.id, input.voucherId));
  const redemptionAfter = db.select().from(redemptions).where(eq(redemptions.id, redemptionId));
  return { redemptionId, statements: { update, record, voucherAfter, redemptionAfter } };
}

export interface ReverseInput {
  redemptionId: string;
  /** Only the partner of this key, the one that redeemed, may reverse. */
  key: KeyRef;
  now: number;
}

/**
 * The statements of one reversal. The reversal row is inserted only for the redeeming partner's own
 * redemption, inside the window, and at most once (UNIQUE on redemption_id); the voucher is restored
 * only if that row was written now.
 */
export function reverseStatements(db: Db, input: ReverseInput) {
  const reversalId = newId('rev', input.now);
  const partnerOfKey = organizationOfKey(input.key, ['partner']);
  const insert = db
    .insert(voucherReversals)
    .select(
      db
        .select({
          id: sql<string>`${reversalId}`.as('id'),
          redemptionId: redemptions.id,
          voucherId: redemptions.voucherId,
          partnerId: redemptions.partnerId,
          amount: redemptions.amount,
          currency: redemptions.currency,
          reversedAt: sql<number>`${input.now}`.as('reversed_at'),
        })
        .from(redemptions)
        .where(
          and(
            eq(redemptions.id, input.redemptionId),
            sql`${redemptions.partnerId} = ${partnerOfKey}`,
            sql`${redemptions.redeemedAt} > ${input.now - REVERSAL_WINDOW_MS}`,
          ),
        ),
    )
    .onConflictDoNothing({ target: voucherReversals.redemptionId });
  const restore = db
    .update(vouchers)
    .set({
      remainingAmount: sql`${vouchers.remainingAmount} + (select amount from voucher_reversals where id = ${reversalId})`,
      status: sql`case when ${vouchers.status} = 'redeemed' then 'issued' else ${vouchers.status} end`,
      updatedAt: input.now,
    })
    .where(sql`${vouchers.id} = (select voucher_id from voucher_reversals where id = ${reversalId})`);
  const redemption = db
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.id, input.redemptionId), sql`${redemptions.partnerId} = ${partnerOfKey}`));
  const reversal = db
    .select()
    .from(voucherReversals)
    .where(eq(voucherReversals.redemptionId, input.redemptionId));
  return { reversalId, statements: { insert, restore, redemption, reversal } };
}
