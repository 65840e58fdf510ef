import { type App, registeredRoutes } from '../../workers/api/src/app';
import { type Authorization, authorizationOf } from '../../workers/api/src/middleware/auth';
import { idempotency } from '../../workers/api/src/middleware/idempotency';

// The route inventory, read from the router itself (every route registered through app.openapi),
// never from a hand list: a route added later is covered by every suite that iterates it.

export interface InventoryRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI style, with {param}. */
  path: string;
  operationId: string | undefined;
  authorization: Authorization | undefined;
  /** Whether the route takes an Idempotency-Key. */
  idempotent: boolean;
  hasBody: boolean;
}

export function routeInventory(app: App): InventoryRoute[] {
  return registeredRoutes(app).map((r) => ({
    method: r.method as InventoryRoute['method'],
    path: r.path,
    operationId: r.operationId,
    authorization: authorizationOf(r.middleware),
    idempotent: r.middleware.includes(idempotency),
    hasBody: r.hasBody,
  }));
}

/** A concrete path for a route: each {param} filled with a well-formed id of its resource. */
export function concretePath(path: string, id = '01JD0000000000000000000000'): string {
  const prefix: Record<string, string> = {
    patients: 'pat',
    vouchers: 'vch',
    offers: 'off',
    organizations: 'org',
    api_keys: 'key',
    redemptions: path.includes('/points/redemptions') ? 'ptr' : 'red',
  };
  return path.replace(
    /\/([a-z_]+)\/\{[^}]+\}/g,
    (_m, resource: string) => `/${resource}/${prefix[resource] ?? 'x'}_${id}`,
  );
}
