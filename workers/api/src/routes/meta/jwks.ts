import { publishedKeys } from '@gratia/vouchers';
import type { App } from '../../app';
import { voucherKeys, voucherLifetimes } from '../../lib/vouchers';

/** The public keys that verify vouchers: partners cache this and verify tokens offline. */
export function registerJwks(app: App) {
  app.get('/.well-known/jwks.json', async (c) => {
    const jwks = publishedKeys(await voucherKeys(c), c.var.clock.now(), voucherLifetimes(c).maxMs);
    c.header('cache-control', 'public, max-age=300, stale-while-revalidate=3600');
    c.header('access-control-allow-origin', '*');
    return c.json(jwks);
  });
}
