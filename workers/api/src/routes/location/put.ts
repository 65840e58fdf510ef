import { fromE6, setPartnerLocation } from '@gratia/insight';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';
import { refusal } from '../../lib/refusal';
import { commonErrors, jsonBody, jsonContent, problemResponses } from '../../lib/schemas';
import { authorize, orgOf } from '../../middleware/auth';
import { AddressSchema, LatitudeSchema, LongitudeSchema } from '../branches/schema';

const Body = z
  .object({ latitude: LatitudeSchema, longitude: LongitudeSchema, address: AddressSchema.optional() })
  .strict()
  .openapi('SetLocation');

export const LocationSchema = z
  .object({
    organization_id: z.string().openapi({ example: 'org_01JD0000000000000000000000' }),
    address: z.string().nullable(),
    latitude: z.number(),
    longitude: z.number(),
  })
  .openapi('Location');

export const route = createRoute({
  method: 'put',
  path: '/v1/location',
  operationId: 'setLocation',
  tags: ['Network'],
  summary: 'Say where the calling partner is',
  description:
    'Clinics suggest offers of partners near a patient’s branch first. `address`, when given, replaces the partner’s address. Staff: owners.',
  security: [{ bearer: [] }],
  middleware: [authorize('partner')] as const,
  request: { body: jsonBody(Body) },
  responses: {
    200: jsonContent(LocationSchema, 'Where the partner is now'),
    ...commonErrors,
    ...problemResponses(404),
  },
});

export function registerSetLocation(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid('json');
    const out = await setPartnerLocation(c.var.deps, {
      partner: orgOf(c),
      place: { latitude: b.latitude, longitude: b.longitude },
      address: b.address,
    });
    if (!out.ok) return refusal(c, out.error);
    const o = out.value;
    return c.json(
      {
        organization_id: o.id,
        address: o.address,
        latitude: fromE6(o.latitudeE6 ?? 0),
        longitude: fromE6(o.longitudeE6 ?? 0),
      },
      200,
    );
  });
}
