import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createVoucherScene } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's settlement statements: what the clinic owes each partner this month, the lines and
// the CSV; for owners and managers.

describe('Statements', () => {
  it('shows what the clinic owes the partner that redeemed its gift, the lines and the CSV', async () => {
    const api = createClient();
    const { net, voucher } = await createVoucherScene(api);
    const redeemed = await api.post('/v1/redemptions', {
      token: net.partner.key,
      body: { token: voucher.token },
    });
    expect(redeemed.status).toBe(201);
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
    const page = await owner.get('/console/statements?period=2026-11');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Statement for November 2026');
    expect(page.text).toContain('Massage Studio');
    expect(page.text).toContain('This month is open');
    const csv = await owner.get('/console/statements/2026-11.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(redeemed.body.id);
    // Another clinic sees none of it.
    const other = await staffSession(api, {
      organizationId: net.otherClinic.id,
      kind: 'clinic',
      role: 'owner',
    });
    expect((await other.get('/console/statements?period=2026-11')).text).not.toContain('Massage Studio');
    expect((await other.get('/console/statements/2026-11.csv')).text).not.toContain(redeemed.body.id);
  });

  it('is for owners and managers', async () => {
    const api = createClient();
    const { net } = await createVoucherScene(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/statements')).status).toBe(403);
    expect((await desk.get('/console/statements/2026-11.csv')).status).toBe(403);
    expect((await desk.get('/console')).text).not.toContain('href="/console/statements"');
  });
});
