import { err, type FieldError, isId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type LoyaltySettings,
  loyaltySettings,
  type OrgPrincipal,
  offers,
  runBatch,
  type StaffRole,
  segments,
  staffRefusal,
} from '@gratia/db';
import { type RewardSpec, specProblem } from '@gratia/points';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { vipListFrom, vipListStatement } from './vip';

// The clinic's loyalty settings, one row per clinic (loyalty_settings): the referral reward and its
// yearly cap per referrer, the birthday reward and how many days before the birthday its plan item is
// due, and VIP (the segment that makes a patient VIP, the yearly gift limit, the perk offers). A reward
// here is bonus points or a gift voucher for a catalogue offer (the columns the row has); none when
// unset. Owners and managers (and API keys) change them; every clinic role reads.

export const LOYALTY_EDITORS: readonly StaffRole[] = ['owner', 'manager'];

/** The rewards a setting may give (the row keeps points or an offer). */
export type SettingReward = { kind: 'points'; points: number } | { kind: 'voucher'; offerId: string };

export interface LoyaltySettingsView {
  referralReward: SettingReward | null;
  referralCapPerYear: number;
  birthdayReward: SettingReward | null;
  birthdayDaysBefore: number;
  vipSegmentId: string | null;
  vipGiftsPerYear: number | null;
  vipPerkOfferIds: string[];
  updatedAt: number | null;
}

export const DEFAULT_LOYALTY_SETTINGS: LoyaltySettingsView = {
  referralReward: null,
  referralCapPerYear: 5,
  birthdayReward: null,
  birthdayDaysBefore: 7,
  vipSegmentId: null,
  vipGiftsPerYear: null,
  vipPerkOfferIds: [],
  updatedAt: null,
};

export const LIMITS = {
  capPerYear: 1000,
  daysBefore: 60,
  giftsPerYear: 365,
  perks: 10,
} as const;

const rewardOf = (
  kind: string | null,
  points: number | null,
  offerId: string | null,
): SettingReward | null =>
  kind === 'points' && points
    ? { kind: 'points', points }
    : kind === 'voucher' && offerId
      ? { kind: 'voucher', offerId }
      : null;

export const settingsView = (row: LoyaltySettings | undefined): LoyaltySettingsView =>
  row
    ? {
        referralReward: rewardOf(row.referralRewardKind, row.referralPoints, row.referralOfferId),
        referralCapPerYear: row.referralCapPerYear,
        birthdayReward: rewardOf(row.birthdayRewardKind, row.birthdayPoints, row.birthdayOfferId),
        birthdayDaysBefore: row.birthdayDaysBefore,
        vipSegmentId: row.vipSegmentId,
        vipGiftsPerYear: row.vipGiftsPerYear,
        vipPerkOfferIds: row.vipPerkOfferIds,
        updatedAt: row.updatedAt,
      }
    : DEFAULT_LOYALTY_SETTINGS;

/** A setting's reward as a rule's reward spec (for describeReward and rewardStatements). */
export const specOfSetting = (r: SettingReward): RewardSpec =>
  r.kind === 'points' ? { kind: 'points', points: r.points } : { kind: 'voucher', offerId: r.offerId };

export const selectLoyaltySettings = (deps: Deps, clinicId: string) =>
  deps.db.select().from(loyaltySettings).where(eq(loyaltySettings.clinicId, clinicId));

