import { describe, expect, it } from 'vitest';
import { createClient } from '../helpers/api';
import { createPointsScene, recordVisit } from '../helpers/factories';
import { staffSession } from '../helpers/staff';

// The console's Reports: owners and managers read the monthly figures as charts with their tables and
// as CSV; front desk may not.

describe('Reports', () => {
  it('shows the months with their tables and a CSV of the same months', async () => {
    const api = createClient();
    const { net, patient } = await createPointsScene(api);
    await recordVisit(api, net.clinic.key, patient.id, 50_000);
    const manager = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'manager',
    });
    const page = await manager.get('/console/reports?from=2026-10&to=2026-11');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<canvas');
    expect(page.text).toContain('<th scope=');
    expect(page.text).toContain('5,000');
    expect(page.text).toContain('/console/reports.csv?from=2026-10&amp;to=2026-11');
    const csv = await manager.get('/console/reports.csv?from=2026-10&to=2026-11');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(3);
    const charts = await api.get('/console/charts.js');
    expect(charts.status).toBe(200);
    expect(charts.headers.get('content-type')).toContain('javascript');
  });

  it('refuses front desk, and a range it cannot show', async () => {
    const api = createClient();
    const { net } = await createPointsScene(api);
    const desk = await staffSession(api, {
      organizationId: net.clinic.id,
      kind: 'clinic',
      role: 'front_desk',
    });
    expect((await desk.get('/console/reports')).status).toBe(403);
    expect((await desk.get('/console/reports.csv')).status).toBe(403);
    const owner = await staffSession(api, { organizationId: net.clinic.id, kind: 'clinic', role: 'owner' });
    expect((await owner.get('/console/reports?from=2020-01&to=2026-11')).status).toBe(400);
    expect((await owner.get('/console/reports?from=nonsense')).status).toBe(200);
  });
});
