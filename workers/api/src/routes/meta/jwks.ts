import { publishedKeys, voucherKeys, voucherLifetimes } from '@gratia/vouchers';
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../app';

const JwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().openapi({ description: 'The public key, base64url' }),
    kid: z.string().openapi({ description: 'Named in the header of every token this key signed' }),
    alg: z.literal('EdDSA'),
    use: z.literal('sig'),
  })
  .openapi('Jwk');

const JwksSchema = z.object({ keys: z.array(JwkSchema) }).openapi('Jwks');

const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=3600';

export const route = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getJwks',
  tags: ['Vouchers'],
  summary: 'The public keys that verify voucher tokens',
  description:
    'A JSON Web Key Set (RFC 7517) of the Ed25519 keys that sign vouchers: the signing key, keys staged for rotation, and retired keys while a voucher they signed can still be valid. Public, cacheable, open to any origin. Refetch it when a token names a `kid` you do not know.',
  security: [],
  responses: {
    200: {
      description: 'The key set',
      headers: {
        'cache-control': { schema: { type: 'string', example: CACHE_CONTROL } },
        'access-control-allow-origin': { schema: { type: 'string', example: '*' } },
      },
      content: { 'application/json': { schema: JwksSchema } },
    },
  },
});

/** The public keys that verify vouchers: partners cache this and verify tokens offline. */
export function registerJwks(app: App) {
  app.openapi(route, async (c) => {
    const { deps } = c.var;
    const jwks = publishedKeys(
      await voucherKeys(deps),
      deps.clock.now(),
      voucherLifetimes(deps.config).maxMs,
    );
    c.header('cache-control', CACHE_CONTROL);
    c.header('access-control-allow-origin', '*');
    return c.json(jwks, 200);
  });
}
