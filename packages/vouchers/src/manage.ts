import { err, ok, type Refusal, type Result } from '@gratia/core';
import { type Deps, type OrgPrincipal, runBatch, vouchers } from '@gratia/db';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
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
  const rows = await deps.db
    .select()
    .from(vouchers)
    .where(
      and(
        eq(vouchers.clinicId, input.clinic.organizationId),
        input.patientId ? eq(vouchers.patientId, input.patientId) : undefined,
        input.status ? status[input.status] : undefined,
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
  const done = await runBatch(db, {
    transition: db
      .update(vouchers)
      .set({ status: 'voided', voidedAt: now, voidReason: input.reason, updatedAt: now })
      .where(and(mine, eq(vouchers.status, 'issued'))),
    after: db.select().from(vouchers).where(mine),
  });
  const row = done.after[0];
  if (!row) return err(notFound(input.voucherId));
  if (row.status === 'redeemed')
    return err({ code: 'voucher_already_redeemed', detail: 'A redeemed voucher cannot be voided' });
  return ok(await withLink(deps, row));
}
