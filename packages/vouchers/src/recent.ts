import {
  type Deps,
  type OrgPrincipal,
  organizations,
  patients,
  redemptions,
  type VOUCHER_KINDS,
  voucherReversals,
  vouchers,
} from '@gratia/db';
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';

// The issuing clinic's side of redemptions: its gifts redeemed at partners, newest first, with what
// was given to whom and where, and whether the partner undid it. One query per page, read backwards
// along redemptions_clinic_idx (clinic, redeemed_at, then the rowid: within a millisecond, the later
// written first); each row joins its voucher, patient, partner and reversal by key.

export interface RecentRedemption {
  id: string;
  voucher: { id: string; title: string; kind: (typeof VOUCHER_KINDS)[number]; valueAmount: number };
  partner: { id: string; name: string };
  patient: { id: string; firstName: string; lastName: string };
  amount: number;
  currency: string;
  payableAmount: number;
  redeemedAt: number;
  /** When the partner reversed it (null: it stands). */
  reversedAt: number | null;
}

/** Where a page ended: the last redemption's time and id. */
export interface RedemptionPosition {
  at: number;
  id: string;
}

export interface RecentRedemptionsInput {
  clinic: OrgPrincipal;
  before: RedemptionPosition | null;
  limit: number;
}

export async function recentRedemptions(
  deps: Deps,
  input: RecentRedemptionsInput,
): Promise<{ redemptions: RecentRedemption[]; next: RedemptionPosition | null }> {
  const q = recentRedemptionsQuery(deps, input);
  return q.read(await q.statement);
}

/** The statement of a page of recent redemptions (to run alone or in another batch), and its reader. */
export function recentRedemptionsQuery(deps: Deps, input: RecentRedemptionsInput) {
  const before = input.before;
  // Older than the last row of the previous page (found by its id), as an index range on redeemed_at.
  const older: SQL | undefined = before
    ? sql`${redemptions.redeemedAt} <= ${before.at} and (${redemptions.redeemedAt} < ${before.at}
        or ${redemptions}.rowid < (select x.rowid from redemptions x where x.id = ${before.id}))`
    : undefined;
  const statement = deps.db
    .select({
      id: redemptions.id,
      // Distinct names: in a batch D1 keys rows by column name, and three tables have `id`.
      voucherId: sql<string>`${vouchers.id}`.as('voucher_id'),
      title: vouchers.title,
      kind: vouchers.kind,
      valueAmount: vouchers.valueAmount,
      partnerId: redemptions.partnerId,
      partnerName: organizations.name,
      patientId: sql<string>`${patients.id}`.as('patient_id'),
      firstName: patients.firstName,
      lastName: patients.lastName,
      amount: redemptions.amount,
      currency: redemptions.currency,
      payableAmount: redemptions.payableAmount,
      redeemedAt: redemptions.redeemedAt,
      reversedAt: voucherReversals.reversedAt,
    })
    .from(redemptions)
    .innerJoin(vouchers, eq(vouchers.id, redemptions.voucherId))
    .innerJoin(patients, eq(patients.id, vouchers.patientId))
    .innerJoin(organizations, eq(organizations.id, redemptions.partnerId))
    .leftJoin(voucherReversals, eq(voucherReversals.redemptionId, redemptions.id))
    .where(and(eq(redemptions.clinicId, input.clinic.organizationId), older))
    .orderBy(desc(redemptions.redeemedAt), sql`${redemptions}.rowid desc`)
    .limit(input.limit + 1);
  const read = (rows: Awaited<typeof statement>) => {
    const more = rows.length > input.limit;
    const kept = more ? rows.slice(0, input.limit) : rows;
    const last = kept[kept.length - 1];
    return {
      redemptions: kept.map(
        (r): RecentRedemption => ({
          id: r.id,
          voucher: { id: r.voucherId, title: r.title, kind: r.kind, valueAmount: r.valueAmount },
          partner: { id: r.partnerId, name: r.partnerName },
          patient: { id: r.patientId, firstName: r.firstName, lastName: r.lastName },
          amount: r.amount,
          currency: r.currency,
          payableAmount: r.payableAmount,
          redeemedAt: r.redeemedAt,
          reversedAt: r.reversedAt,
        }),
      ),
      next: more && last ? { at: last.redeemedAt, id: last.id } : null,
    };
  };
  return { statement, read };
}
