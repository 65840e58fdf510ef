import { DAY_MS, formatMoney, localDate, newId } from '@gratia/core';
import {
  type Db,
  type LoyaltyReward,
  loyaltyRewards,
  pointAccounts,
  pointLots,
  type RewardKind,
  type RewardSource,
  type RewardStatus,
  vouchers,
} from '@gratia/db';
import { preferredChannelInserts, writtenIds } from '@gratia/messaging';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { entryPairStatements, type PointMoney } from './ledger';

// What every offer rule gives, written once per reason. A rule (a code word, a referral, every Nth
// visit, a birthday) decides *whether* a reward is due inside its own guard; this module writes the
// reward row (UNIQUE per clinic and reason, so a retried or raced event writes it once) and books what
// it gives in the same batch, each statement reading the reward row written now: a guard that refused,
// or a reason rewarded before, books nothing.
//
// - points: a lot of their own (`point_lots.reward_id`), expiring like a visit's, on the card's account,
//   with a 'bonus' entry pair against the clinic's liability;
// - a voucher: a gift voucher for a catalogue offer, issued to the patient (its link is signed from the
//   row on demand, like any voucher's), written on the reward as `voucher_id`;
// - a discount: nothing to book; the reward says what to take off (today's visit, or the next one while
//   `available`).
//
// A voucher booked here is messaged to the patient in the same batch (issue 13): a `voucher_issued`
// message on their reachable channel, reason `voucher:<voucher id>`, guarded on the voucher written now,
// with `voucher_id` and no `url` (the consumer signs the voucher's link when it sends). Statements that
// write messages are named `...Message` and answer the ids written: `rewardMessageIds(results)`.

/** What a rule gives, as configured (exactly the field its kind needs). */
export interface RewardSpec {
  kind: RewardKind;
  points?: number | null;
  discountBps?: number | null;
  discountAmount?: number | null;
  offerId?: string | null;
}

/** A reward spec read from a rule row whose columns are named like `RewardSpec` (with `rewardKind`). */
export const specOf = (row: {
  rewardKind: RewardKind;
  points: number | null;
  discountBps: number | null;
  discountAmount: number | null;
  offerId: string | null;
}): RewardSpec => ({
  kind: row.rewardKind,
  points: row.points,
  discountBps: row.discountBps,
  discountAmount: row.discountAmount,
  offerId: row.offerId,
});

/** What a reward gives, in words, for titles, pages and audit detail. */
export function describeReward(spec: RewardSpec, currency: string, offerTitle?: string | null): string {
  switch (spec.kind) {
    case 'points':
      return `${(spec.points ?? 0).toLocaleString('en-GB')} bonus points`;
    case 'discount_bps':
      return `${((spec.discountBps ?? 0) / 100).toLocaleString('en-GB')}% off`;
    case 'discount_amount':
      return `${formatMoney(spec.discountAmount ?? 0, currency)} off`;
    case 'voucher':
      return offerTitle ? `Gift: ${offerTitle}` : 'A gift voucher';
  }
}

/** A spec is complete when the field its kind needs is set and sane: the rule stores say why not. */
export function specProblem(spec: RewardSpec): { path: string; message: string } | null {
  switch (spec.kind) {
    case 'points':
      return spec.points && spec.points > 0 && Number.isInteger(spec.points)
        ? null
        : { path: 'points', message: 'a whole number of points above 0' };
    case 'discount_bps':
      return spec.discountBps && spec.discountBps >= 1 && spec.discountBps <= 10_000
        ? null
        : { path: 'discount_bps', message: 'between 1 and 10000 basis points' };
    case 'discount_amount':
      return spec.discountAmount && spec.discountAmount > 0
        ? null
        : { path: 'discount_amount', message: 'an amount above 0, in minor units' };
    case 'voucher':
      return spec.offerId ? null : { path: 'offer_id', message: 'the catalogue offer the voucher is for' };
  }
}

