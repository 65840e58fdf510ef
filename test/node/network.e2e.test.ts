import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { DEMO_CLINICS } from '../../scripts/lib/demo-network.mjs';
// @ts-expect-error plain ESM script without types
import { seedDemoNetwork } from '../../scripts/lib/seed.mjs';
import { baseUrl, http, operatorToken } from './http';

// The "done when", over real HTTP against wrangler dev on a local D1.

describe('the network over HTTP (wrangler dev)', () => {
  it('creates an organisation, issues it a key, registers a patient, and hides it from another clinic', async () => {
    const op = operatorToken();
    const clinic = await http('POST', '/v1/organizations', op, {
      kind: 'clinic',
      name: 'E2E Clinic',
      currency: 'EUR',
      timezone: 'Europe/Berlin',
    });
    expect(clinic.status).toBe(201);
    expect(clinic.headers.get('x-request-id')).toBeTruthy();
    const key = await http('POST', `/v1/organizations/${clinic.body.id}/api_keys`, op, { name: 'desk' });
    expect(key.status).toBe(201);
    const patient = await http('POST', '/v1/patients', key.body.secret, {
      first_name: 'Eva',
      last_name: 'Ende',
      consent: { email: true },
    });
    expect(patient.status).toBe(201);
    expect(patient.body.card_number).toMatch(/^\d{16}$/);

    const other = await http('POST', '/v1/organizations', op, {
      kind: 'clinic',
      name: 'E2E Other',
      currency: 'EUR',
      timezone: 'Europe/Berlin',
    });
    const otherKey = await http('POST', `/v1/organizations/${other.body.id}/api_keys`, op, {});
    const hidden = await http('GET', `/v1/patients/${patient.body.id}`, otherKey.body.secret);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toContain('application/problem+json');
    const own = await http('GET', `/v1/patients/${patient.body.id}`, key.body.secret);
    expect(own.status).toBe(200);
    expect(own.body.consent_history).toHaveLength(1);
  });

  it('seeds the demo network idempotently, and a seeded clinic key lists its seeded patients', async () => {
    const keysFile = path.join(mkdtempSync(path.join(tmpdir(), 'gratia-seed-')), 'demo-keys.json');
    const first = await seedDemoNetwork({ baseUrl: baseUrl(), operatorToken: operatorToken(), keysFile });
    expect(first.created.organizations).toBe(5);
    expect(first.created.patients).toBeGreaterThanOrEqual(5);
    expect(first.created.visits).toBe(4);
    const second = await seedDemoNetwork({ baseUrl: baseUrl(), operatorToken: operatorToken(), keysFile });
    expect(second.created).toEqual({ organizations: 0, keys: 0, patients: 0, offers: 0, visits: 0 });
    const stored = JSON.parse(readFileSync(keysFile, 'utf8'));
    expect(second.organizations.map((o: { key: string }) => o.key)).toEqual(
      first.organizations.map((o: { key: string }) => o.key),
    );

    const clinic = first.organizations.find((o: { name: string }) => o.name === DEMO_CLINICS[0].name);
    expect(stored[clinic.id].secret).toBe(clinic.key);
    const res = await http('GET', '/v1/patients', clinic.key);
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { first_name: string }) => p.first_name).sort()).toEqual(
      // The demo's patients, and the one registered with a referral code by the seed (issue 12).
      [
        ...DEMO_CLINICS[0].patients,
        ...(DEMO_CLINICS[0].loyalty ? [DEMO_CLINICS[0].loyalty.referral.patient] : []),
      ]
        .map((p: { first_name: string }) => p.first_name)
        .sort(),
    );
    // Anna's oldest points lapse within the month: she is on the seeded clinic's call list.
    const calls = await http('GET', '/v1/points/expiring?within_days=30', clinic.key);
    expect(calls.body.data.map((r: { first_name: string }) => r.first_name)).toEqual(['Anna']);
  });
});
