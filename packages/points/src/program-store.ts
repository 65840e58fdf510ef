import { err, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  apiKeys,
  auditEntry,
  type Deps,
  type DiscountTier,
  loyaltyPrograms,
  type OrgPrincipal,
  runBatch,
  type StaffRole,
  staffMembers,
  staffRefusal,
} from '@gratia/db';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { type LoyaltyRules, normaliseTiers, rulesFromRow, sameRules } from './program';
import { currentProgram } from './rules';

// A clinic's bonus-programme rules: read the version in force, set a new one, list them all.

/** Who may change the rules: owners and managers (and the clinic's API keys, which act for it whole). */
export const PROGRAM_EDITORS: readonly StaffRole[] = ['owner', 'manager'];

export async function readProgram(deps: Deps, input: { clinic: OrgPrincipal }): Promise<LoyaltyRules> {
  const [row] = await currentProgram(deps.db, input.clinic.organizationId);
  return rulesFromRow(row, input.clinic.organization.currency);
}

/** Every version, newest first, ending with version 0 (the network default before the first). */
export async function listProgramVersions(
  deps: Deps,
  input: { clinic: OrgPrincipal },
): Promise<LoyaltyRules[]> {
  const currency = input.clinic.organization.currency;
  const rows = await deps.db
    .select()
    .from(loyaltyPrograms)
    .where(eq(loyaltyPrograms.clinicId, input.clinic.organizationId))
    .orderBy(desc(loyaltyPrograms.version));
  return [...rows.map((r) => rulesFromRow(r, currency)), rulesFromRow(undefined, currency)];
}

/** Who set a version: a staff member (through their console key), or one of the clinic's API keys. */
export type ProgramAuthor =
  | { kind: 'staff'; staffId: string; name: string }
  | { kind: 'api_key'; name: string };

export interface ProgramVersion extends LoyaltyRules {
  /** Null for version 0 (the network default) and for a key that is no longer on record. */
  setBy: ProgramAuthor | null;
}

/**
 * The rules in force and one page of their history, newest first: up to `limit` versions older than
 * version `before` (none: from the newest), each with who set it, read from the key the version
 * records (a staff member's console key belongs to exactly one staff member). The page that reaches
 * the start ends with version 0, the network default. One round trip; the page seeks the
 * (clinic, version) index, so it costs its own rows however long the history.
 */
export async function readProgramHistory(
  deps: Deps,
  input: { clinic: OrgPrincipal; before?: number; limit: number },
): Promise<{ current: LoyaltyRules; versions: ProgramVersion[]; nextBefore: number | null }> {
  const { db } = deps;
  const clinicId = input.clinic.organizationId;
  const currency = input.clinic.organization.currency;
  const out = await runBatch(db, {
    current: currentProgram(db, clinicId),
    page: db
      .select({
        version: loyaltyPrograms.version,
        accrualRateBps: loyaltyPrograms.accrualRateBps,
        expiryDays: loyaltyPrograms.expiryDays,
        minRedemptionPoints: loyaltyPrograms.minRedemptionPoints,
        maxBillShareBps: loyaltyPrograms.maxBillShareBps,
        discountTiers: loyaltyPrograms.discountTiers,
        currency: loyaltyPrograms.currency,
        createdAt: loyaltyPrograms.createdAt,
        staffId: sql<string | null>`${staffMembers.id}`.as('set_by_staff_id'),
        staffName: sql<string | null>`${staffMembers.name}`.as('set_by_staff_name'),
        keyName: sql<string | null>`${apiKeys.name}`.as('set_by_key_name'),
      })
      .from(loyaltyPrograms)
      .leftJoin(staffMembers, eq(staffMembers.keyId, loyaltyPrograms.apiKeyId))
      .leftJoin(apiKeys, eq(apiKeys.id, loyaltyPrograms.apiKeyId))
      .where(
        and(
          eq(loyaltyPrograms.clinicId, clinicId),
          input.before === undefined ? undefined : lt(loyaltyPrograms.version, input.before),
        ),
      )
      .orderBy(desc(loyaltyPrograms.version))
      .limit(input.limit + 1),
  });
  const more = out.page.length > input.limit;
  const versions: ProgramVersion[] = out.page.slice(0, input.limit).map((r) => ({
    version: r.version,
    accrualRateBps: r.accrualRateBps,
    expiryDays: r.expiryDays,
    minRedemptionPoints: r.minRedemptionPoints,
    maxBillShareBps: r.maxBillShareBps,
    discountTiers: r.discountTiers,
    currency: r.currency,
    createdAt: r.createdAt,
    setBy:
      r.staffId !== null && r.staffName !== null
        ? { kind: 'staff', staffId: r.staffId, name: r.staffName }
        : r.keyName !== null
          ? { kind: 'api_key', name: r.keyName }
          : null,
  }));
  if (!more && (input.before === undefined || input.before > 0))
    versions.push({ ...rulesFromRow(undefined, currency), setBy: null });
  return {
    current: rulesFromRow(out.current[0], currency),
    versions,
    nextBefore: more ? versions[versions.length - 1]!.version : null,
  };
}

export interface ProgramInput {
  accrualRateBps: number;
  expiryDays: number;
  minRedemptionPoints: number;
  maxBillShareBps: number | null;
  discountTiers: { minLifetimeSpend: { amount: number; currency: string }; discountBps: number }[];
}

export type ProgramRules = Omit<LoyaltyRules, 'version' | 'currency' | 'createdAt'>;

