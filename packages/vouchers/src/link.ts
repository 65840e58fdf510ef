import { type Db, type Deps, organizations, patients, vouchers } from '@gratia/db';
import { eq, sql } from 'drizzle-orm';
import { voucherKeys } from './config';
import { verifyVoucherToken } from './token';

/**
 * Everything the patient's link page shows, in one query: the voucher, the holder's first name, the
 * issuing clinic, and the partner where it is honoured (columns named apart: two organisations).
 */
async function voucherForLink(db: Db, voucherId: string) {
  const [row] = await db
    .select({
      voucher: vouchers,
      holderFirstName: patients.firstName,
      holderLocale: patients.locale,
      clinicName: sql<string>`${organizations.name}`.as('clinic_name'),
      clinicTimezone: sql<string>`${organizations.timezone}`.as('clinic_timezone'),
      partnerName: sql<string | null>`partner.name`.as('partner_name'),
      partnerAddress: sql<string | null>`partner.address`.as('partner_address'),
      partnerPhone: sql<string | null>`partner.phone`.as('partner_phone'),
      partnerBookingUrl: sql<string | null>`partner.booking_url`.as('partner_booking_url'),
      partnerWebsite: sql<string | null>`partner.website`.as('partner_website'),
    })
    .from(vouchers)
    .innerJoin(patients, eq(patients.id, vouchers.patientId))
    .innerJoin(organizations, eq(organizations.id, vouchers.clinicId))
    .leftJoin(sql`organizations as partner`, sql`partner.id = ${vouchers.partnerId}`)
    .where(eq(vouchers.id, voucherId));
  return row ?? null;
}
export type LinkView = NonNullable<Awaited<ReturnType<typeof voucherForLink>>>;

/**
 * What the patient's link shows, from the token alone: a genuine token (signature, header, issuer) of
 * a voucher that exists. An expired one still shows its page, with the expiry. Read-only.
 */
export async function readVoucherLink(deps: Deps, token: string): Promise<LinkView | null> {
  const check = await verifyVoucherToken(token, await voucherKeys(deps), {
    issuer: deps.config.baseUrl,
    now: deps.clock.now(),
    ignoreTime: true,
  });
  return check.ok ? voucherForLink(deps.db, check.claims.jti) : null;
}
