import { type Db, organizations, patients, vouchers } from '@gratia/db';
import { eq, sql } from 'drizzle-orm';

/**
 * Everything the patient's link page shows, in one query: the voucher, the holder's first name, the
 * issuing clinic, and the partner where it is honoured (columns named apart: two organisations).
 */
export async function voucherForLink(db: Db, voucherId: string) {
  const [row] = await db
    .select({
      voucher: vouchers,
      holderFirstName: patients.firstName,
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
