import { err, newId, ok, type Refusal, type Result } from '@gratia/core';
import {
  actorOf,
  auditEntry,
  type Deps,
  type DiscountTier,
  loyaltyPrograms,
  type OrgPrincipal,
  runBatch,
} from '@gratia/db';
import { desc, eq, sql } from 'drizzle-orm';
import { type LoyaltyRules, normaliseTiers, rulesFromRow, sameRules } from './program';
import { currentProgram } from './rules';

// A clinic's bonus-programme rules: read the version in force, set a new one, list them all.

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

export interface ProgramInput {
  accrualRateBps: number;
  expiryDays: number;
  minRedemptionPoints: number;
  maxBillShareBps: number | null;
  discountTiers: { minLifetimeSpend: { amount: number; currency: string }; discountBps: number }[];
}

/**
 * Sets new rules as a new version; later visits use it, earlier accruals keep theirs. Sending the
 * rules in force again changes nothing. The version is taken inside the INSERT, and
 * UNIQUE(clinic_id, version) settles concurrent changes.
 */
export async function setProgram(
  deps: Deps,
  input: { clinic: OrgPrincipal; rules: ProgramInput },
): Promise<Result<LoyaltyRules, Refusal<'currency_mismatch' | 'validation_failed'>>> {
  const { db, clock } = deps;
  const clinic = input.clinic;
  const currency = clinic.organization.currency;
  const tiers = input.rules.discountTiers;
  const wrong = tiers.findIndex((t) => t.minLifetimeSpend.currency !== currency);
  if (wrong >= 0)
    return err({
      code: 'currency_mismatch',
      detail: `Tier thresholds are in the clinic's currency, ${currency}`,
      errors: [
        { path: `discount_tiers.${wrong}.min_lifetime_spend.currency`, message: `must be ${currency}` },
      ],
    });
  const sorted = normaliseTiers(
    tiers.map(
      (t): DiscountTier => ({ min_lifetime_spend: t.minLifetimeSpend.amount, discount_bps: t.discountBps }),
    ),
  );
  if (!sorted.ok)
    return err({
      code: 'validation_failed',
      detail: `discount_tiers: ${sorted.message}`,
      errors: [{ path: 'discount_tiers', message: sorted.message }],
    });
  const rules = { ...input.rules, discountTiers: sorted.tiers };
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
