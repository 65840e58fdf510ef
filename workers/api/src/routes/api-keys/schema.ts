import { toIso } from '@gratia/core';
import type { ApiKey } from '@gratia/db';
import { z } from '@hono/zod-openapi';
import { TimestampSchema } from '../../lib/schemas';

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_01JD0000000000000000000000' }),
    organization_id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().openapi({ description: 'The first characters of the secret, to tell keys apart' }),
    created_at: TimestampSchema,
    revoked_at: TimestampSchema.nullable(),
    last_used_at: TimestampSchema.nullable(),
  })
  .openapi('ApiKey');

export function apiKeyJson(k: ApiKey): z.infer<typeof ApiKeySchema> {
  return {
    id: k.id,
    organization_id: k.organizationId,
    name: k.name,
    prefix: k.prefix,
    created_at: toIso(k.createdAt),
    revoked_at: toIso(k.revokedAt),
    last_used_at: toIso(k.lastUsedAt),
  };
}