/** What booking a reward needs beyond the reward: the clinic's money, expiry and voucher signing. */
export interface RewardBooking {
  money: PointMoney;
  /** Bonus points lapse like a visit's: from `lotExpiry(now, rules.expiryDays, timezone)`. */
  expiry: { expiresOn: string; expiresAt: number };
  /** The kid of today's voucher signer (`(await voucherKeys(deps)).signer.kid`). */
  kid: string;
  /** How long a reward voucher is good for (the network's default voucher lifetime). */
  voucherLifetimeMs: number;
  /** The clinic's timezone, for the voucher message's expiry date (default UTC). */
  timezone?: string;
  now: number;
}

export const voucherLifetimeMs = (config: { voucherDefaultDays: number }) =>
  config.voucherDefaultDays * DAY_MS;

export interface RewardInput {
  clinicId: string;
  /** The patient, as a value or as SQL over the guard's FROM (e.g. sql`r.referrer_id`). */
  patientId: string | SQL;
  source: RewardSource;
  sourceId: string;
  reasonKey: string | SQL;
  spec: RewardSpec;
  title: string;
  currency: string;
  visitId?: string | SQL | null;
  /** A discount reward: `granted` (applied now) or `available` (for a later visit). */
  status?: RewardStatus;
  apiKeyId?: string | null;
  /**
   * The FROM and WHERE that make the reward due: the reward is written only if it yields a row (one
   * row). Default: always (`where 1`).
   */
  guard?: SQL;
}

/**
 * The reward row and the statements that book what it gives, one batch's worth, each reading the row
 * written now. Returns the reward's id and its statements (`reward`, then `lot`, `account`, `entries`,
 * `voucher`, `voucherLink`, and `after`, the reward as it stands: this one, or the one written before
 * for the same reason).
 */
