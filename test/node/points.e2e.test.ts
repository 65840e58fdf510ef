import { describe, expect, it } from 'vitest';
import { createOrg, http } from './http';

// The bonus account's journey over real HTTP against wrangler dev, on the real clock: a visit earns
// points, a partner spends some by card number, the statement and the balance agree, and the call
// list shows the patient when the expiry is near.

describe('the bonus account over HTTP (wrangler dev)', () => {
  it('earns on a visit, spends at a partner by card number, and shows it all consistently', async () => {
    const clinic = await createOrg({ kind: 'clinic', name: 'Points Journey Clinic' });
    const pharmacy = await createOrg({
      kind: 'partner',
      name: 'Points Journey Pharmacy',
      category: 'pharmacy',
    });
    const rules = await http('PUT', '/v1/loyalty_program', clinic.key, {
      accrual_rate_bps: 800,
      expiry_days: 180,
      min_redemption_points: 100,
    });
    expect(rules.status).toBe(200);
    const patient = await http('POST', '/v1/patients', clinic.key, {
      first_name: 'Greta',
      last_name: 'Vogel',
      phone: '+4915123456789',
      consent: { sms: true },
    });
    expect(patient.status).toBe(201);

    // A visit 170 days ago: its points lapse in about ten days, so the patient is on this month's call list.
    const occurred = new Date(Date.now() - 170 * 86_400_000).toISOString();
    const visit = await http('POST', '/v1/visits', clinic.key, {
      patient_id: patient.body.id,
      amount: { amount: 62_500, currency: 'EUR' },
      occurred_at: occurred,
      reference: 'INV-E2E-1',
    });
    expect(visit.status, visit.text).toBe(201);
    expect(visit.body).toMatchObject({ points_earned: 5000, balance: 5000, program_version: 1 });

    const spend = await http('POST', '/v1/points/redemptions', pharmacy.key, {
      card_number: patient.body.card_number,
      points: 1800,
      reference: 'POS-77',
    });
    expect(spend.status, spend.text).toBe(201);
    expect(spend.body).toMatchObject({
      points: 1800,
      balance_after: 3200,
      payable: { amount: 1800, currency: 'EUR' },
      issuer_id: clinic.id,
      honoured_by: pharmacy.id,
    });
    const tooMuch = await http('POST', '/v1/points/redemptions', pharmacy.key, {
      card_number: patient.body.card_number,
      points: 3201,
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('insufficient_points');

    const statement = await http('GET', `/v1/patients/${patient.body.id}/points/entries`, clinic.key);
    expect(statement.status).toBe(200);
    expect(statement.body.data.map((e: any) => [e.type, e.points, e.value.amount, e.balance_after])).toEqual([
      ['accrual', 5000, 5000, 5000],
      ['redemption', -1800, -1800, 3200],
    ]);
    const balance = await http('GET', `/v1/patients/${patient.body.id}/points`, clinic.key);
    expect(balance.body.balance).toBe(3200);
    expect(balance.body.balance).toBe(statement.body.data.at(-1).balance_after);
    expect(statement.body.balance).toBe(3200);

    const calls = await http('GET', '/v1/points/expiring?within_days=30', clinic.key);
    expect(calls.status).toBe(200);
    const row = calls.body.data.find((r: any) => r.patient_id === patient.body.id);
    expect(row).toMatchObject({
      points_expiring: 3200,
      phone: '+4915123456789',
      consent: { email: false, sms: true },
    });
    expect(Date.parse(row.first_expiry.expires_at) - Date.now()).toBeLessThan(12 * 86_400_000);
    const later = await http('GET', '/v1/points/expiring?within_days=5', clinic.key);
    expect(later.body.data.find((r: any) => r.patient_id === patient.body.id)).toBeUndefined();
  });
});
