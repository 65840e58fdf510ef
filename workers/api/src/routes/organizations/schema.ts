import { toIso } from '@gratia/core';
import { ORGANIZATION_KINDS, type Organization, PARTNER_CATEGORIES } from '@gratia/db';
import { z } from '@hono/zod-openapi';
import { CurrencySchema, TimestampSchema } from '../../lib/schemas';

export const OrganizationSchema = z
  .object({
    id: z.string().openapi({ example: 'org_01JD0000000000000000000000' }),
    kind: z.enum(ORGANIZATION_KINDS),
    name: z.string(),
    category: z.enum(PARTNER_CATEGORIES).nullable(),
    currency: CurrencySchema,
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
    website: z.string().nullable(),
    booking_url: z.string().nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Organization');

export function organizationJson(o: Organization): z.infer<typeof OrganizationSchema> {
  return {
    id: o.id,
    kind: o.kind,
    name: o.name,
    category: o.category,
    currency: o.currency,
    timezone: o.timezone,
    email: o.email,
    phone: o.phone,
    address: o.address,
    website: o.website,
    booking_url: o.bookingUrl,
    created_at: toIso(o.createdAt),
    updated_at: toIso(o.updatedAt),
  };
}
