import {
  err,
  ok,
  type Refusal,
  type Result,
  type ReversalRefusal,
  reversalRefusal,
  toIso,
} from '@gratia/core';
import {
  type AuthRefusal,
  auditEntry,
  type Caller,
  type Deps,
  keyRefOf,
  noteFailure,
  organizations,
  patients,
  type Redemption,
  runAsCaller,
  type SettlementLine,
  type Voucher,
  type VoucherReversal,
  vouchers,
} from '@gratia/db';
import { lineContext, reversalLine, signReceipt, voucherRedemptionLine } from '@gratia/settlement';
import { eq, sql } from 'drizzle-orm';
import { receiptKeys, voucherKeys } from './config';
import { redeemStatements, reverseStatements } from './redeem';
import { type HonourRefusal, honourRefusal, redemptionRefusal, type VoucherRefusal } from './state';
import { checkAudience, type TokenFailure, tokenFailureCode, verifyVoucherToken } from './token';

// What happens at a partner's counter, as use cases: verify, redeem, reverse. Each is one D1 round
// trip that also settles the caller (the presented key, looked up in the same batch) before anything
// else is looked at. The JSON API, the counter page and any job call these same functions.

export interface VerifiedVoucher {
  id: string;
  title: string;
  kind: 'offer' | 'value';
  holder: { first_name: string; last_initial: string };
  value: { amount: number; currency: string };
  remaining: { amount: number; currency: string } | null;
  expires_at: string;
  issuer: { id: string; name: string };
}

export type Verification = { valid: true; voucher: VerifiedVoucher } | { valid: false; code: HonourRefusal };

function logRefusal(deps: Deps, reason: TokenFailure, detail: string) {
  deps.log({ level: 'info', event: 'voucher_refused', reason, detail });
}

/** Checks a voucher for the calling partner, with no side effects. */
export async function verifyVoucher(
  deps: Deps,
  input: { caller: Caller; token: string },
): Promise<Result<Verification, AuthRefusal>> {
  const { db, clock } = deps;
  const now = clock.now();
  const check = await verifyVoucherToken(input.token, await voucherKeys(deps), {
    issuer: deps.config.baseUrl,
    now,
  });
  const run = await runAsCaller(deps, input.caller, ['partner'], {
    found: db
      .select({
        voucher: vouchers,
        holderFirstName: patients.firstName,
        holderLastName: patients.lastName,
        issuerName: organizations.name,
      })
      .from(vouchers)
      .innerJoin(patients, eq(patients.id, vouchers.patientId))
      .innerJoin(organizations, eq(organizations.id, vouchers.clinicId))
      .where(eq(vouchers.id, check.ok ? check.claims.jti : '')),
  });
  if (!run.ok) return run;
  const partner = run.value.principal;
  if (!check.ok) {
    logRefusal(deps, check.reason, check.detail);
    const code = tokenFailureCode(check.reason);
    if (code === 'invalid_voucher') await noteFailure(deps, partner, input.caller, 'voucher');
    return ok({ valid: false, code });
  }
  if (!checkAudience(check.claims.aud, partner.organization))
    return ok({ valid: false, code: 'voucher_not_for_this_partner' });
  const row = run.value.results.found[0];
  const refusal = honourRefusal(row?.voucher, partner.organization, now);
  if (refusal || !row) return ok({ valid: false, code: refusal ?? 'invalid_voucher' });
  const v = row.voucher;
  const money = (amount: number) => ({ amount, currency: v.currency });
  return ok({
    valid: true,
    voucher: {
      id: v.id,
      title: v.title,
      kind: v.kind,
      holder: { first_name: row.holderFirstName, last_initial: row.holderLastName.slice(0, 1).toUpperCase() },
      value: money(v.valueAmount),
      remaining: v.kind === 'value' ? money(v.remainingAmount) : null,
      expires_at: toIso(v.expiresAt),
      issuer: { id: v.clinicId, name: row.issuerName },
    },
  });
}

export interface Redeemed {
  redemption: Redemption;
  voucher: Voucher;
  /** What the issuing clinic owes for it, and its signed receipt (none when nothing is owed). */
  line: SettlementLine | null;
  receipt: string | null;
}

