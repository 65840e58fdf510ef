import { env } from 'cloudflare:workers';
import { type Clock, DAY_MS, fixedClock, sha256Hex } from '@gratia/core';
import { type Caller, createDb, type Deps, keyLookup, principalFromKey } from '@gratia/db';
import { createOrganization, issueApiKey, registerPatient } from '@gratia/network';
import { T0 } from './api';

// Use cases tested beside their rules, against the real local D1 of the test file, without HTTP:
// the same deps a request builds, with a fixed clock and the test run's configuration.

export function testDeps(clock: Clock = fixedClock(T0)): Deps & { logged: Record<string, unknown>[] } {
  const logged: Record<string, unknown>[] = [];
  return {
    db: createDb(env.DB),
    clock,
    config: {
      baseUrl: env.PUBLIC_BASE_URL ?? 'https://gratia.test',
      networkName: 'Test Network',
      currency: 'EUR',
      timezone: 'Europe/Berlin',
      pointValue: 1,
      voucherDefaultDays: 90,
      voucherMaxDays: 365,
      signingKeys: env.VOUCHER_SIGNING_KEYS,
      linkSecret: env.SESSION_SECRET || env.OPERATOR_TOKEN,
    },
    log: (event) => logged.push(event),
    defer: () => {},
    logged,
  };
}

let n = 0;

/** An organisation with a key, through the use cases; its caller as an API request would present it. */
export async function orgWithCaller(
  deps: Deps,
  kind: 'clinic' | 'partner',
  category: 'massage' | 'pharmacy' = 'massage',
) {
  const org = await createOrganization(deps, {
    kind,
    name: `${kind} ${++n}`,
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    ...(kind === 'partner' && { category }),
  });
  const issued = await issueApiKey(deps, { organizationId: org.id });
  if (!issued.ok) throw new Error('key not issued');
  const hash = await sha256Hex(issued.value.secret);
  const [row] = await keyLookup(deps.db, { hash });
  const principal = principalFromKey(row!);
  const presented: Caller = { resolved: false, key: { hash }, roles: [kind] };
  return { org, principal, presented, keyId: issued.value.key.id };
}

export async function patientOf(deps: Deps, clinic: Awaited<ReturnType<typeof orgWithCaller>>) {
  return registerPatient(deps, {
    clinic: clinic.principal,
    patient: {
      firstName: 'Dana',
      lastName: `Test${++n}`,
      email: null,
      phone: null,
      birthDate: null,
      tags: [],
      notes: null,
    },
  });
}

export { DAY_MS };
