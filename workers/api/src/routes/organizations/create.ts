import { ORGANIZATION_KINDS, PARTNER_CATEGORIES } from '@gratia/db';
import { toE6 } from '@gratia/insight';
import { createOrganization } from '@gratia/network';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { EmailSchema, HttpsUrlSchema, PhoneSchema, TimezoneSchema } from '../../lib/contact';
import { CurrencySchema, commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize } from '../../middleware/auth';
import { idempotency } from '../../middleware/idempotency';
import { LatitudeSchema, LongitudeSchema } from '../branches/schema';
import { OrganizationSchema, organizationJson } from './schema';

export const CreateOrganizationBody = z
  .object({
    kind: z.enum(ORGANIZATION_KINDS),
    name: z.string().trim().min(1).max(200),
    category: z
      .enum(PARTNER_CATEGORIES)
      .optional()
      .openapi({ description: 'Required for partners, absent for clinics' }),
    currency: CurrencySchema,
    timezone: TimezoneSchema,
    email: EmailSchema.optional(),
    phone: PhoneSchema.optional(),
    address: z.string().trim().max(500).optional(),
    website: HttpsUrlSchema.optional(),
    booking_url: HttpsUrlSchema.optional(),
    latitude: LatitudeSchema.optional().openapi({ description: 'Where a partner is (with `longitude`)' }),
    longitude: LongitudeSchema.optional().openapi({ description: 'Where a partner is (with `latitude`)' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind === 'partner' && !b.category) {
      ctx.addIssue({ code: 'custom', path: ['category'], message: 'is required for partners' });
    }
    if (b.kind === 'clinic' && b.category) {
      ctx.addIssue({ code: 'custom', path: ['category'], message: 'applies to partners only' });
    }
    if ((b.latitude === undefined) !== (b.longitude === undefined)) {
      const path = [b.latitude === undefined ? 'latitude' : 'longitude'];
      ctx.addIssue({ code: 'custom', path, message: 'latitude and longitude go together' });
    }
  })
  .openapi('CreateOrganization');

export const route = createRoute({
  method: 'post',
  path: '/v1/organizations',
  operationId: 'createOrganization',
  tags: ['Network'],
  summary: 'Onboard a clinic or a partner',
  security: [{ bearer: [] }],
  middleware: [authorize('operator'), idempotency] as const,
  request: { body: jsonBody(CreateOrganizationBody) },
  responses: {
    201: jsonContent(OrganizationSchema, 'The new organisation'),
    ...commonErrors,
    ...problemResponses(409, 422),
  },
});

export function registerCreateOrganization(app: App) {
  app.openapi(route, async (c) => {
    const { booking_url, latitude, longitude, ...b } = c.req.valid('json');
    const org = await createOrganization(c.var.deps, {
      ...b,
      bookingUrl: booking_url,
      ...(latitude !== undefined && longitude !== undefined
        ? { latitudeE6: toE6(latitude), longitudeE6: toE6(longitude) }
        : {}),
    });
    return c.json(organizationJson(org), 201);
  });
}
