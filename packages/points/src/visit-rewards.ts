import type { Db, Deps } from '@gratia/db';
import { voucherKeys } from '@gratia/vouchers';
import type { SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { lotExpiry } from './calendar';
import type { LoyaltyRules } from './program';
import { type RewardBooking, voucherLifetimeMs } from './rewards';
import { pointMoney } from './rules';

// The rules a paid visit triggers, written in the visit's own batch so that the visit and what it earns
// are one transaction: a referred patient's first paid visit rewards both patients (referrals.ts), and
// every Nth paid visit fills a punch card (punches.ts). Each rule is a hook: the reads it adds to the
// visit's first round trip, whether it has anything to do, and the statements it adds to the write.

type Item = BatchItem<'sqlite'>;

/** What a hook knows of the visit being written. */
export interface VisitRewardContext {
  clinicId: string;
  patientId: string;
  /** The id of the visit this batch writes (a replayed reference writes none: guard on it). */
  visitId: string;
  occurredAt: number;
  currency: string;
  apiKeyId: string | null;
  now: number;
}

/** One rule a paid visit triggers. `R` is the shape of its reads' results. */
export interface VisitRewardHook<R extends Record<string, unknown>> {
  /** The statements read in the visit's first round trip (named apart from other hooks'); `clinicId` is the key's clinic, as SQL. */
  reads(db: Db, clinicId: SQL, patientId: string): Record<keyof R, Item>;
  /** Whether the rule may give anything for this visit (no statements, no key loading otherwise). */
  active(read: R): boolean;
  /** The statements added to the visit's batch (named apart from other hooks'). */
  statements(
    db: Db,
    ctx: VisitRewardContext,
    read: R,
    booking: RewardBooking,
  ): Record<string, Item | readonly Item[]>;
}

/** What booking a reward needs, built only when some rule is active for the visit. */
export async function rewardBooking(
  deps: Deps,
  rules: LoyaltyRules,
  timezone: string,
  now: number,
): Promise<RewardBooking> {
  return {
    money: pointMoney(deps.config),
    expiry: lotExpiry(now, rules.expiryDays, timezone),
    kid: (await voucherKeys(deps)).signer.kid,
    voucherLifetimeMs: voucherLifetimeMs(deps.config),
    timezone,
    now,
  };
}
