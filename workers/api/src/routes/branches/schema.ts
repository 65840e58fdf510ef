import { toIso } from '@gratia/core';
import type { ClinicBranch } from '@gratia/db';
import { fromE6 } from '@gratia/insight';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

// Places as the API speaks them: decimal degrees (WGS 84), stored as integers times 1e6.

export const LatitudeSchema = z
  .number()
  .min(-90)
  .max(90)
  .openapi({ description: 'Decimal degrees north (WGS 84), -90 to 90', example: 52.520008 });
export const LongitudeSchema = z
  .number()
  .min(-180)
  .max(180)
  .openapi({ description: 'Decimal degrees east (WGS 84), -180 to 180', example: 13.404954 });
export const AddressSchema = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .openapi({ example: 'Friedrichstraße 12, Berlin' });
export const BranchNameSchema = z.string().trim().min(1).max(100).openapi({ example: 'Downtown' });

export const BranchSchema = z
  .object({
    id: z.string().openapi({ example: 'brn_01JD0000000000000000000000' }),
    name: z.string(),
    address: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    created_at: TimestampSchema,
  })
  .openapi('Branch');

export function branchJson(b: ClinicBranch): z.infer<typeof BranchSchema> {
  return {
    id: b.id,
    name: b.name,
    address: b.address,
    latitude: b.latitudeE6 === null ? null : fromE6(b.latitudeE6),
    longitude: b.longitudeE6 === null ? null : fromE6(b.longitudeE6),
    created_at: toIso(b.createdAt),
  };
}

type Coordinates = { latitude?: number | null; longitude?: number | null };

/** Latitude and longitude come together (both numbers, or both null to take a branch off the map). */
export function bothOrNeither(b: Coordinates, ctx: z.RefinementCtx) {
  const lat = b.latitude === undefined ? 'absent' : b.latitude === null ? 'null' : 'set';
  const lng = b.longitude === undefined ? 'absent' : b.longitude === null ? 'null' : 'set';
  if (lat !== lng)
    ctx.addIssue({
      code: 'custom',
      path: [lat === 'absent' || lat === 'null' ? 'latitude' : 'longitude'],
      message: 'latitude and longitude go together',
    });
}

/** The place the body sets: undefined (unchanged), null (cleared) or the coordinates. */
export const placeOfBody = (b: Coordinates) =>
  b.latitude === undefined || b.longitude === undefined
    ? undefined
    : b.latitude === null || b.longitude === null
      ? null
      : { latitude: b.latitude, longitude: b.longitude };
