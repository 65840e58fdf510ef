import { env } from 'cloudflare:workers';
import { newId } from '@gratia/core';
import { expect } from 'vitest';
import { type Client, OPERATOR_TOKEN } from './api';

let seq = 0;
const unique = (s: string) => `${s} ${++seq}-${Math.random().toString(36).slice(2, 7)}`;

export interface OrgWithKey {
  id: string;
  name: string;
  key: string;
  keyId: string;
  category: string | null;
}

export async function createOrganization(
  api: Client,
  input: Partial<{
    kind: 'clinic' | 'partner';
    name: string;
    category: string;
    currency: string;
    timezone: string;
    address: string;
    phone: string;
    booking_url: string;
  }> = {},
): Promise<OrgWithKey> {
  const kind = input.kind ?? 'clinic';
  const res = await api.post('/v1/organizations', {
    token: OPERATOR_TOKEN,
    body: {
      kind,
      name: input.name ?? unique(kind === 'clinic' ? 'Clinic' : 'Partner'),
      currency: input.currency ?? 'EUR',
      timezone: input.timezone ?? 'Europe/Berlin',
      ...(kind === 'partner' ? { category: input.category ?? 'massage' } : {}),
      ...(input.address ? { address: input.address } : {}),
      ...(input.phone ? { phone: input.phone } : {}),
      ...(input.booking_url ? { booking_url: input.booking_url } : {}),
    },
  });
  expect(res.status, res.text).toBe(201);
  const key = await api.post(`/v1/organizations/${res.body.id}/api_keys`, {
    token: OPERATOR_TOKEN,
    body: { name: 'test' },
  });
  expect(key.status, key.text).toBe(201);
  return {
    id: res.body.id,
    name: res.body.name,
    key: key.body.secret,
    keyId: key.body.id,
    category: res.body.category,
  };
}

export const createClinic = (api: Client, input: Parameters<typeof createOrganization>[1] = {}) =>
  createOrganization(api, { ...input, kind: 'clinic' });
export const createPartner = (api: Client, input: Parameters<typeof createOrganization>[1] = {}) =>
  createOrganization(api, { category: 'massage', ...input, kind: 'partner' });

export async function createPatient(api: Client, clinicKey: string, body: Record<string, unknown> = {}) {
  const res = await api.post('/v1/patients', {
    token: clinicKey,
    body: { first_name: 'Anna', last_name: unique('Schmidt').replace(/\s/g, ''), ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; card_number: string; first_name: string; last_name: string };
}

/** Two clinics and two partners, each with a key: enough for every tenancy and role test. */
export async function createNetwork(api: Client) {
  const [clinic, otherClinic, partner, otherPartner] = [
    await createClinic(api, { name: 'Aesthetics Clinic' }),
    await createClinic(api, { name: 'Dental Clinic' }),
    await createPartner(api, { name: 'Massage Studio', category: 'massage' }),
    await createPartner(api, { name: 'Photo Studio', category: 'photography' }),
  ];
  return { clinic, otherClinic, partner, otherPartner };
}
export type Network = Awaited<ReturnType<typeof createNetwork>>;

export async function createOffer(api: Client, partnerKey: string, body: Record<string, unknown> = {}) {
  const res = await api.post('/v1/offers', {
    token: partnerKey,
    body: {
      title: '60-minute massage',
      category: 'massage',
      price: { amount: 6500, currency: 'EUR' },
      retail_value: { amount: 9000, currency: 'EUR' },
      ...body,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as {
    id: string;
    partner_id: string;
    title: string;
    price: { amount: number; currency: string };
  };
}

export async function issueVoucher(api: Client, clinicKey: string, body: Record<string, unknown>) {
  const res = await api.post('/v1/vouchers', { token: clinicKey, body });
  expect(res.status, res.text).toBe(201);
  return res.body as {
    id: string;
    token: string;
    url: string;
    status: string;
    remaining: { amount: number } | null;
  };
}

/** A network with a patient, an offer at `partner`, and an issued offer voucher for it. */
export async function createVoucherScene(api: Client) {
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key, { first_name: 'Clara', last_name: 'Zimmermann' });
  const offer = await createOffer(api, net.partner.key);
  const voucher = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    offer_id: offer.id,
    message: 'Thank you for your trust!',
  });
  return { ...net, net, patient, offer, voucher };
}

export async function recordVisit(
  api: Client,
  clinicKey: string,
  patientId: string,
  amount: number,
  body: Record<string, unknown> = {},
) {
  const res = await api.post('/v1/visits', {
    token: clinicKey,
    body: { patient_id: patientId, amount: { amount, currency: 'EUR' }, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as {
    id: string;
    points_earned: number;
    balance: number;
    lot: { expires_on: string; expires_at: string } | null;
  };
}

export async function setLoyaltyProgram(api: Client, clinicKey: string, body: Record<string, unknown> = {}) {
  const res = await api.put('/v1/loyalty_program', {
    token: clinicKey,
    body: { accrual_rate_bps: 1000, expiry_days: 180, min_redemption_points: 0, ...body },
  });
  expect(res.status, res.text).toBe(200);
  return res.body as { version: number };
}

/** A network whose clinic has a 10% programme and a patient with a card. */
export async function createPointsScene(
  api: Client,
  program: Record<string, unknown> = {},
  existing?: Network,
) {
  const net = existing ?? (await createNetwork(api));
  await setLoyaltyProgram(api, net.clinic.key, program);
  const patient = await createPatient(api, net.clinic.key, {
    first_name: 'Mira',
    email: 'mira@example.com',
    phone: '+4915112345678',
    consent: { email: true, sms: false },
  });
  return { net, patient };
}

/** A network with a patient and a 50.00 EUR stored-value voucher at the network's partner. */
export async function createStoredValueScene(api: Client) {
  const net = await createNetwork(api);
  const patient = await createPatient(api, net.clinic.key);
  const voucher = await issueVoucher(api, net.clinic.key, {
    patient_id: patient.id,
    value: { amount: 5000, currency: 'EUR' },
    partner_id: net.partner.id,
  });
  return { net, patient, voucher };
}

/**
 * A staff member of an organisation, acting through a key of their own whose secret the test holds
 * (the console's sign-in is not needed to act as them): what the audit trail names as the actor.
 */
export async function createStaffMember(
  api: Client,
  organizationId: string,
  input: { name: string; role: 'owner' | 'manager' | 'front_desk' | 'staff' },
) {
  const key = await api.post(`/v1/organizations/${organizationId}/api_keys`, {
    token: OPERATOR_TOKEN,
    body: { name: `${input.name}'s console` },
  });
  expect(key.status, key.text).toBe(201);
  const id = newId('stf', api.clock.now());
  await env.DB.prepare(
    'insert into staff_members (id, organization_id, name, role, key_id, created_at) values (?, ?, ?, ?, ?, ?)',
  )
    .bind(id, organizationId, input.name, input.role, key.body.id, api.clock.now())
    .run();
  return { id, key: key.body.secret as string, keyId: key.body.id as string };
}