/** The ranges the rules' table holds (its CHECKs) and the API's schema states. */
const LIMITS = {
  accrualRateBps: [0, 10_000],
  expiryDays: [1, 3660],
  minRedemptionPoints: [0, 1_000_000_000],
  maxBillShareBps: [1, 10_000],
  tierSpend: [0, 100_000_000_000],
  tierDiscountBps: [1, 10_000],
} as const;
const MAX_TIERS = 20;

/**
 * Rules as a clinic may set them: whole numbers within the ranges above, tier thresholds in the
 * clinic's currency, distinct, and discounts that do not fall as spend rises (tiers come back sorted).
 * Every error names its field as the API's body spells it (`errors[].path`), so a form can say which.
 */
export function checkProgram(
  rules: ProgramInput,
  currency: string,
): Result<ProgramRules, Refusal<'currency_mismatch' | 'validation_failed'>> {
  const tiers = rules.discountTiers;
  const wrong = tiers.findIndex((t) => t.minLifetimeSpend.currency !== currency);
  if (wrong >= 0)
    return err({
      code: 'currency_mismatch',
      detail: `Tier thresholds are in the clinic's currency, ${currency}`,
      errors: [
        { path: `discount_tiers.${wrong}.min_lifetime_spend.currency`, message: `must be ${currency}` },
      ],
    });
  const errors: { path: string; message: string }[] = [];
  const within = (path: string, value: number, [min, max]: readonly [number, number]) => {
    if (!Number.isSafeInteger(value) || value < min || value > max)
      errors.push({ path, message: `must be a whole number from ${min} to ${max}` });
  };
  within('accrual_rate_bps', rules.accrualRateBps, LIMITS.accrualRateBps);
  within('expiry_days', rules.expiryDays, LIMITS.expiryDays);
  within('min_redemption_points', rules.minRedemptionPoints, LIMITS.minRedemptionPoints);
  if (rules.maxBillShareBps !== null)
    within('max_bill_share_bps', rules.maxBillShareBps, LIMITS.maxBillShareBps);
  if (tiers.length > MAX_TIERS)
    errors.push({ path: 'discount_tiers', message: `at most ${MAX_TIERS} tiers` });
  tiers.forEach((t, i) => {
    within(`discount_tiers.${i}.min_lifetime_spend.amount`, t.minLifetimeSpend.amount, LIMITS.tierSpend);
    within(`discount_tiers.${i}.discount_bps`, t.discountBps, LIMITS.tierDiscountBps);
  });
  const sorted = normaliseTiers(
    tiers.map(
      (t): DiscountTier => ({ min_lifetime_spend: t.minLifetimeSpend.amount, discount_bps: t.discountBps }),
    ),
  );
  if (errors.length === 0 && !sorted.ok) errors.push({ path: 'discount_tiers', message: sorted.message });
  if (errors.length > 0 || !sorted.ok)
    return err({
      code: 'validation_failed',
      detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    });
  return ok({
    accrualRateBps: rules.accrualRateBps,
    expiryDays: rules.expiryDays,
    minRedemptionPoints: rules.minRedemptionPoints,
    maxBillShareBps: rules.maxBillShareBps,
    discountTiers: sorted.tiers,
  });
}

/**
 * Sets new rules as a new version (owners and managers; see checkProgram for what is accepted);
 * later visits use it, earlier accruals keep theirs. Sending the rules in force again changes nothing.
 * The version is taken inside the INSERT, and UNIQUE(clinic_id, version) settles concurrent changes.
 */
export async function setProgram(
  deps: Deps,
  input: { clinic: OrgPrincipal; rules: ProgramInput },
): Promise<Result<LoyaltyRules, Refusal<'forbidden' | 'currency_mismatch' | 'validation_failed'>>> {
  const { db, clock } = deps;
  const clinic = input.clinic;
  const currency = clinic.organization.currency;
  const refused = staffRefusal(clinic, PROGRAM_EDITORS);
  if (refused) return err({ code: 'forbidden', detail: refused.detail });
  const checked = checkProgram(input.rules, currency);
  if (!checked.ok) return checked;
  const rules = checked.value;
  const now = clock.now();
  const [current] = await currentProgram(db, clinic.organizationId);
  if (current && sameRules(rulesFromRow(current, currency), rules))
    return ok(rulesFromRow(current, currency));
  const id = newId('lpv', now);
  const done = await runBatch(db, {
    insert: db.insert(loyaltyPrograms).select(
      sql`select ${id}, ${clinic.organizationId},
          coalesce((select max(version) from loyalty_programs where clinic_id = ${clinic.organizationId}), 0) + 1,
          ${rules.accrualRateBps}, ${rules.expiryDays}, ${rules.minRedemptionPoints}, ${rules.maxBillShareBps},
          ${JSON.stringify(rules.discountTiers)}, ${currency}, ${clinic.keyId}, ${now}`,
    ),
    audit: auditEntry(db, {
      actor: actorOf(clinic),
      organizationId: clinic.organizationId,
      action: 'program.update',
      subject: { type: 'loyalty_program', id },
      detail: sql`(select json_object('version', p.version, 'accrual_rate_bps', p.accrual_rate_bps,
        'expiry_days', p.expiry_days) from loyalty_programs p where p.id = ${id})`,
      at: now,
    }),
    current: currentProgram(db, clinic.organizationId),
  });
  return ok(rulesFromRow(done.current[0], currency));
}