/** Redeems a voucher (the whole offer, or stored value, partial allowed), exactly once. */
export async function redeemVoucher(
  deps: Deps,
  input: { caller: Caller; token: string; amount?: { amount: number; currency: string } },
): Promise<Result<Redeemed, AuthRefusal | Refusal<VoucherRefusal>>> {
  const { db, clock } = deps;
  const now = clock.now();
  const keys = await voucherKeys(deps);
  const check = await verifyVoucherToken(input.token, keys, { issuer: deps.config.baseUrl, now });
  if (!check.ok) {
    // The key is still checked first: a bad key is 401 whatever the token.
    const run = await runAsCaller(deps, input.caller, ['partner'], {});
    if (!run.ok) return run;
    logRefusal(deps, check.reason, check.detail);
    const code = tokenFailureCode(check.reason);
    if (code === 'invalid_voucher') await noteFailure(deps, run.value.principal, input.caller, 'voucher');
    return err({ code });
  }
  const voucherId = check.claims.jti;
  const key = keyRefOf(input.caller);
  const redeem = redeemStatements(db, { voucherId, key, amount: input.amount, now });
  const id = redeem.redemptionId;
  // What the clinic now owes the partner is written in the same batch: never a later job that could miss one.
  const owed = voucherRedemptionLine(db, lineContext(deps, keys.signer.kid), id);
  const audit = auditEntry(db, {
    actor: key,
    organizationId: null,
    action: 'voucher.redeem',
    subject: { type: 'voucher', id: voucherId },
    patientId: sql`(select v.patient_id from vouchers v where v.id = ${voucherId})`,
    detail: sql`(select json_object('redemption_id', r.id, 'amount', r.amount, 'currency', r.currency)
      from redemptions r where r.id = ${id})`,
    when: sql`exists (select 1 from redemptions r where r.id = ${id})`,
    at: now,
  });
  const run = await runAsCaller(deps, input.caller, ['partner'], { ...redeem.statements, ...owed, audit });
  if (!run.ok) return run;
  const { principal: partner, results: done } = run.value;
  const redemption = done.redemptionAfter[0];
  const voucher = done.voucherAfter[0];
  if (redemption && voucher) {
    const line = done.lineAfter[0] ?? null;
    const receipt = line && (await signReceipt(await receiptKeys(deps), line, deps.config.baseUrl));
    return ok({ redemption, voucher, line, receipt });
  }
  if (!checkAudience(check.claims.aud, partner.organization))
    return err({ code: 'voucher_not_for_this_partner' });
  return err({ code: redemptionRefusal(voucher, partner.organization, input.amount, now) });
}

export interface Reversed {
  reversal: VoucherReversal;
  /** The negative line that takes the redemption's amount back off the clinic's bill, and its receipt. */
  line: SettlementLine | null;
  receipt: string | null;
}

/** Undoes the calling partner's own redemption within the reversal window, once. */
export async function reverseRedemption(
  deps: Deps,
  input: { caller: Caller; redemptionId: string },
): Promise<Result<Reversed, AuthRefusal | ReversalRefusal>> {
  const { db, clock } = deps;
  const now = clock.now();
  const key = keyRefOf(input.caller);
  const reverse = reverseStatements(db, { redemptionId: input.redemptionId, key, now });
  const id = reverse.reversalId;
  const keys = await voucherKeys(deps);
  const undone = reversalLine(db, lineContext(deps, keys.signer.kid), { table: 'voucher_reversals', id });
  const audit = auditEntry(db, {
    actor: key,
    organizationId: null,
    action: 'redemption.reverse',
    subject: { type: 'redemption', id: input.redemptionId },
    patientId: sql`(select v.patient_id from voucher_reversals x join vouchers v on v.id = x.voucher_id
      where x.id = ${id})`,
    detail: sql`(select json_object('reversal_id', x.id, 'amount', x.amount, 'currency', x.currency)
      from voucher_reversals x where x.id = ${id})`,
    when: sql`exists (select 1 from voucher_reversals x where x.id = ${id})`,
    at: now,
  });
  const run = await runAsCaller(deps, input.caller, ['partner'], { ...reverse.statements, ...undone, audit });
  if (!run.ok) return run;
  const done = run.value.results;
  const reversal = done.reversal[0];
  const refusal = reversalRefusal(Boolean(done.redemption[0]), reversal, reverse.reversalId);
  if (refusal || !reversal) return err(refusal ?? { code: 'redemption_not_found' as const });
  const line = done.lineAfter[0] ?? null;
  const receipt = line && (await signReceipt(await receiptKeys(deps), line, deps.config.baseUrl));
  return ok({ reversal, line, receipt });
}