/** The clinic's settings (the defaults until it saves its own). One query. */
export async function readLoyaltySettings(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<LoyaltySettingsView> {
  const [row] = await selectLoyaltySettings(deps, input.clinic.organizationId);
  return settingsView(row);
}

export type LoyaltySettingsInput = Omit<LoyaltySettingsView, 'updatedAt'>;

/** What is wrong with the settings' own values, by field (empty: nothing). */
export function checkLoyaltySettings(i: LoyaltySettingsInput): FieldError[] {
  const errors: FieldError[] = [];
  const whole = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;
  for (const [name, r] of [
    ['referral', i.referralReward],
    ['birthday', i.birthdayReward],
  ] as const) {
    const problem = r && specProblem(specOfSetting(r));
    if (problem) errors.push({ path: `${name}.reward.${problem.path}`, message: problem.message });
  }
  if (!whole(i.referralCapPerYear, 0, LIMITS.capPerYear))
    errors.push({ path: 'referral.cap_per_year', message: `a whole number from 0 to ${LIMITS.capPerYear}` });
  if (!whole(i.birthdayDaysBefore, 0, LIMITS.daysBefore))
    errors.push({ path: 'birthday.days_before', message: `a whole number from 0 to ${LIMITS.daysBefore}` });
  if (i.vipGiftsPerYear !== null && !whole(i.vipGiftsPerYear, 0, LIMITS.giftsPerYear))
    errors.push({
      path: 'vip.gifts_per_year',
      message: `a whole number from 0 to ${LIMITS.giftsPerYear}, or none`,
    });
  if (i.vipPerkOfferIds.length > LIMITS.perks)
    errors.push({ path: 'vip.perk_offer_ids', message: `at most ${LIMITS.perks} perks` });
  if (new Set(i.vipPerkOfferIds).size !== i.vipPerkOfferIds.length)
    errors.push({ path: 'vip.perk_offer_ids', message: 'each perk once' });
  return errors;
}

/**
 * Saves the settings (a whole replacement), with an audit entry: two round trips, one to check what
 * they name (the clinic's own live segment; active catalogue offers in the clinic's currency), one to
 * write.
 */
export async function saveLoyaltySettings(
  deps: Deps,
  input: LoyaltySettingsInput & { clinic: OrgPrincipal },
): Promise<Result<LoyaltySettingsView, Refusal<'forbidden' | 'validation_failed' | 'unknown_reference'>>> {
  const refused = staffRefusal(input.clinic, LOYALTY_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const errors = checkLoyaltySettings(input);
  if (errors.length > 0)
    return err({ code: 'validation_failed', detail: 'The loyalty settings are not valid', errors });
  const { db } = deps;
  const now = deps.clock.now();
  const clinicId = input.clinic.organizationId;
  const currency = input.clinic.organization.currency;

  const named: { path: string; offerId: string }[] = [];
  if (input.referralReward?.kind === 'voucher')
    named.push({ path: 'referral.reward.offer_id', offerId: input.referralReward.offerId });
  if (input.birthdayReward?.kind === 'voucher')
    named.push({ path: 'birthday.reward.offer_id', offerId: input.birthdayReward.offerId });
  for (const [n, offerId] of input.vipPerkOfferIds.entries())
    named.push({ path: `vip.perk_offer_ids.${n}`, offerId });
  const offerIds = [...new Set(named.map((x) => x.offerId).filter((id) => isId('off', id)))];
  const segmentId = input.vipSegmentId && isId('seg', input.vipSegmentId) ? input.vipSegmentId : '';
  const read = await runBatch(db, {
    offers: db
      .select({ id: offers.id })
      .from(offers)
      .where(
        and(
          inArray(offers.id, offerIds.length ? offerIds : ['']),
          eq(offers.active, true),
          eq(offers.currency, currency),
        ),
      ),
    segment: db
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.id, segmentId), eq(segments.clinicId, clinicId), isNull(segments.archivedAt))),
  });
  const usable = new Set(read.offers.map((o) => o.id));
  const unknown: FieldError[] = named
    .filter((x) => !usable.has(x.offerId))
    .map((x) => ({ path: x.path, message: 'not an active offer of the catalogue in the clinic’s currency' }));
  if (input.vipSegmentId !== null && !read.segment[0])
    unknown.push({ path: 'vip.segment_id', message: 'not a segment of this clinic' });
  if (unknown.length > 0)
    return err({
      code: 'unknown_reference',
      detail: `The settings name what cannot be used: ${unknown.map((u) => u.path).join(', ')}`,
      errors: unknown,
    });

  const values = {
    referralRewardKind: input.referralReward?.kind ?? null,
    referralPoints: input.referralReward?.kind === 'points' ? input.referralReward.points : null,
    referralOfferId: input.referralReward?.kind === 'voucher' ? input.referralReward.offerId : null,
    referralCapPerYear: input.referralCapPerYear,
    birthdayRewardKind: input.birthdayReward?.kind ?? null,
    birthdayPoints: input.birthdayReward?.kind === 'points' ? input.birthdayReward.points : null,
    birthdayOfferId: input.birthdayReward?.kind === 'voucher' ? input.birthdayReward.offerId : null,
    birthdayDaysBefore: input.birthdayDaysBefore,
    vipSegmentId: input.vipSegmentId,
    vipGiftsPerYear: input.vipGiftsPerYear,
    vipPerkOfferIds: input.vipPerkOfferIds,
    updatedByStaffId: input.clinic.staff?.id ?? null,
    updatedAt: now,
  };
  const out = await runBatch(db, {
    save: db
      .insert(loyaltySettings)
      .values({ clinicId, ...values })
      .onConflictDoUpdate({ target: loyaltySettings.clinicId, set: values }),
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: clinicId,
      action: 'loyalty_settings.update',
      subject: { type: 'loyalty_settings', id: clinicId },
      detail: {
        referral_reward: values.referralRewardKind,
        referral_cap_per_year: values.referralCapPerYear,
        birthday_reward: values.birthdayRewardKind,
        birthday_days_before: values.birthdayDaysBefore,
        vip_segment_id: values.vipSegmentId,
        vip_gifts_per_year: values.vipGiftsPerYear,
        vip_perks: values.vipPerkOfferIds.length,
      },
      at: now,
    }),
    after: selectLoyaltySettings(deps, clinicId),
  });
  return ok(settingsView(out.after[0]));
}

/**
 * What the settings page shows, in one round trip: the settings, the clinic's live segments and the
 * catalogue's active offers in its currency (the choices), and a page of the clinic's VIPs.
 */
export async function readLoyaltySettingsPage(
  deps: Deps,
  input: { clinic: OrgPrincipal; vipsAfter?: string },
) {
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const read = await runBatch(db, {
    settings: selectLoyaltySettings(deps, clinicId),
    segments: db
      .select({ id: segments.id, name: segments.name })
      .from(segments)
      .where(and(eq(segments.clinicId, clinicId), isNull(segments.archivedAt)))
      .orderBy(segments.name)
      .limit(200),
    offers: db
      .select({
        id: offers.id,
        title: offers.title,
        priceAmount: offers.priceAmount,
        partnerName: sql<string>`(select o.name from organizations o where o.id = ${offers.partnerId})`.as(
          'partner_name',
        ),
      })
      .from(offers)
      .where(and(eq(offers.active, true), eq(offers.currency, input.clinic.organization.currency)))
      .orderBy(offers.title)
      .limit(200),
    vips: vipListStatement(deps, { clinic: input.clinic, after: input.vipsAfter }),
  });
  return {
    settings: settingsView(read.settings[0]),
    segments: read.segments,
    offers: read.offers,
    vips: vipListFrom(read.vips),
  };
}
export type LoyaltySettingsPage = Awaited<ReturnType<typeof readLoyaltySettingsPage>>;