export function rewardStatements(db: Db, input: RewardInput, booking: RewardBooking) {
  const { now } = booking;
  const id = newId('rwd', now);
  const spec = input.spec;
  const status: RewardStatus = input.status ?? (spec.kind.startsWith('discount') ? 'available' : 'granted');
  const val = (v: string | SQL | null | undefined) => (v === undefined || v === null ? sql`null` : sql`${v}`);
  const insert = db
    .insert(loyaltyRewards)
    .select(
      sql`select ${id}, ${input.clinicId}, ${val(input.patientId)}, ${input.source}, ${input.sourceId},
      ${val(input.reasonKey)}, ${spec.kind}, ${input.title}, ${spec.kind === 'points' ? (spec.points ?? null) : null},
      ${spec.kind === 'discount_bps' ? (spec.discountBps ?? null) : null},
      ${spec.kind === 'discount_amount' ? (spec.discountAmount ?? null) : null}, ${input.currency},
      ${spec.kind === 'voucher' ? (spec.offerId ?? null) : null}, null, ${val(input.visitId)}, ${status}, ${now},
      ${status === 'used' ? now : null}, ${input.apiKeyId ?? null}
      ${input.guard ?? sql`where 1`}`,
    )
    .onConflictDoNothing();
  // A capped reward (earned over a limit) is recorded and gives nothing.
  const fromReward = sql`from loyalty_rewards r where r.id = ${id} and r.status <> 'capped'`;
  const statements: Record<string, Item | readonly Item[]> = { reward: insert };

  if (spec.kind === 'points') {
    const lotId = newId('lot', now);
    statements.lot = db.insert(pointLots).select(
      sql`select ${lotId}, r.patient_id, r.clinic_id, null, r.id, r.points, r.points, 0, ${now},
          ${booking.expiry.expiresOn}, ${booking.expiry.expiresAt} ${fromReward} and r.points > 0`,
    );
    statements.account = db
      .insert(pointAccounts)
      .select(
        sql`select r.patient_id, r.clinic_id, r.points, r.points, 0, 0, 0, r.currency, 0, ${now}, null
          ${fromReward} and r.points > 0`,
      )
      .onConflictDoUpdate({
        target: pointAccounts.patientId,
        set: {
          balance: sql`${pointAccounts.balance} + excluded.balance`,
          earned: sql`${pointAccounts.earned} + excluded.earned`,
          updatedAt: now,
        },
      });
    statements.entries = entryPairStatements(db, {
      txnId: id,
      type: 'bonus',
      money: booking.money,
      now,
      source: fromReward,
      patientId: sql`r.patient_id`,
      patientPoints: sql`r.points`,
      sourceId: sql`r.id`,
      effectiveAt: sql`r.granted_at`,
      other: { account: sql`'liability'`, ownerId: sql`r.clinic_id`, counterpartyId: sql`null` },
    });
  }

  if (spec.kind === 'voucher') {
    const voucherId = newId('vch', now);
    const issuedAt = Math.floor(now / 1000) * 1000;
    const expiresAt = Math.floor((now + booking.voucherLifetimeMs) / 1000) * 1000;
    // The offer must still be active and priced in the clinic's currency; otherwise no voucher, and the
    // reward says so (voucher_id stays null).
    statements.voucher = db.insert(vouchers).select(
      sql`select ${voucherId}, r.clinic_id, r.patient_id, 'offer', o.id, o.partner_id, null, o.partner_id,
        o.title, r.title, o.currency, o.price_amount, o.price_amount, 'issued', ${booking.kid}, ${issuedAt},
        ${expiresAt}, null, null, null, null, null, ${now}
        from loyalty_rewards r join offers o on o.id = r.offer_id
        where r.id = ${id} and r.status <> 'capped' and o.active = 1 and o.currency = r.currency`,
    );
    statements.voucherLink = db
      .update(loyaltyRewards)
      .set({ voucherId: sql`(select v.id from vouchers v where v.id = ${voucherId})` })
      .where(
        and(eq(loyaltyRewards.id, id), sql`exists (select 1 from vouchers v where v.id = ${voucherId})`),
      );
    // The voucher's message, only if the voucher was written now (the consumer adds its signed link).
    statements.voucherMessage = preferredChannelInserts(db, now, {
      clinicId: input.clinicId,
      patientId: sql`v.patient_id`,
      kind: 'voucher_issued',
      purpose: 'service',
      reasonKey: `voucher:${voucherId}`,
      vars: sql`json_object('gift', v.title, 'expires_date', ${localDate(expiresAt, booking.timezone ?? 'UTC')},
        'voucher_id', v.id)`,
      createdBy: input.apiKeyId ?? 'system',
      from: sql`from vouchers v join patients p on p.id = v.patient_id where v.id = ${voucherId}`,
    });
  }

  const after = db
    .select()
    .from(loyaltyRewards)
    .where(
      typeof input.reasonKey === 'string'
        ? and(eq(loyaltyRewards.clinicId, input.clinicId), eq(loyaltyRewards.reasonKey, input.reasonKey))
        : eq(loyaltyRewards.id, id),
    );
  return { rewardId: id, statements, after };
}

type Item = BatchItem<'sqlite'>;

/**
 * The statements of a reward named apart for a batch that holds several (`<name>.reward`, ...):
 * `runBatch(db, { ...prefixed('referrer', r.statements), referrerAfter: r.after })`.
 */
export const prefixed = (name: string, s: Record<string, Item | readonly Item[]>) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [`${name}.${k}`, v])) as Record<
    string,
    Item | readonly Item[]
  >;

/**
 * The ids of the messages a batch wrote through statements named `...Message` (a reward's voucher
 * message, a referral's thanks): hand them to `deps.dispatch` after the batch.
 */
export function rewardMessageIds(results: Record<string, unknown>): string[] {
  return Object.entries(results)
    .filter(([name]) => name.endsWith('Message'))
    .flatMap(([, rows]) => writtenIds(...(rows as readonly (readonly { id: string }[] | undefined)[])));
}

/** The reward a batch wrote or found, from its `after` result. */
export const rewardAfter = (rows: readonly LoyaltyReward[] | undefined): LoyaltyReward | null =>
  rows?.[0] ?? null;
