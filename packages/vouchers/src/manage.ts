import { err, ok, type Refusal, type Result } from '@gratia/core';
import { actorOf, auditEntry, type Deps, inSlices, type OrgPrincipal, runBatch, vouchers } from '@gratia/db';
import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { type VoucherWithLink, withLink } from './config';
import { lapsedVoucher, usableVoucher, type VoucherDisplayStatus } from './state';

// The issuing clinic's own vouchers: read, list, void. Another clinic's voucher is not found.

const notFound = (id: string): Refusal<'voucher_not_found'> => ({
  code: 'voucher_not_found',
  detail: `No voucher ${id}`,
});

export async function readVoucher(
  deps: Deps,
  input: { clinic: OrgPrincipal; voucherId: string },
): Promise<Result<VoucherWithLink, Refusal<'voucher_not_found'>>> {
  const [row] = await deps.db
    .select()
    .from(vouchers)
    .where(and(eq(vouchers.id, input.voucherId), eq(vouchers.clinicId, input.clinic.organizationId)));
  return row ? ok(await withLink(deps, row)) : err(notFound(input.voucherId));
}

export async function listVouchers(
  deps: Deps,
  input: {
    clinic: OrgPrincipal;
    patientId?: string;
    status?: VoucherDisplayStatus;
    after?: string;
    limit: number;
  },
): Promise<VoucherWithLink[]> {
  const now = deps.clock.now();
  // "expired" is derived: issued and past its expiry. "issued" means still usable.
  const status: Record<VoucherDisplayStatus, SQL | undefined> = {
    issued: usableVoucher(now),
    expired: lapsedVoucher(now),
    redeemed: eq(vouchers.status, 'redeemed'),
    voided: eq(vouchers.status, 'voided'),
  };
  // A clinic's usable vouchers come from the index of live ones, which lapsed vouchers leave (the
  // planner, without statistics, would take the (clinic, status) index and walk every lapsed one).
  const live =
    input.status === 'issued' && !input.patientId
      ? sql`${vouchers.id} in (select l.id from vouchers l indexed by vouchers_clinic_live_idx
          where l.clinic_id = ${input.clinic.organizationId} and l.status = 'issued' and l.lapsed_at is null
            and l.expires_at > ${now} ${input.after ? sql`and l.id > ${input.after}` : sql``}
          order by l.id limit ${input.limit})`
      : undefined;
  const rows = await deps.db
    .select()
    .from(vouchers)
    .where(
      and(
        eq(vouchers.clinicId, input.clinic.organizationId),
        input.patientId ? eq(vouchers.patientId, input.patientId) : undefined,
        live ?? (input.status ? status[input.status] : undefined),
        input.after ? gt(vouchers.id, input.after) : undefined,
      ),
    )
    .orderBy(asc(vouchers.id))
    .limit(input.limit);
  return Promise.all(rows.map((v) => withLink(deps, v)));
}

/** Voids a voucher before it is redeemed; voiding a voided voucher answers it unchanged. One round trip. */
export async function voidVoucher(
  deps: Deps,
  input: { clinic: OrgPrincipal; voucherId: string; reason: string },
): Promise<Result<VoucherWithLink, Refusal<'voucher_not_found' | 'voucher_already_redeemed'>>> {
  const { db } = deps;
  const now = deps.clock.now();
  const mine = and(eq(vouchers.id, input.voucherId), eq(vouchers.clinicId, input.clinic.organizationId));
  const voidable = and(mine, eq(vouchers.status, 'issued'));
  const done = await runBatch(db, {
    // Before the transition, on its own guard: voiding a voided or redeemed voucher records nothing.
    audit: auditEntry(db, {
      actor: actorOf(input.clinic),
      organizationId: input.clinic.organizationId,
      action: 'voucher.void',
      subject: { type: 'voucher', id: input.voucherId },
      patientId: sql`(select v.patient_id from vouchers v where v.id = ${input.voucherId})`,
      when: sql`exists (select 1 from ${vouchers} where ${voidable})`,
      at: now,
    }),
    transition: db
      .update(vouchers)
      .set({ status: 'voided', voidedAt: now, voidReason: input.reason, updatedAt: now })
      .where(voidable),
    after: db.select().from(vouchers).where(mine),
  });
  const row = done.after[0];
  if (!row) return err(notFound(input.voucherId));
  if (row.status === 'redeemed')
    return err({ code: 'voucher_already_redeemed', detail: 'A redeemed voucher cannot be voided' });
  return ok(await withLink(deps, row));
}

/** Vouchers one statement of the lapse job marks, and the most one run marks. */
const LAPSE_SLICE = 1_000;
const LAPSE_SLICES = 50;

/**
 * Marks issued vouchers whose expiry has passed (hourly, from the cron): they leave the index of live
 * vouchers, so a clinic's list of usable vouchers reads only those. Nothing else changes: a voucher
 * past its expiry is refused and shown as expired whether or not it is marked.
 */
export async function markLapsedVouchers(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  return inSlices(
    (limit) =>
      deps.db
        .update(vouchers)
        .set({ lapsedAt: sql`${vouchers.expiresAt}` })
        .where(
          sql`${vouchers.id} in (select v.id from vouchers v
            where v.status = 'issued' and v.lapsed_at is null and v.expires_at <= ${now} limit ${limit})`,
        ),
    { limit: LAPSE_SLICE, slices: LAPSE_SLICES },
  );
}
