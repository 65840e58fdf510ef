import { describe, expect, it } from 'vitest';
import { type Client, createClient, OPERATOR_TOKEN } from './api';
import { createNetwork, type Network } from './factories';

type Role = 'operator' | 'clinic' | 'partner';

export interface SecuredRoute<C> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Roles that may call the route; every other role must get 403. */
  roles: Role[];
  /** Creates what the route acts on, as the network's `clinic`/`partner`; returns the context. */
  setup: (api: Client, net: Network) => Promise<C>;
  path: (ctx: C) => string;
  body?: (ctx: C) => unknown;
  /**
   * For tenant-owned resources: the same request made by another organisation of an allowed role
   * must answer 404, never revealing that the resource exists.
   */
  otherTenant?: (net: Network) => string;
  /** The code another tenant gets (the resource's own *_not_found); by default any *_not_found. */
  otherTenantCode?: string;
}

function tokenFor(role: Role, net: Network, which: 'own' | 'other' = 'own'): string {
  if (role === 'operator') return OPERATOR_TOKEN;
  if (role === 'clinic') return which === 'own' ? net.clinic.key : net.otherClinic.key;
  return which === 'own' ? net.partner.key : net.otherPartner.key;
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
  expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
}

/**
 * The same authentication and authorisation cases for every route: no key, malformed key, unknown key,
 * revoked key, each wrong role, and another tenant's resource.
 */
export function describeSecurity<C>(name: string, route: SecuredRoute<C>) {
  describe(`${name}: security`, () => {
    const call = async (token: string | null, headers?: Record<string, string>) => {
      const api = createClient();
      const net = await createNetwork(api);
      const ctx = await route.setup(api, net);
      const body = route.body?.(ctx);
      return api.request(route.method, route.path(ctx), {
        token: headers ? undefined : (token ?? undefined),
        headers,
        ...(body === undefined ? {} : { body }),
      });
    };

    it('refuses a request without a key (401)', async () => {
      expectProblem(await call(null), 401, 'unauthorized');
    });
    it('refuses a malformed Authorization header (401)', async () => {
      expectProblem(await call(null, { authorization: 'Basic Zm9vOmJhcg==' }), 401, 'unauthorized');
      expectProblem(await call(null, { authorization: 'Bearer' }), 401, 'unauthorized');
    });
    it('refuses an unknown key (401)', async () => {
      expectProblem(await call('gr_cln_thisKeyDoesNotExist0123456789abcdefghij'), 401, 'unauthorized');
    });
    it('refuses a revoked key (401)', async () => {
      const api = createClient();
      const net = await createNetwork(api);
      const ctx = await route.setup(api, net);
      // Operator-only routes: a revoked organisation key must be 401 (unknown), not 403 (wrong role).
      const role = route.roles.find((r) => r !== 'operator') ?? 'clinic';
      const token = tokenFor(role, net);
      const keyId = role === 'clinic' ? net.clinic.keyId : net.partner.keyId;
      const revoked = await api.delete(`/v1/api_keys/${keyId}`, { token: OPERATOR_TOKEN });
      expect(revoked.status).toBe(200);
      const body = route.body?.(ctx);
      const res = await api.request(route.method, route.path(ctx), {
        token,
        ...(body === undefined ? {} : { body }),
      });
      expectProblem(res, 401, 'unauthorized');
    });
    for (const role of (['operator', 'clinic', 'partner'] as const).filter((r) => !route.roles.includes(r))) {
      it(`refuses a ${role} key (403)`, async () => {
        const api = createClient();
        const net = await createNetwork(api);
        const ctx = await route.setup(api, net);
        const body = route.body?.(ctx);
        const res = await api.request(route.method, route.path(ctx), {
          token: tokenFor(role, net),
          ...(body === undefined ? {} : { body }),
        });
        expectProblem(res, 403, 'forbidden');
      });
    }
    if (route.otherTenant) {
      const otherTenant = route.otherTenant;
      it("answers 404 for another tenant's resource", async () => {
        const api = createClient();
        const net = await createNetwork(api);
        const ctx = await route.setup(api, net);
        const body = route.body?.(ctx);
        const res = await api.request(route.method, route.path(ctx), {
          token: otherTenant(net),
          ...(body === undefined ? {} : { body }),
        });
        expect(res.status, JSON.stringify(res.body)).toBe(404);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        if (route.otherTenantCode) expect(res.body.code).toBe(route.otherTenantCode);
        else expect(res.body.code).toMatch(/^[a-z_]+_not_found$/);
      });
    }
  });
}

export { expectProblem };
